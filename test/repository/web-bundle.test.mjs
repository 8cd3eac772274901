// The browser bundle (package.json `browser`, VS Code for the Web's worker extension host) holds no Node and no second
// copy of the host: it is the front door alone, requiring nothing at run time but `vscode`; on first use it evaluates
// dist/host.js (src/extension/web-host.ts) with every Node module that bundle requires answered by
// src/web/node-absent.ts. Neither worker bundle's entry is in it (a web extension served from a server cannot start
// nested workers; the engine runs in-process).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { extensionHostTargets, webTarget } from '../../scripts/build.mjs';
import { NODE_MODULES } from '../../src/web/node-absent.ts';

const REPO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const externals = (metafile) => [...new Set(Object.values(metafile.inputs).flatMap((i) => i.imports.filter((x) => x.external).map((x) => x.path)))].sort();

test('dist/web/extension.js: the front door only, `vscode` the one module it requires', async () => {
  process.chdir(REPO);
  const r = await esbuild.build({ ...webTarget(join(REPO, '.test-output', 'web-bundle')), write: false, metafile: true, sourcemap: false });
  const inputs = Object.keys(r.metafile.inputs);
  assert.deepEqual(externals(r.metafile), ['vscode']);
  assert.deepEqual(inputs.filter((f) => /^node:|(^|\/)src\/(engine|onnx|explain|worker)\/|src\/formats\/index\.ts$/.test(f)), []);
  const text = r.outputFiles.find((f) => f.path.endsWith('.js')).text;
  assert.deepEqual([...new Set(text.match(/require\("[^"]+"\)/g))], ['require("vscode")']);
  assert.ok(text.length < 30_000, `${text.length} characters: the host is bundled in again?`);
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  assert.equal(pkg.browser, './dist/web/extension.js');
});

test('dist/host.js requires only `vscode` and the Node modules the web entry answers', async () => {
  process.chdir(REPO);
  const host = extensionHostTargets(join(REPO, '.test-output', 'web-bundle'), true).find((t) => t.outfile.endsWith('host.js'));
  const r = await esbuild.build({ ...host, write: false, metafile: true });
  assert.deepEqual(externals(r.metafile), ['vscode', ...Object.keys(NODE_MODULES)].sort());
  // What it reads of them exists in the stand-ins (the names the host's own sources import).
  const wt = NODE_MODULES['node:worker_threads'];
  assert.equal(wt.isMainThread, true);
  assert.throws(() => new wt.Worker('x'), /no worker threads in VS Code for the Web/);
  assert.equal(NODE_MODULES['node:fs'].existsSync('/dist/host.js'), false);
  assert.ok(r.metafile.inputs['src/engine/wasm/generated/kernels.ts'], 'the engine and its kernels are in dist/host.js');
});
