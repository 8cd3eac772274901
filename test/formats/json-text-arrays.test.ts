// JSON text (positions, NaN), array files, expected-output files and recordings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensorFromNested } from '../../src/formats/arrays';
import { loadArrayBytes, loadExpectedBytes, loadRecordingBytes } from '../../src/formats/index';
import { MAX_JSON_DEPTH, locateJsonPath, parseJsonText, tooDeepAt } from '../../src/formats/json-text';
import { readFileSync } from 'node:fs';
import { rng } from '../random';
import { expectLoadError, fixtureFiles } from './helpers';

const bytes = (text: string) => new TextEncoder().encode(text);

test('locateJsonPath maps a JSON path to the offset and length of its value', () => {
  const text = '{"weights": [[1, 2], [3, 4]], "model": {"name": "m"}}';
  const loc = locateJsonPath(text, ['weights', 1]);
  assert.deepEqual(loc, { offset: text.indexOf('[3, 4]'), length: 6 });
  assert.equal(text.substr(locateJsonPath(text, ['model', 'name'])!.offset, 3), '"m"');
  assert.equal(locateJsonPath(text, ['nope']), undefined);
});

test('parseJsonText: plain JSON, a BOM, and Python NaN/Infinity', () => {
  assert.deepEqual(parseJsonText('\uFEFF{"a": 1}', 'f.json'), { a: 1 });
  const v = parseJsonText('[NaN, -Infinity, Infinity, 1e-3]', 'f.json') as number[];
  assert.ok(Number.isNaN(v[0]));
  assert.deepEqual(v.slice(1), [-Infinity, Infinity, 0.001]);
  expectLoadError(() => parseJsonText('[1, 2', 'short.json'), 'short.json:1:6:', 'found the end of the file');
  expectLoadError(() => parseJsonText('{"a": 1 "b": 2}', 'comma.json'), 'comma.json:1:9:', 'expected valid JSON (a comma)', 'found "\\"b\\": 2}"');
  // The JSON5 fallback also lets through what JSON5 allows (single quotes, trailing commas, comments).
  assert.deepEqual(parseJsonText("{'a': 1, /* note */}", 'py.json'), { a: 1 });
});

/** The depth scan as first written: one character at a time. The regex-driven scan must find the same offset. */
function tooDeepAtByChar(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth > MAX_JSON_DEPTH) return i;
    } else if (c === ']' || c === '}') depth--;
  }
  return -1;
}

test('depth scan: same offset as a character-by-character scan, strings and escapes skipped', () => {
  const next = rng(7);
  // Runs of brackets so that random texts cross the limit; quotes and backslashes to open, escape and close strings.
  const pieces = ['['.repeat(40), '{"a":', ']'.repeat(20), '}', '"', '\\', '\\"', '"[[[["', '1.5,', ' '];
  for (let k = 0; k < 400; k++) {
    let text = '';
    const n = 20 + Math.floor((next() + 1) * 60);
    for (let i = 0; i < n; i++) text += pieces[Math.floor((next() + 1) * 0.5 * pieces.length)]!;
    assert.equal(tooDeepAt(text), tooDeepAtByChar(text), `text ${k}: ${JSON.stringify(text.slice(0, 80))}…`);
  }
  const deep = '['.repeat(MAX_JSON_DEPTH - 1) + '"[{\\"[" [1]' + ']'.repeat(MAX_JSON_DEPTH - 1);
  assert.equal(tooDeepAt(deep), -1, 'brackets inside strings do not count');
  assert.equal(tooDeepAt('[' + deep + ']'), MAX_JSON_DEPTH + 8, 'one level more: the [1] after the string is too deep');
  assert.equal(tooDeepAt('['.repeat(MAX_JSON_DEPTH) + '\n ['), MAX_JSON_DEPTH + 2);
  expectLoadError(() => parseJsonText('\uFEFF' + '['.repeat(MAX_JSON_DEPTH) + '\n  {', 'deep.json'), 'deep.json:2:3:', `offset ${MAX_JSON_DEPTH + 4}`, `more than ${MAX_JSON_DEPTH} nested`);
});

test('array files: nested lists, {shape, data} flat row-major, integer dtypes', () => {
  const nested = loadArrayBytes(bytes('[[[1, 2], [3, 4], [5, 6]]]'), 'x.json');
  assert.deepEqual(nested.shape, [1, 3, 2]);
  assert.deepEqual([...nested.data], [1, 2, 3, 4, 5, 6]);
  assert.ok(nested.data instanceof Float64Array);
  const flat = loadArrayBytes(bytes('{"shape": [2, 3], "dtype": "float32", "data": [1, 2, 3, 4, 5, 6]}'), 'x.json');
  assert.deepEqual(flat.shape, [2, 3]);
  const tokens = loadArrayBytes(bytes('{"shape": [1, 3], "dtype": "int32", "data": [4, 0, 9]}'), 't.json');
  assert.deepEqual([...tokens.data], [4, 0, 9]);
  expectLoadError(() => loadArrayBytes(bytes('{"shape": [1, 3], "dtype": "int32", "data": [4, 0.5, 9]}'), 't.json'), '`data[1]`', 'expected an integer (dtype is int32)', 'found number 0.5');
  expectLoadError(() => loadArrayBytes(bytes('{"shape": [2, 3], "data": [1, 2, 3, 4, 5]}'), 's.json'), 's.json:1:27: `data`', 'expected 6 numbers for shape [2, 3]', 'found 5');
  expectLoadError(() => loadArrayBytes(bytes('[[1, 2], [3, [4]]]'), 'r.json'), '`[1][1]`', 'expected a number (the first entries give shape [2, 2]; the array is ragged)', 'found an array of 1');
  expectLoadError(() => loadArrayBytes(bytes('{"data": [1], "layout": "column-major"}'), 'c.json'), '`layout`', '"row-major"');
});

test('nested arrays: rows of finite numbers (copied by builtins) and other rows (checked one by one) give the same values and errors', () => {
  const at = { file: 'n.json', path: ['weights', 0] };
  const same = (nested: unknown, flat: number[]) => {
    const data = [...tensorFromNested(nested, at).data];
    assert.equal(data.length, flat.length);
    flat.forEach((x, i) => assert.ok(Object.is(data[i], x), `element ${i}: ${data[i]} is not ${x}`));
  };
  same([[1.5, -0, 1e-300], [NaN, 2, Infinity], [-Infinity, 3, 4]], [1.5, -0, 1e-300, NaN, 2, Infinity, -Infinity, 3, 4]);
  const next = rng(11);
  for (let k = 0; k < 50; k++) {
    const special = [NaN, Infinity, -Infinity, -0, 5e-324, Number.MAX_VALUE];
    const rows = Array.from({ length: 4 }, () => Array.from({ length: 3 }, () => Array.from({ length: 5 }, () => (next() > 0.9 ? special[Math.floor((next() + 1) * 3)]! : next()))));
    same(rows, rows.flat(2));
  }
  expectLoadError(() => tensorFromNested([[1, 2], [3, 'x']], at), '`weights[0][1][1]`', 'expected a number', 'found the string "x"');
  expectLoadError(() => tensorFromNested([[1, 2], [NaN, null]], at), '`weights[0][1][1]`', 'expected a number', 'found null');
  expectLoadError(() => tensorFromNested([[1, 2], [true, 3]], at), '`weights[0][1][0]`', 'expected a number', 'found boolean true');
});

test('expected outputs from a fixture file, a bare array, or a recording', () => {
  const fixture = fixtureFiles('keras-recorded')[0]!;
  const fromFixture = loadExpectedBytes(readFileSync(fixture), fixture);
  assert.deepEqual(fromFixture.input?.shape, [1, 3, 6]);
  assert.ok(fromFixture.output.shape.length >= 2);
  assert.deepEqual(loadExpectedBytes(bytes('[[0.5, 0.25]]'), 'y.json').output.shape, [1, 2]);
  expectLoadError(() => loadExpectedBytes(bytes('{"format": "other/v1"}'), 'o.json'), '`format`', 'found format the string "other/v1"');
});

test('recording: format, layers with full hidden sequences, states, shape checks', () => {
  const rec = {
    format: 'cellscope-recording/v1',
    keras_version: '3.15.1',
    backend: 'jax',
    input: { shape: [2, 3, 1], dtype: 'float32', data: [1, 2, 3, 4, 5, 6] },
    output: { shape: [2, 2], dtype: 'float32', data: [0, 1, 2, 3] },
    predict_calls: 2,
    layers: [{ name: 'gru', class_name: 'GRU', index: 0, output: [[[1, 2], [3, 4], [5, 6]], [[1, 2], [3, 4], [5, 6]]], layer_output: [[5, 6], [5, 6]], states: [[[5, 6], [5, 6]]] }],
  };
  const r = loadRecordingBytes(bytes(JSON.stringify(rec)), 'rec.json');
  assert.equal(r.predictCalls, 2);
  assert.equal(r.layers[0]?.index, 0);
  assert.deepEqual(r.layers[0]?.layerOutput?.shape, [2, 2]);
  assert.deepEqual(r.layers[0]?.states?.[0]?.shape, [2, 2]);
  const badSeq = { ...rec, layers: [{ ...rec.layers[0], output: [[5, 6], [5, 6]] }] };
  expectLoadError(() => loadRecordingBytes(bytes(JSON.stringify(badSeq)), 'rec.json'), '`layers[0].output`', 'expected the full hidden sequence of layer "gru": shape [2, time steps, units]', 'found shape [2, 2]');
  expectLoadError(() => loadRecordingBytes(bytes(JSON.stringify({ ...rec, format: 'x' })), 'rec.json'), '`format`', 'expected "cellscope-recording/v1"');
});
