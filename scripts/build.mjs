// One esbuild build for the four targets: the extension host (node, `vscode` external), its engine worker (node),
// the webview (browser) and the CLI (node). `--watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { mkdirSync } from 'node:fs';
import { buildWasm } from './build-wasm.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
  // Prefer ES module builds: jsonc-parser's UMD build requires its own files at run time, which a bundle lacks.
  mainFields: ['module', 'main'],
};

/** @type {esbuild.BuildOptions[]} */
const targets = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    // The engine in a worker_threads Worker: the panel runs models there, off the extension host's main thread.
    ...common,
    entryPoints: ['src/worker/engine-worker.ts'],
    outfile: 'dist/engine-worker.js',
    platform: 'node',
    format: 'cjs',
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
  },
  {
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
  },
];

// The engine's WebAssembly kernels (src/engine/wasm/generated/kernels.ts, rewritten only when the WAT changed).
await buildWasm();
mkdirSync('dist', { recursive: true });
if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
  console.log('cellscope: watching for changes');
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
