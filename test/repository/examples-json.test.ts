// Every JSON file shipped under examples/ is strict JSON: VS Code's JSON checker reports Python's `Infinity` / `NaN`
// tokens as errors and turns the Explorer red, so the examples write ±inf as 1e999 / -1e999 (every JSON reader,
// Cellscope's included, reads that back as ±Infinity; users' files may still use Python's tokens).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { loadModelText } from '../../src/formats';
import { REPO } from '../fixtures-path';

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
  });
}

test('every .json under examples/ parses with the strict JSON.parse', () => {
  const files = jsonFiles(join(REPO, 'examples'));
  assert.ok(files.length >= 20, `found only ${files.length} example JSON files`);
  const bad = files.filter((f) => {
    try {
      JSON.parse(readFileSync(f, 'utf8'));
      return false;
    } catch {
      return true;
    }
  });
  assert.deepEqual(bad.map((f) => relative(REPO, f)), []);
});

test("seed 002's counting LSTM keeps its +Infinity biases when written as 1e999", () => {
  const text = readFileSync(join(REPO, 'examples', 'hand-built', 'count-lstm.json'), 'utf8');
  assert.ok(text.includes('1e999') && !/\bInfinity\b/.test(text));
  const layer = loadModelText(text, 'count-lstm.json').model.layers.find((l) => l.kind === 'recurrent');
  assert.ok(layer && layer.kind === 'recurrent' && layer.weights.bias);
  assert.ok(Array.from(layer.weights.bias.data).includes(Infinity));
});

test("Python's Infinity / NaN tokens are still accepted in users' files", () => {
  const text = readFileSync(join(REPO, 'examples', 'hand-built', 'count-lstm.json'), 'utf8').replace(/\b1e999\b/g, 'Infinity');
  assert.ok(/\bInfinity\b/.test(text));
  const layer = loadModelText(text, 'user.json').model.layers.find((l) => l.kind === 'recurrent');
  assert.ok(layer && layer.kind === 'recurrent' && Array.from(layer.weights.bias!.data).includes(Infinity));
});
