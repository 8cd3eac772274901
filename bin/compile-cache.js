// Loads a CommonJS bundle with V8's code cache, kept beside it (`dist/cli.js` → `dist/cli.js.v8-cache`).
//
// Why: compiling the ~0.8 MB bundle, and then the functions a run calls, is about 15 ms of every `cellscope` start;
// with the cache V8 deserialises them instead. Node 22's module.enableCompileCache does this, but the CLI runs on
// Node 20 too. The cache is the bundle's own: it is written next to it (like Python's __pycache__, so only who can
// change the bundle can change it), and it starts with a hash of the bundle's text, because V8 checks only the
// source length before using a cache. A cache that is missing, stale or refused by V8 (another Node version) is
// simply rebuilt after the command has run, so it also holds the functions a real run compiled; a bundle folder
// that cannot be written only means no cache.
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

const HASH_BYTES = 20;

/** @returns {{ exports: any, saveCache: () => void }} the bundle's exports, and what writes its cache when needed */
function loadWithCompileCache(file) {
  const source = readFileSync(file, 'utf8');
  const hash = createHash('sha1').update(source).digest();
  const cacheFile = `${file}.v8-cache`;
  let cached;
  try {
    const bytes = readFileSync(cacheFile);
    if (bytes.length > HASH_BYTES && hash.equals(bytes.subarray(0, HASH_BYTES))) cached = bytes.subarray(HASH_BYTES);
  } catch {
    // no cache yet
  }
  // The CommonJS wrapper on the first line, so line numbers in stack traces stay the bundle's.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData: cached });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const needsCache = !cached || script.cachedDataRejected === true;
  return {
    exports: module.exports,
    saveCache() {
      if (!needsCache) return;
      // Written whole under a temporary name, then renamed: a concurrent start reads the old cache or the new one.
      const temp = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(temp, Buffer.concat([hash, script.createCachedData()]));
        renameSync(temp, cacheFile);
      } catch {
        try {
          unlinkSync(temp);
        } catch {
          // nothing was written
        }
      }
    },
  };
}

module.exports = { loadWithCompileCache };
