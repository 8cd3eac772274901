// The browser bundle (package.json `browser`, VS Code for the Web's worker extension host) holds no Node: nothing it
// requires at run time but `vscode`, no node: module or Node-only package among its inputs, and neither worker
// bundle's entry (a web extension served from a server cannot start nested workers; the engine runs in-process).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { webTarget } from '../../scripts/build.mjs';

const REPO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

test('dist/web/extension.js: only `vscode` required at run time, no Node module, no worker entry', async () => {
  process.chdir(REPO);
  const r = await esbuild.build({ ...webTarget(join(REPO, '.test-output', 'web-bundle')), write: false, metafile: true, sourcemap: false });
  const inputs = Object.keys(r.metafile.inputs);
  const external = new Set(Object.values(r.metafile.inputs).flatMap((i) => i.imports.filter((x) => x.external).map((x) => x.path)));
  assert.deepEqual([...external], ['vscode']);
  assert.deepEqual(inputs.filter((f) => /^node:|(^|\/)src\/worker\/(engine|load)-worker\.ts$/.test(f)), []);
  const text = r.outputFiles.find((f) => f.path.endsWith('.js')).text;
  assert.deepEqual([...new Set(text.match(/require\("[^"]+"\)/g))], ['require("vscode")']);
  // The engine and its WebAssembly kernels are in it, and the lazy host still waits for first use.
  assert.ok(inputs.some((f) => f.endsWith('src/engine/wasm/generated/kernels.ts')));
  assert.match(text, /var init_host = __esm\(/);
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  assert.equal(pkg.browser, './dist/web/extension.js');
});
