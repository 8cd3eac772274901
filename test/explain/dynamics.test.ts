// Dynamics: gradient flow ‖∂y/∂h_t‖, the step Jacobian's largest singular value and PCA trajectories, each checked
// against an independent computation: a linear SimpleRNN's step Jacobian is Uᵀ (σ_max from ml-matrix's SVD) and its
// gradient flows back as g_{t−1} = U·g_t from the head's weights; PCA's variance shares from the SVD of the
// centred states.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import type { Layer } from '../../src/engine';
import { runModel } from '../../src/engine';
import { dynamicsOf, largestSingularValue, stateTrajectory } from '../../src/explain/dynamics';
import { resolveTarget } from '../../src/explain/target';
import { dense, model, random, recurrent, rng } from '../support/random-models';

test('linear SimpleRNN: σ_max(∂h_t/∂h_{t−1}) = σ_max(U) at every step; ‖∂y/∂h_t‖ follows g_{t−1} = U·g_t', () => {
  const next = rng(31);
  const u = 5;
  const rnn = recurrent('rnn', 'simple_rnn', 3, u, next, { activation: 'linear', returnSequences: false });
  const head = dense('head', u, 2, next) as Layer & { kind: 'dense' };
  const m = model([rnn, head], [null, 3]);
  const x = random([2, 7, 3], next);
  const out = runModel(m, x).outputs;
  const target = resolveTarget(out, [1, 1]);
  const [d] = dynamicsOf(m, x, { target });
  const U = new Matrix(u, u);
  for (let i = 0; i < u; i++) for (let j = 0; j < u; j++) U.set(i, j, rnn.weights.recurrentKernel.data[i * u + j]!);
  const sigma = new SingularValueDecomposition(U, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal[0]!;
  for (const s of d!.jacobian) assert.ok(Math.abs(s - sigma) <= 1e-9 * sigma, `${s} vs ${sigma}`);
  // g_T = the head's column for unit 1; g_{t−1} = U·g_t.
  let g = Array.from({ length: u }, (_, k) => head.kernel.data[k * 2 + 1]!);
  for (let t = 6; t >= 0; t--) {
    const norm = Math.hypot(...g);
    assert.ok(Math.abs(d!.gradient[0]!.norm[t]! - norm) <= 1e-12 * norm, `t=${t}`);
    g = Array.from({ length: u }, (_, i) => g.reduce((s, v, j) => s + rnn.weights.recurrentKernel.data[i * u + j]! * v, 0));
  }
});

test('LSTM and GRU: the Jacobian norm is finite and positive, gradient flow has one series per state, go_backwards in input time', () => {
  const next = rng(32);
  const m = model([recurrent('lstm', 'lstm', 3, 4, next, { goBackwards: true }), recurrent('gru', 'gru', 4, 3, next, { returnSequences: false }), dense('head', 3, 2, next)], [null, 3]);
  const x = random([1, 6, 3], next);
  const target = resolveTarget(runModel(m, x).outputs, [0, 0]);
  const [lstm, gru] = dynamicsOf(m, x, { target });
  assert.deepEqual(lstm!.gradient.map((g) => g.name), ['h', 'c']);
  assert.deepEqual(gru!.gradient.map((g) => g.name), ['h']);
  for (const d of [lstm!, gru!]) for (const s of d.jacobian) assert.ok(Number.isFinite(s) && s > 0);
  // The LSTM reads the sequence backwards: its last processed step is input time 0, where the GRU's gradient enters.
  assert.equal(lstm!.trajectory.points.length, 6 * 2);
});

test('power iteration agrees with ml-matrix SVD on random matrices', () => {
  const next = rng(33);
  for (const n of [1, 3, 8, 20]) {
    const A = Float64Array.from({ length: n * n }, () => next());
    const M = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M.set(i, j, A[i * n + j]!);
    const ref = new SingularValueDecomposition(M).diagonal[0]!;
    assert.ok(Math.abs(largestSingularValue(A, n, 2000) - ref) <= 1e-8 * ref, `n=${n}`);
  }
});

test('PCA trajectory: variance shares from the SVD of the centred states; points are the centred states on the basis', () => {
  const next = rng(34);
  const m = model([recurrent('lstm', 'lstm', 2, 6, next)], [null, 2]);
  const x = random([3, 9, 2], next, 1.5);
  const lt = runModel(m, x).trace!.layers[0]!;
  const tr = stateTrajectory(lt, 'h', 3);
  const h = lt.values[lt.quantities.findIndex((q) => q.key === 'h')]!;
  const rows = 27;
  const X = new Matrix(rows, 6);
  for (let r = 0; r < rows; r++) for (let j = 0; j < 6; j++) X.set(r, j, h[r * 6 + j]! - tr.mean[j]!);
  const sv = new SingularValueDecomposition(X).diagonal;
  const total = sv.reduce((s, v) => s + v * v, 0);
  tr.explained.forEach((e, k) => assert.ok(Math.abs(e - (sv[k]! * sv[k]!) / total) <= 1e-9, `component ${k}`));
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
    const dot = tr.basis[a]!.reduce((s, v, j) => s + v * tr.basis[b]![j]!, 0);
    assert.ok(Math.abs(dot - (a === b ? 1 : 0)) <= 1e-9);
  }
  const p = tr.points[(1 * 9 + 4) * 3 + 1]!;
  const expect = tr.basis[1]!.reduce((s, v, j) => s + v * X.get(9 + 4, j), 0);
  assert.ok(Math.abs(p - expect) <= 1e-12);
});
