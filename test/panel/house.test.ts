/**
 * The measures of issue 15 on the repository's import graph (test/support/import-graph.ts): no import runs from a
 * lower layer up to a higher one (the worker or the webview importing the extension host), no import circle at all,
 * the webview entry only composes (≤ 120 lines) and no hand-written source file (src, webview, scripts, bench, test;
 * generated kernels excepted) passes 600 lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { circles, importGraph, upwardImports } from '../support/import-graph';

const graph = importGraph();
const PANEL = (f: string) => /^(webview\/|src\/panel\/|src\/extension\/panel\/|src\/worker\/|src\/protocol\.ts|src\/transport\.ts)/.test(f);

test('no import runs up the layers (core → panel core → worker/cli/webview → host)', () => {
  assert.deepEqual(upwardImports(graph).map((e) => `${e.from} → ${e.to}`), []);
});

test('no import circle anywhere in src/ or webview/ (type-only imports included)', () => {
  assert.deepEqual(circles(graph).map((c) => c.join(' → ')), []);
});

test('the webview entry composes (≤ 120 lines); no panel source file is over 600 lines', () => {
  const lines = (f: string) => readFileSync(f, 'utf8').split('\n').length;
  assert.ok(lines('webview/main.ts') <= 120, `webview/main.ts has ${lines('webview/main.ts')} lines`);
  const long = [...graph.keys()].filter(PANEL).filter((f) => lines(f) > 600);
  assert.deepEqual(long, []);
});

/** Hand-written sources: what people edit (generated modules, fixtures and installed packages are not). */
function handWritten(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name).split('\\').join('/');
    if (['node_modules', 'generated', 'fixtures', 'vscode-server'].includes(name)) return [];
    if (statSync(p).isDirectory()) return handWritten(p);
    return /\.(ts|mts|mjs|js)$/.test(name) && !/\.d\.m?ts$/.test(name) ? [p] : [];
  });
}

test('no hand-written source file is over 600 lines (src, webview, scripts, bench, test)', () => {
  const lines = (f: string) => readFileSync(f, 'utf8').split('\n').length;
  const files = ['src', 'webview', 'scripts', 'bench', 'test'].flatMap(handWritten);
  assert.ok(files.length > 300, `found ${files.length} files`);
  assert.deepEqual(files.filter((f) => lines(f) > 600).map((f) => `${f}: ${lines(f)} lines`), []);
});
