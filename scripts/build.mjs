// One esbuild build for every target: the extension host's two bundles (node, `vscode` external; the second is also
// its engine and load workers), the webview and notebook renderer (browser), the web extension and the CLI (node).
// `--watch` rebuilds on change; `--production` minifies.
// Importable: `allTargets(outdir, production)` and `extensionHostTargets(...)` for tests and benchmarks that build
// elsewhere than dist/.
import * as esbuild from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** Options every target shares; `production` minifies and drops the source maps. */
const commonOptions = (production) => ({
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
  // Prefer ES module builds: jsonc-parser's UMD build requires its own files at run time, which a bundle lacks.
  mainFields: ['module', 'main'],
});

// Bundles a fresh process or worker reads on every start (the CLI, dist/host.js): without comments and
// indentation (1.41 → 0.97 MB for the CLI, and ASCII only, so V8 holds the source as one-byte text). Each start
// reads, decodes and keeps the whole text, and on a VM every fresh page costs ~10 µs: 1 400 pages fewer per
// `cellscope run`. Names are kept (no identifier minification), and the linked source maps give the lines back.
const compact = { minifyWhitespace: true, minifySyntax: true };

/**
 * dist/extension.js is what activation evaluates, on every JSON file opened: commands' stand-ins and a cheap look at
 * documents. It requires dist/host.js (loaders, engine, panel, diagnostics) on first real use, as a separate file;
 * dist/host.js is also the file the engine and load workers start from (one copy of the loaders and the engine).
 * @returns {esbuild.BuildOptions[]}
 */
export function extensionHostTargets(outdir = 'dist', production = false) {
  const host = { ...commonOptions(production), platform: 'node', format: 'cjs', external: ['vscode'] };
  return [
    { ...host, entryPoints: ['src/extension/extension.ts'], outfile: join(outdir, 'extension.js'), external: ['vscode', './host.js'] },
    // The host and, in worker threads, the engine and load workers (src/extension/host-bundle.ts: each role evaluates
    // only its own modules). Read by every worker start, so compact (above).
    { ...host, ...compact, entryPoints: ['src/extension/host-bundle.ts'], outfile: join(outdir, 'host.js') },
  ];
}

/**
 * VS Code for the Web (`browser` in package.json): the front door alone, for the web worker extension host. On first
 * use it reads dist/host.js, the same bundle the desktop requires, and evaluates it with Node's modules replaced
 * (src/extension/web-host.ts; src/web/node-absent.ts: no worker can start there, so every load and run takes its
 * in-process path): one copy of the host, the loaders and the engine in the package, not two. The worker has no
 * setImmediate or __dirname. test/repository/web-bundle.test.mjs checks that no Node built-in is left.
 * @returns {esbuild.BuildOptions}
 */
export function webTarget(outdir = 'dist', production = false) {
  return {
    ...commonOptions(production),
    entryPoints: ['src/extension/web-extension.ts'],
    outfile: join(outdir, 'web', 'extension.js'),
    platform: 'browser',
    format: 'cjs',
    external: ['vscode'],
    banner: { js: 'globalThis.setImmediate ??= (f, ...a) => setTimeout(f, 0, ...a);' },
  };
}

/**
 * The panel's page (dist/webview.js) and the notebook output renderer (dist/notebook-renderer.js, `cellscope.show()`
 * in Jupyter, an ES module VS Code's notebook webview imports): ES modules built together, so what both draw with
 * (chart.js, the heatmap, the protocol and its schemas) is one shared chunk beside them (dist/shared-*.js), imported
 * relative to each entry, not a copy in each (~55 KB zipped).
 * @returns {esbuild.BuildOptions}
 */
export function pageTarget(outdir = 'dist', production = false) {
  return {
    ...commonOptions(production),
    entryPoints: { webview: 'webview/main.ts', 'notebook-renderer': 'webview/notebook/renderer.ts' },
    outdir,
    splitting: true,
    chunkNames: 'shared-[hash]',
    platform: 'browser',
    format: 'esm',
  };
}

/**
 * Every bundle, written under `outdir` (paths relative to the repository root).
 * @returns {esbuild.BuildOptions[]}
 */
export function allTargets(outdir = 'dist', production = false) {
  const common = commonOptions(production);
  return [
    ...extensionHostTargets(outdir, production),
    { ...common, ...compact, entryPoints: ['src/cli/main.ts'], outfile: join(outdir, 'cli.js'), platform: 'node', format: 'cjs' },
    pageTarget(outdir, production),
    webTarget(outdir, production),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const targets = allTargets('dist', production);
  // The engine's WebAssembly kernels (src/engine/wasm/generated/kernels.ts, rewritten only when the WAT changed).
  // Imported here, not at the top: tests and benchmarks import the targets above without assembling anything.
  const { buildWasm } = await import('./build-wasm.mjs');
  await buildWasm();
  // The cells' float32/float64 twins (src/engine/cells/generated/fused.ts) from their one source.
  const { buildTwins } = await import('./build-twins.mjs');
  buildTwins();
  mkdirSync('dist', { recursive: true });
  if (watch) {
    for (const t of targets) await (await esbuild.context(t)).watch();
    console.log('cellscope: watching for changes');
  } else {
    await Promise.all(targets.map((t) => esbuild.build(t)));
  }
}
