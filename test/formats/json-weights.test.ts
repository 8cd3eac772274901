// The fast road through large export JSON files (src/formats/json-weights.ts): every number read exactly as
// JSON.parse reads it (bit for bit, on the forms Python's json and numpy write), the same model as the ordinary
// road, and every surprise handed back to the ordinary road, whose errors name the place in the file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadModelBytes, loadModelText } from '../../src/formats/index';
import { FAST_WEIGHTS_MIN_BYTES, readTopLevelNumberArrays } from '../../src/formats/json-weights';
import { rejects } from '../support/rejects';

const enc = (s: string) => new TextEncoder().encode(s);
const FIXTURE = join(__dirname, '..', 'fixtures', 'architectures', 'imdb_bilstm_functional', 'model.cellscope.json');

/** Deterministic doubles of every kind a weight file holds: float32 values (17 digits), short decimals, extremes. */
function numbers(): string[] {
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: string[] = ['0', '-0', '0.0', '-0.0', '1', '-1', '1e5', '1E5', '1e+5', '2.5e-3', '5e-324', '2.2250738585072014e-308', '1.7976931348623157e308', '123456789012345678901234567890', '0.1', '0.30000000000000004', '9007199254740993', '1.00000000000000011102230246251565404236316680908203125', '4.9406564584124654e-324'];
  for (let k = 0; k < 60000; k++) {
    const mag = 10 ** Math.floor(rnd() * 12 - 8);
    const x = (rnd() - 0.5) * mag;
    out.push(String(Math.fround(x)), String(x), x.toPrecision(1 + Math.floor(rnd() * 21)), x.toExponential(Math.floor(rnd() * 20)));
  }
  // Python writes float32 weights as the shortest repr of their float64 value: 16–17 digits.
  for (let k = 0; k < 20000; k++) out.push(String(Math.fround((rnd() - 0.5) * 2 ** Math.floor(rnd() * 40 - 30))));
  return out;
}

test('numbers are read bit for bit as JSON.parse reads them', () => {
  const all = numbers();
  const text = `{"weights": [[${all.join(', ')}], [[${all.slice(0, 6).join(',')}], [${all.slice(6, 12).join(',')}]]]}`;
  const r = readTopLevelNumberArrays(enc(text), 'weights');
  assert.ok(r, 'the fast road gave up on plain numbers');
  const expected = JSON.parse(text).weights as [number[], number[][]];
  assert.deepEqual(r.tensors.map((t) => t.shape), [[all.length], [2, 6]]);
  let bad = 0;
  expected[0].forEach((x, k) => {
    if (!Object.is(x, r.tensors[0]!.data[k])) assert.fail(`${all[k]} read as ${r.tensors[0]!.data[k]}, JSON.parse says ${x} (${++bad})`);
  });
  assert.deepEqual([...r.tensors[1]!.data], expected[1].flat());
});

test('anything but plain rectangular number arrays is left to the ordinary road', () => {
  for (const weights of ['[[1, [2]]]', '[[[1, 2], [3]]]', '[[1, 2,]]', '[[NaN]]', '[[Infinity]]', '[[1e]]', '[[01]]', '[["1"]]', '[[]]', '[1]', '[[1 2]]', '[[-]]', '[[.5]]', '[{"shape": [1], "data": [1]}]']) {
    assert.equal(readTopLevelNumberArrays(enc(`{"model": {}, "weights": ${weights}}`), 'weights'), undefined, weights);
  }
  assert.equal(readTopLevelNumberArrays(enc('{"model": {"weights": [[1]]}}'), 'weights'), undefined, 'only the top-level key');
  assert.equal(readTopLevelNumberArrays(enc('[[1]]'), 'weights'), undefined);
  // Hostile sizes give up quietly instead of overflowing the stack with a spread of millions of bytes.
  assert.equal(readTopLevelNumberArrays(enc(`{"${'k'.repeat(1 << 20)}": 1}`), 'weights'), undefined);
  assert.equal(readTopLevelNumberArrays(enc(`{"weights": [[0.${'1'.repeat(1 << 20)}]]}`), 'weights'), undefined);
});

/** The fixture grown past the fast road's threshold with trailing blanks (the bytes of the document are unchanged). */
function large(text: string): Uint8Array {
  return enc(text + ' '.repeat(FAST_WEIGHTS_MIN_BYTES));
}

test('a large export loads to the same model, weight for weight, as the ordinary road', async () => {
  const text = readFileSync(FIXTURE, 'utf8');
  const fast = (await loadModelBytes(large(text), 'big.cellscope.json')).model;
  const ordinary = loadModelText(text, 'big.cellscope.json').model;
  assert.deepEqual(fast, ordinary);
});

test('a damaged large export still gets the error with its place in the file', async () => {
  const doc = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  doc.weights[1][2] = doc.weights[1][2].slice(1); // a ragged kernel row
  await rejects(loadModelBytes(large(JSON.stringify(doc)), 'ragged.cellscope.json'), 'ragged.cellscope.json', '`weights[1][2]`', 'ragged');
  const text = readFileSync(FIXTURE, 'utf8').replace(/"weights":\s*\[\[/, '"weights": [[,');
  assert.match(text, /\[\[,/);
  await rejects(loadModelBytes(large(text), 'syntax.cellscope.json'), 'syntax.cellscope.json', 'JSON syntax error');
});
