// bin/compile-cache.js: the CLI bundle loaded with V8's code cache must behave exactly as the bundle on disk, above
// all after a rebuild that keeps the bundle's length (V8 itself checks only the length before using a cache).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

interface Loaded {
  exports: { answer: () => string; dir: string };
  saveCache: () => void;
}
const { loadWithCompileCache } = require('../../bin/compile-cache.js') as { loadWithCompileCache: (file: string) => Loaded };

function bundle(answer: string): string {
  return `"use strict";\nconst { basename } = require("node:path");\nmodule.exports = { answer: () => ${JSON.stringify(answer)}, dir: basename(__dirname) };\n`;
}

test('compile cache: written after the first load, used by the next, never for a changed bundle of the same length', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellscope-cache-'));
  const file = join(dir, 'cli.js');
  writeFileSync(file, bundle('first'));
  const first = loadWithCompileCache(file);
  assert.equal(first.exports.answer(), 'first');
  assert.equal(first.exports.dir, join(dir).split(/[\\/]/).pop(), 'require and __dirname are the bundle\'s own');
  assert.ok(!existsSync(`${file}.v8-cache`), 'nothing is written before saveCache');
  first.saveCache();
  const cache = readFileSync(`${file}.v8-cache`);
  assert.ok(cache.length > 20);

  const second = loadWithCompileCache(file);
  assert.equal(second.exports.answer(), 'first');
  second.saveCache();
  assert.deepEqual(readFileSync(`${file}.v8-cache`), cache, 'a cache that was used is not rewritten');

  // Same length, other code: the stale cache must not run the old function.
  writeFileSync(file, bundle('other'));
  const third = loadWithCompileCache(file);
  assert.equal(third.exports.answer(), 'other');
  third.saveCache();
  assert.notDeepEqual(readFileSync(`${file}.v8-cache`), cache, 'the stale cache is replaced');
  assert.equal(loadWithCompileCache(file).exports.answer(), 'other');

  // A damaged cache file is ignored, not trusted.
  writeFileSync(`${file}.v8-cache`, Buffer.from('not a cache'));
  assert.equal(loadWithCompileCache(file).exports.answer(), 'other');
});
