/**
 * The measures of issue 15 on the repository's import graph (test/support/import-graph.ts): no import runs from a
 * lower layer up to a higher one (the worker or the webview importing the extension host), no import circle through
 * the panel's files, the webview entry only composes (≤ 120 lines) and no panel source file passes 600 lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { circles, importGraph, upwardImports } from '../support/import-graph';

const graph = importGraph();
const PANEL = (f: string) => /^(webview\/|src\/panel\/|src\/extension\/panel\/|src\/worker\/|src\/protocol\.ts|src\/transport\.ts)/.test(f);

test('no import runs up the layers (core → panel core → worker/cli/webview → host)', () => {
  assert.deepEqual(upwardImports(graph).map((e) => `${e.from} → ${e.to}`), []);
});

test('no import circle passes through the panel, its protocol or the engine worker', () => {
  assert.deepEqual(circles(graph).filter((c) => c.some(PANEL)), []);
});

test('the webview entry composes (≤ 120 lines); no panel source file is over 600 lines', () => {
  const lines = (f: string) => readFileSync(f, 'utf8').split('\n').length;
  assert.ok(lines('webview/main.ts') <= 120, `webview/main.ts has ${lines('webview/main.ts')} lines`);
  const long = [...graph.keys()].filter(PANEL).filter((f) => lines(f) > 600);
  assert.deepEqual(long, []);
});
