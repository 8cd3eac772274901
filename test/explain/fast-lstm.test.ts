// The float32 LSTM backward in WebAssembly (src/explain/fast-lstm.ts) against the TypeScript walk it replaces
// (setBackwardFastPath(false): the reference, which the JAX and finite-difference suites hold to the truth), and
// against the float64 gradient. Stated tolerance: the fast path computes in float32 (the reference walk in float64
// over the same float32 trace), so the two agree to float32 precision: ≤ 1e-5 relative (max-norm); measured
// 4e-7 on the 1000-step W1 benchmark model. A difference of exactly 0 would mean the fast path did not run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Layer, Model, Tensor } from '../../src/engine';
import { explainPrediction, type ExplainOptions } from '../../src/explain';
import { setFastLstmBlock } from '../../src/explain/fast-lstm';
import { setBackwardFastPath } from '../../src/explain/products';
import { dense, model, random, recurrent, rng } from '../support/random-models';
import { relError } from '../support/rel-error';

/** The attribution with the fast path, with the reference walk (both float32), and in float64. */
function three(m: Model, x: Tensor, options: ExplainOptions): { fast: Float64Array; reference: Float64Array; f64: Float64Array } {
  const fast = explainPrediction(m, x, { ...options, precision: 'float32' }).attribution.data;
  setBackwardFastPath(false);
  try {
    const reference = explainPrediction(m, x, { ...options, precision: 'float32' }).attribution.data;
    const f64 = explainPrediction(m, x, { ...options, precision: 'float64' }).attribution.data;
    return { fast, reference, f64 };
  } finally {
    setBackwardFastPath(true);
  }
}

function assertFastRan(m: Model, x: Tensor, options: ExplainOptions, label: string): void {
  const { fast, reference, f64 } = three(m, x, options);
  const err = relError(fast, reference);
  assert.ok(err > 0, `${label}: the fast path gave the reference's bits (did it run?)`);
  assert.ok(err <= 1e-5, `${label}: fast vs reference (float32) ${err}`);
  assert.ok(relError(fast, f64) <= 1e-4, `${label}: fast float32 vs float64 ${relError(fast, f64)}`);
  assert.ok(fast.some((v) => v !== 0), `${label}: a gradient that is not all zeros`);
}

test('one LSTM, every step returned: a target inside the sequence, other items untouched', () => {
  const next = rng(41);
  const m = model([recurrent('lstm', 'lstm', 3, 8, next)], [null, 3]);
  const x = random([3, 12, 3], next);
  assertFastRan(m, x, { method: 'gradient', target: [1, 5, 3] }, 'sequence');
  const g = explainPrediction(m, x, { method: 'gradient', target: [1, 5, 3], precision: 'float32' }).attribution.data;
  // Item 1 only, and nothing after step 5 reaches step 5's output.
  for (let b = 0; b < 3; b++) for (let t = 0; t < 12; t++) for (let f = 0; f < 3; f++) if (b !== 1 || t > 5) assert.equal(g[(b * 12 + t) * 3 + f], 0);
});

test('go_backwards, 12 units (padded rows in the kernel), a Dense head, given initial states', () => {
  const next = rng(42);
  const m = model([recurrent('lstm', 'lstm', 4, 12, next, { goBackwards: true, returnSequences: false }), dense('head', 12, 3, next, 'tanh')], [null, 4]);
  const x = random([2, 9, 4], next);
  const initialStates = { lstm: [random([2, 12], next), random([2, 12], next)] };
  assertFastRan(m, x, { method: 'gradient', target: [0, 2], initialStates }, 'go_backwards + head + initial states');
});

test('stacked LSTMs and a Bidirectional LSTM (concat)', () => {
  const next = rng(43);
  const stacked = model([recurrent('a', 'lstm', 2, 4, next), recurrent('b', 'lstm', 4, 16, next, { returnSequences: false })], [null, 2]);
  assertFastRan(stacked, random([2, 7, 2], next), { method: 'grad-input', target: [1, 9] }, 'stacked');
  const bi: Layer = { kind: 'bidirectional', name: 'bi', mergeMode: 'concat', forward: recurrent('f', 'lstm', 3, 8, next), backward: recurrent('b', 'lstm', 3, 8, next, { goBackwards: true }) };
  assertFastRan(model([bi], [null, 3]), random([1, 10, 3], next), { method: 'gradient', target: [0, 4, 11] }, 'bidirectional');
});

test('sequences longer than a block, and integrated gradients (many points stepped together)', () => {
  const next = rng(44);
  const m = model([recurrent('lstm', 'lstm', 5, 8, next, { returnSequences: false }), dense('head', 8, 2, next)], [null, 5]);
  const x = random([2, 40, 5], next);
  // Blocks of a few steps: the states' gradients carry across block edges, c₋ of a block's first step included.
  const was = setFastLstmBlock(500);
  try {
    assertFastRan(m, x, { method: 'gradient', target: [1, 0] }, 'blocks of 5 steps');
    assertFastRan(m, x, { method: 'integrated-gradients', target: [0, 1], steps: 8 }, 'integrated gradients in blocks');
  } finally {
    setFastLstmBlock(was);
  }
  assertFastRan(m, x, { method: 'integrated-gradients', target: [0, 1], steps: 8 }, 'integrated gradients');
});

test('what the kernel does not do takes the reference walk: 5 units, hard_sigmoid gates, padding', () => {
  const next = rng(45);
  // Through the kernel these would be wrong (another derivative, overlapping vectors, steps that did not run).
  const same = (m: Model, x: Tensor, label: string) => {
    const { fast, reference, f64 } = three(m, x, { method: 'gradient', target: [0, 1] });
    assert.ok(relError(fast, reference) <= 1e-6, `${label}: ${relError(fast, reference)} from the reference walk`);
    assert.ok(relError(fast, f64) <= 1e-4, `${label}: ${relError(fast, f64)} from float64`);
  };
  same(model([recurrent('lstm', 'lstm', 3, 5, next, { returnSequences: false }), dense('head', 5, 2, next)], [null, 3]), random([1, 6, 3], next), '5 units');
  same(model([recurrent('lstm', 'lstm', 3, 8, next, { returnSequences: false, recurrentActivation: 'hard_sigmoid' }), dense('head', 8, 2, next)], [null, 3]), random([1, 6, 3], next), 'hard_sigmoid');
  const masked: Model = model([{ kind: 'masking', name: 'mask', maskValue: 0 } as Layer, recurrent('lstm', 'lstm', 3, 8, next, { returnSequences: false }), dense('head', 8, 2, next)], [null, 3]);
  const x = random([1, 6, 3], next);
  x.data.fill(0, 9, 12); // step 3 is padding
  same(masked, x, 'padding');
});

test('integrated gradients record only what the backward reads: the pre-activations too for hard_sigmoid, and a row left out is an error', async () => {
  const next = rng(46);
  // hard_sigmoid's derivative is read off the pre-activations: its points' runs must keep them (the reference walk).
  const m = model([recurrent('lstm', 'lstm', 3, 8, next, { returnSequences: false, recurrentActivation: 'hard_sigmoid' }), dense('head', 8, 2, next)], [null, 3]);
  const x = random([1, 6, 3], next);
  const { fast, reference, f64 } = three(m, x, { method: 'integrated-gradients', target: [0, 1], steps: 8 });
  assert.ok(relError(fast, reference) <= 1e-6 && relError(fast, f64) <= 1e-4, `hard_sigmoid IG: ${relError(fast, reference)}, ${relError(fast, f64)}`);
  const { forwardRun, backward } = await import('../../src/explain/backward');
  const lstm = model([recurrent('lstm', 'lstm', 3, 8, next, { returnSequences: false })], [null, 3]);
  const fr = forwardRun(lstm, x, { precision: 'float32' }, ['i', 'f', 'o', 'c']);
  const seed = new Float64Array(8).fill(1);
  assert.throws(() => backward(fr, [seed]), /left "c_tilde" out of the trace/);
});

test('weights edited in place between two explanations: the second uses the new weights (the kept transposes are checked)', () => {
  const next = rng(47);
  const lstm = recurrent('lstm', 'lstm', 3, 8, next, { returnSequences: false });
  const m = model([lstm, dense('head', 8, 2, next)], [null, 3]);
  const x = random([1, 7, 3], next);
  assertFastRan(m, x, { method: 'gradient', target: [0, 1] }, 'before the edit');
  const U = lstm.weights.recurrentKernel.data as Float64Array;
  const K = lstm.weights.kernel.data as Float64Array;
  const before = explainPrediction(m, x, { method: 'gradient', target: [0, 1], precision: 'float32' }).attribution.data;
  U[5] = U[5]! + 0.5;
  K[3] = K[3]! - 0.25;
  const after = explainPrediction(m, x, { method: 'gradient', target: [0, 1], precision: 'float32' }).attribution.data;
  assert.ok(relError(after, before) > 1e-3, 'the edit changes the gradient');
  assertFastRan(m, x, { method: 'gradient', target: [0, 1] }, 'after the edit');
});
