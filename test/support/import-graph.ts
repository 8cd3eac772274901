/**
 * The repository's import graph, read with TypeScript's own pre-processor and module resolution (type-only imports
 * included: a circle of types is still a circle for the next engineer), and the two measures issue 15 asks for:
 * import circles, and imports that run from a lower layer up to a higher one.
 *
 * Layers, low to high (a file may import its own layer or lower ones):
 *   0 core      src/engine, src/formats, src/onnx, src/compare, src/analysis, src/diagnose, src/protocol.ts, src/transport.ts
 *   1 panel     src/panel (the pure panel core: no `vscode`, no DOM)
 *   2 runtimes  src/worker (engine worker), src/cli, webview/ (the panel's page)
 *   3 host      src/extension (the only place that imports `vscode`)
 */
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const LAYERS: { name: string; rank: number; test: (path: string) => boolean }[] = [
  { name: 'host', rank: 3, test: (p) => p.startsWith('src/extension/') },
  { name: 'worker', rank: 2, test: (p) => p.startsWith('src/worker/') },
  { name: 'cli', rank: 2, test: (p) => p.startsWith('src/cli/') },
  { name: 'webview', rank: 2, test: (p) => p.startsWith('webview/') },
  { name: 'panel', rank: 1, test: (p) => p.startsWith('src/panel/') },
  { name: 'core', rank: 0, test: (p) => p.startsWith('src/') },
];

export function layerOf(path: string): { name: string; rank: number } {
  return LAYERS.find((l) => l.test(path)) ?? { name: 'other', rank: 0 };
}

function sources(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const p = join(dir, name);
    if (statSync(join(root, p)).isDirectory()) out.push(...sources(root, p));
    else if (/\.ts$/.test(name) && !/\.d\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** file → the repository files it imports (relative paths from the root, `/` separated). */
export function importGraph(root = process.cwd()): Map<string, string[]> {
  const options: ts.CompilerOptions = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowImportingTsExtensions: true };
  const files = [...sources(root, 'src'), ...sources(root, 'webview')];
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const info = ts.preProcessFile(readFileSync(join(root, f), 'utf8'), true, true);
    const deps = new Set<string>();
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue; // packages are not layers
      const r = ts.resolveModuleName(ref.fileName, resolve(root, f), options, ts.sys).resolvedModule;
      if (r && !r.isExternalLibraryImport) deps.add(relative(root, r.resolvedFileName).split('\\').join('/'));
    }
    graph.set(f.split('\\').join('/'), [...deps].sort());
  }
  return graph;
}

/** Every elementary circle found by a depth-first walk, each once, starting from its smallest file name. */
export function circles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 'open') {
        const cyc = stack.slice(stack.indexOf(d));
        const k = cyc.indexOf([...cyc].sort()[0]!);
        const norm = [...cyc.slice(k), ...cyc.slice(0, k)];
        found.set(norm.join(' → '), norm);
      } else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return [...found.values()];
}

/** Imports from a file in a lower layer to one in a higher layer (or between the layer-2 runtimes). */
export function upwardImports(graph: Map<string, string[]>): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (const [from, deps] of graph) {
    const a = layerOf(from);
    for (const to of deps) {
      const b = layerOf(to);
      if (b.rank > a.rank || (b.rank === a.rank && b.name !== a.name && a.rank === 2)) out.push({ from, to });
    }
  }
  return out;
}

if (process.argv[1] && /import-graph\.ts$/.test(process.argv[1])) {
  const g = importGraph();
  const c = circles(g);
  const up = upwardImports(g);
  console.log(`${g.size} files, ${[...g.values()].reduce((n, d) => n + d.length, 0)} imports`);
  console.log(`circles: ${c.length}`);
  for (const x of c) console.log(`  ${x.join(' → ')} → ${x[0]}`);
  console.log(`upward imports: ${up.length}`);
  for (const x of up) console.log(`  ${x.from} → ${x.to}`);
}
