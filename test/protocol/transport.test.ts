/**
 * src/transport.ts against what VS Code's webview postMessage does to a message: JSON for plain values (NaN and
 * ±Infinity become null), typed arrays carried as they are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromWire, toWire } from '../../src/transport';

/** JSON.stringify/parse with typed arrays set aside, as VS Code serialises webview messages. */
function throughJson(v: unknown): unknown {
  const views: ArrayBufferView[] = [];
  const text = JSON.stringify(v, (_k, x: unknown) => (ArrayBuffer.isView(x) ? { $view: views.push(x) - 1 } : x));
  return JSON.parse(text, (_k, x: { $view?: number }) => (x && typeof x === 'object' && typeof x.$view === 'number' ? views[x.$view] : x));
}

test('without toWire, JSON turns non-finite numbers into null (the failure this module exists for)', () => {
  assert.deepEqual(throughJson({ min: Infinity, mean: NaN }), { min: null, mean: null });
});

test('NaN, +Infinity and -Infinity survive, nested in objects and arrays; typed arrays keep their own values', () => {
  const image = new Float32Array([Infinity, 1, NaN]);
  const m = { type: 'init', stats: [{ min: Infinity, max: -Infinity, mean: NaN, std: 0, note: 'x' }], pair: [1, NaN], image, nothing: null };
  const back = fromWire(throughJson(toWire(m))) as typeof m;
  assert.deepEqual(back, m);
  assert.ok(Number.isNaN(back.stats[0]!.mean) && back.stats[0]!.min === Infinity && back.stats[0]!.max === -Infinity);
  assert.ok(back.image instanceof Float32Array && back.image[0] === Infinity && Number.isNaN(back.image[2]));
});

test('a message with only finite numbers is passed on as the same object (no copy of a large message)', () => {
  const m = { type: 'trace', values: [new Float64Array(4)], ranges: [0, 1], nested: { a: [1, 2, { b: 3 }] } };
  assert.equal(toWire(m), m);
  assert.equal(fromWire(m), m);
});

test('the original message is not modified', () => {
  const m = { a: [NaN, 1], b: { c: Infinity } };
  toWire(m);
  assert.ok(Number.isNaN(m.a[0]) && m.b.c === Infinity);
});

test('an object that only looks like a tag (other keys, unknown value) is left alone', () => {
  const v = { x: { $cellscopeNumber: 'NaN', y: 1 }, z: { $cellscopeNumber: 'big' } };
  assert.deepEqual(fromWire(v), v);
});
