// Loads a CommonJS bundle with V8's code cache, kept beside it (`dist/cli.js` → `dist/cli.js.v8-cache`).
//
// Why: compiling the ~0.8 MB bundle, and then the functions a run calls, is about 15 ms of every `cellscope` start;
// with the cache V8 deserialises them instead. Node 22's module.enableCompileCache does this, but the CLI runs on
// Node 20 too. The cache is the bundle's own: it is written next to it (like Python's __pycache__, so only who can
// change the bundle can change it), and it holds a copy of the bundle it was made from, compared byte for byte
// before use, because V8 checks only the source length before using a cache (a hash would cost more: loading
// node:crypto alone takes ~3 ms). A cache that is missing, stale or refused by V8 (another Node version) is simply
// rebuilt after the command has run, so it also holds the functions a real run compiled; a bundle folder that
// cannot be written only means no cache.
//
// Cache file: the bundle's byte length (uint32, little-endian), the bundle's bytes, V8's code cache.
'use strict';
const { readFileSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

/** @returns {{ exports: any, saveCache: () => void }} the bundle's exports, and what writes its cache when needed */
function loadWithCompileCache(file) {
  const bundle = readFileSync(file);
  const source = bundle.toString('utf8');
  const cacheFile = `${file}.v8-cache`;
  let cached;
  try {
    const bytes = readFileSync(cacheFile);
    const start = 4 + bundle.length;
    if (bytes.length > start && bytes.readUInt32LE(0) === bundle.length && bundle.equals(bytes.subarray(4, start))) cached = bytes.subarray(start);
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
        const length = Buffer.alloc(4);
        length.writeUInt32LE(bundle.length);
        writeFileSync(temp, Buffer.concat([length, bundle, script.createCachedData()]));
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
