// The custom-cell definition language: grammar, load-time type/shape errors at the expression column (with a caret
// line and the JSON path), sequential updates, initial states, return_state, float32 rounding, summary and weight stats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runModel, type Model } from '../../src/engine';
import { parseExpr } from '../../src/engine/custom';
import { summarizeModel, summaryText } from '../../src/engine/summary';
import { weightStats } from '../../src/engine/weight-stats';
import { LoadError, loadModelText } from '../../src/formats';

const w = (name: string, shape: number[], data: number[]) => ({ name, shape, data });

/** A 2-unit, 1-feature tanh RNN written as a custom cell; `patch` edits its config. */
function doc(patch: (c: Record<string, any>) => void = () => {}, weights = [w('W', [2, 1], [0.5, -1]), w('U', [2, 2], [0.1, 0.2, 0.3, 0.4]), w('b', [2], [0, 0.25])]) {
  const config: Record<string, any> = { name: 'rnn', units: 2, input_shape: [null, 1], return_sequences: true, states: ['h'], gates: [{ name: 'z', expr: 'W @ x + U @ h + b' }], updates: { h: 'tanh(z)' } };
  patch(config);
  return JSON.stringify({ format: 'keras-model-fixture/v1', layers: [{ class_name: 'CustomCell', config, weights }] });
}
const load = (text: string): Model => loadModelText(text, 'cell.json').model;

function loadError(text: string): LoadError {
  try {
    load(text);
  } catch (e) {
    assert.ok(e instanceof LoadError, String(e));
    return e;
  }
  assert.fail('expected a LoadError');
}

test('grammar: precedence like Python (@ with * and /, unary minus tighter), [a, b] is concat, .T transposes', () => {
  const t = parseExpr('a + b * c @ d');
  assert.equal(t.op === 'bin' && t.o, '+');
  const m = parseExpr('-W @ x');
  assert.ok(m.op === 'bin' && m.o === '@' && m.a.op === 'neg');
  assert.equal(parseExpr('[h, x]').op, 'concat');
  assert.equal(parseExpr('concat(h, x)').op, 'concat');
  assert.equal(parseExpr('K.T @ x').op, 'bin');
  assert.deepEqual(parseExpr('1e-3'), { op: 'num', value: 0.001, col: 1 });
  for (const [bad, col] of [['W @ @ x', 5], ['(W @ x', 7], ['W x', 3], ['x ** 2', 4], ['2x', 2], ['x.y', 3], ['', 1], ['relu()', 6]] as const) {
    assert.throws(() => parseExpr(bad), (e: any) => e.name === 'ExprError' && e.column === col, `${JSON.stringify(bad)} → column ${col}`);
  }
});

test('a custom cell runs: h = tanh(W @ x + U @ h + b) equals a hand computation; v @ M and M.T @ v are the same product', () => {
  const xs = [1, -0.5, 2];
  const out = runModel(load(doc()), { shape: [1, 3, 1], data: Float64Array.from(xs) }).output.data;
  let h = [0, 0];
  const exp: number[] = [];
  for (const x of xs) {
    const z = [0.5 * x + (0.1 * h[0]! + 0.2 * h[1]!) + 0, -1 * x + (0.3 * h[0]! + 0.4 * h[1]!) + 0.25];
    h = z.map(Math.tanh);
    exp.push(...h);
  }
  exp.forEach((v, k) => assert.ok(Math.abs(out[k]! - v) < 1e-15, `${k}`));
  // Keras's [in, out] layout: x @ K with K = W.T, h @ V with V = U.T.
  const keras = load(doc((c) => (c.gates[0].expr = 'x @ K + h @ V + b'), [w('K', [1, 2], [0.5, -1]), w('V', [2, 2], [0.1, 0.3, 0.2, 0.4]), w('b', [2], [0, 0.25])]));
  const transposed = load(doc((c) => (c.gates[0].expr = 'K.T @ x + V.T @ h + b'), [w('K', [1, 2], [0.5, -1]), w('V', [2, 2], [0.1, 0.3, 0.2, 0.4]), w('b', [2], [0, 0.25])]));
  const x = { shape: [1, 3, 1], data: Float64Array.from(xs) };
  assert.deepEqual(Array.from(runModel(keras, x).output.data), Array.from(out));
  assert.deepEqual(Array.from(runModel(transposed, x).output.data), Array.from(out));
});

test('errors point at the expression: JSON path, column, caret line', () => {
  const e = loadError(doc((c) => (c.gates[0].expr = 'W @ h + U @ h + b')));
  assert.deepEqual(e.path, ['layers', 0, 'config', 'gates', 0, 'expr']);
  assert.match(e.message, /W @ v needs v of length 1 \(W is \[2, 1\] = \[out, in\]\); v is a vector of 2/);
  assert.ok(e.message.includes('column 5:\n    W @ h + U @ h + b\n        ^'), e.message);

  const cases: [(c: Record<string, any>) => void, RegExp, (string | number)[]][] = [
    [(c) => (c.gates[0].expr = 'W @ x + U @ h + bias'), /unknown name "bias"; known here: "x", "h", "W", "U", "b"[^]*column 17/, ['gates', 0, 'expr']],
    [(c) => (c.gates[0].expr = 'W @ x + U @ [h, x] + b'), /W @ v needs v of length 2[^]*vector of 3/, ['gates', 0, 'expr']],
    [(c) => (c.gates[0].expr = 'W @ x + [x, x, x]'), /cannot add a vector of 2 and a vector of 3 element-wise: the lengths differ/, ['gates', 0, 'expr']],
    [(c) => (c.gates[0].expr = 'W * x + U @ h + b'), /a matrix is only used in a product/, ['gates', 0, 'expr']],
    [(c) => (c.gates[0].expr = 'softmaxx(W @ x + U @ h + b)'), /unknown function "softmaxx"/, ['gates', 0, 'expr']],
    [(c) => (c.gates[0].expr = 'U @ h + z'), /unknown name "z"/, ['gates', 0, 'expr']],
    [(c) => (c.gates[0].expr = 'x'), /gate "z" must be a vector of 2 values \(units\)[^]*gives 1/, ['gates', 0, 'expr']],
    [(c) => (c.updates = { h: 'tanh(z)', q: 'z' }), /"q" is not a state/, ['updates', 'q']],
    [(c) => (c.output = 'y'), /output "y" is neither a gate nor a state/, ['output']],
    [(c) => (c.gates[0].name = 'W'), /gate name "W" is already the name of weight "W"/, ['gates', 0, 'name']],
    [(c) => (c.states = ['x']), /state name "x" is reserved/, ['states', 0]],
    [(c) => (c.activations = { act: 'tanhh' }), /"tanhh" is not an activation/, ['activations', 'act']],
  ];
  for (const [patch, re, path] of cases) {
    const err = loadError(doc(patch));
    assert.match(err.message, re);
    assert.deepEqual(err.path, ['layers', 0, 'config', ...path], err.message);
  }
  const unused = loadError(doc(() => {}, [w('W', [2, 1], [0.5, -1]), w('U', [2, 2], [0.1, 0.2, 0.3, 0.4]), w('b', [2], [0, 0.25]), w('extra', [2], [1, 1])]));
  assert.match(unused.message, /weight "extra" is used by no expression/);
  assert.deepEqual(unused.path, ['layers', 0, 'weights', 3]);
  const dup = loadError(doc(() => {}, [w('W', [2, 1], [0.5, -1]), w('U', [2, 2], [0.1, 0.2, 0.3, 0.4]), w('b', [2], [0, 0.25]), w('b', [2], [1, 1])]));
  assert.deepEqual(dup.path, ['layers', 0, 'weights', 3, 'name']);
  const noShape = loadError(doc((c) => delete c.input_shape));
  assert.match(noShape.message, /number of input features/);
});

test('updates run in order (a later update sees the new value), initial states, return_state, stateful', () => {
  const xs = { shape: [1, 3, 1], data: Float64Array.from([1, 2, 3]) };
  const m = load(
    doc(
      (c) => {
        c.states = ['h', { name: 's', initial: 10 }];
        c.gates = [];
        c.updates = { s: 's + a * x', h: 's * a' };
        c.return_state = true;
      },
      [w('a', [2], [1, 2])],
    ),
  );
  const r = runModel(m, xs);
  // s = 10 + a·x summed: [11, 12], [13, 16], [16, 22]; h = s·a with the new s (x of length 1 broadcasts).
  assert.deepEqual(Array.from(r.output.data), [11, 24, 13, 32, 16, 44]);
  assert.deepEqual(r.outputs.map((t) => Array.from(t.data)), [Array.from(r.output.data), [16, 44], [16, 22]]);
  const seeded = runModel(m, xs, { initialStates: { rnn: [{ shape: [1, 2], data: Float64Array.from([0, 0]) }, { shape: [1, 2], data: Float64Array.from([0, 0]) }] } });
  assert.deepEqual(Array.from(seeded.output.data), [1, 4, 3, 12, 6, 24]);
});

test('float32 runs round every operation: results are float32 numbers close to float64', () => {
  const m = load(doc());
  const x = { shape: [1, 4, 1], data: Float64Array.from([0.1, 0.2, 0.3, 0.7]) };
  const r32 = runModel(m, x, { precision: 'float32' }).output.data;
  const r64 = runModel(m, x).output.data;
  assert.ok(r32 instanceof Float32Array);
  for (let k = 0; k < r64.length; k++) assert.ok(Math.abs(r32[k]! - r64[k]!) < 1e-6);
});

test('summary and weight stats know custom cells', () => {
  const m = load(doc());
  const s = summarizeModel(m);
  assert.equal(s.layers[0]!.className, 'CustomCell');
  assert.equal(s.layers[0]!.params, 2 + 4 + 2);
  assert.match(s.layers[0]!.details, /states h; gates z; output h/);
  assert.match(summaryText(s), /rnn\s+CustomCell\s+\[None, None, 2\]\s+8/);
  const stats = weightStats(m);
  assert.deepEqual(stats.map((b) => [b.weight, b.shape, b.count]), [['W', [2, 1], 2], ['U', [2, 2], 4], ['b', [2], 2]]);
  assert.equal(stats[0]!.min, -1);
});
