// The backward pass against central finite differences of the engine's own forward pass, for what the JAX fixtures
// cannot hold: custom cells (expression plans with every operation), Keras 2's hard_sigmoid, LSTM projections,
// given and stateful initial states, return_state outputs, Bidirectional merge_mode None's second output, and
// float32 runs; and every activation's derivative. The JAX fixtures' models rewritten as custom cells must still
// give JAX's gradients.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { activation, ACTIVATION_NAMES } from '../../src/engine/activations';
import { customFromKeras, defineCustomCell } from '../../src/engine/custom';
import { runModel, type Layer, type Model, type RecurrentLayer, type Tensor } from '../../src/engine';
import { activationVjp } from '../../src/explain/derivatives';
import { explainPrediction, type ExplainOptions } from '../../src/explain';
import { resolveTarget } from '../../src/explain/target';
import { loadModelText } from '../../src/formats';
import { dense, model, random, recurrent, rng } from '../support/random-models';
import { relError } from '../support/rel-error';

/** ∂y/∂x by central differences of the engine in float64. */
function finiteDifferences(m: Model, x: Tensor, target: number[], output = 0, initialStates?: Record<string, Tensor[]>, h = 1e-5): Float64Array {
  const f = (data: Float64Array) => {
    const r = runModel(m, { shape: x.shape, data }, initialStates ? { initialStates } : {});
    const t = resolveTarget(r.outputs, target, output);
    return r.outputs[output]!.data[t.flat]!;
  };
  const g = new Float64Array(x.data.length);
  for (let k = 0; k < g.length; k++) {
    const p = Float64Array.from(x.data);
    p[k] += h;
    const up = f(p);
    p[k] -= 2 * h;
    g[k] = (up - f(p)) / (2 * h);
  }
  return g;
}

function checkAgainstFd(m: Model, x: Tensor, target: number[], extra: Partial<ExplainOptions> = {}, tol = 1e-7): number {
  const e = explainPrediction(m, x, { method: 'gradient', target, ...extra });
  const fd = finiteDifferences(m, x, target, extra.output ?? 0, extra.initialStates);
  const err = relError(e.attribution.data, fd);
  assert.ok(err <= tol, `relative error ${err} against finite differences`);
  assert.ok(fd.some((v) => v !== 0), 'the finite differences are not all zero');
  return err;
}

const CUSTOM_CELL = (output: string) =>
  JSON.stringify({
    format: 'keras-model-fixture/v1',
    layers: [
      {
        class_name: 'CustomCell',
        config: {
          name: 'cell',
          units: 3,
          input_shape: [null, 2],
          return_sequences: true,
          states: ['h', { name: 'c', initial: [0.5, -0.25, 0.1] }],
          gates: [
            { name: 'f', expr: 'sigmoid(Wf @ x + Uf @ h + bf)' },
            { name: 'g', expr: 'tanh(Wg @ [x, h] / (1 + 0.5 * c * c))' },
            { name: 's', expr: 'softsign(-(f * g) + (h @ v) * c - 0.3)' },
          ],
          updates: { c: 'f * c + (1 - f) * g', h: 's * tanh(c) + elu(Uf.T @ f) * 0.1' },
          output,
        },
        weights: [
          { name: 'Wf', shape: [3, 2], data: [0.4, -0.7, 0.2, 0.9, -0.5, 0.3] },
          { name: 'Uf', shape: [3, 3], data: [0.1, -0.2, 0.3, 0.5, 0.4, -0.6, -0.3, 0.2, 0.7] },
          { name: 'bf', shape: [3], data: [0.1, -0.1, 0.2] },
          { name: 'Wg', shape: [3, 5], data: [0.3, -0.2, 0.5, 0.1, -0.4, 0.6, 0.2, -0.3, 0.4, 0.2, -0.1, 0.7, 0.3, -0.5, 0.1] },
          { name: 'v', shape: [3], data: [0.5, -0.4, 0.3] },
        ],
      },
    ],
  });

test('custom cell (every expression operation, sequential updates, declared initial state): gradient = finite differences, output a state or a gate', () => {
  const next = rng(7);
  const x = random([2, 6, 2], next, 1.2);
  for (const output of ['h', 's']) {
    const m = loadModelText(CUSTOM_CELL(output), 'cell.json').model;
    checkAgainstFd(m, x, [1, 3, 2]);
    checkAgainstFd(m, x, [0, -1, 0]);
    // The gate output at the last step also depends on the states the step started from.
    const withHead = { ...m, layers: [...m.layers, dense('head', 3, 2, next, 'tanh')] };
    checkAgainstFd(withHead, x, [1, 4, 1]);
  }
});

function asCustom(l: RecurrentLayer): RecurrentLayer {
  return {
    ...l,
    cell: 'custom',
    config: { ...l.config, activation: 'linear', recurrentActivation: 'linear', useBias: false, resetAfter: false },
    weights: { kernel: { shape: [l.weights.kernel.shape[0]!, 0], data: new Float64Array(0) }, recurrentKernel: { shape: [l.config.units, 0], data: new Float64Array(0) }, bias: null },
    custom: defineCustomCell(customFromKeras(l)),
  };
}

test('the JAX fixtures with every recurrent layer rewritten as a custom cell give JAX gradients', () => {
  const dir = join(__dirname, '../fixtures/explain');
  let n = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'index.json').sort()) {
    const c = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const m = loadModelText(JSON.stringify(c.model), f).model;
    const layers = m.layers.map((l): Layer => (l.kind === 'recurrent' ? asCustom(l) : l.kind === 'bidirectional' ? { ...l, forward: asCustom(l.forward), backward: asCustom(l.backward) } : l));
    const e = explainPrediction({ ...m, layers }, { shape: c.input.shape, data: Float64Array.from(c.input.data) }, { method: 'gradient', target: c.target });
    const got = e.space === 'embedding' ? e.vectors!.data : e.attribution.data;
    const err = relError(got, c.gradient.data);
    assert.ok(err <= 1e-9, `${f}: relative error ${err}`);
    n++;
  }
  assert.ok(n >= 10, `${n} fixtures`);
});

test("Keras 2 hard_sigmoid (clip(0.2x + 0.5)), GRU reset_after=false and a relu SimpleRNN: gradient = finite differences", () => {
  const next = rng(11);
  const m = model(
    [
      recurrent('lstm', 'lstm', 3, 4, next, { recurrentActivation: 'hard_sigmoid' }),
      recurrent('gru', 'gru', 4, 3, next, { resetAfter: false, recurrentActivation: 'hard_sigmoid' }),
      recurrent('rnn', 'simple_rnn', 3, 3, next, { activation: 'relu', returnSequences: false }),
      dense('head', 3, 2, next),
    ],
    [null, 3],
    'keras2',
  );
  checkAgainstFd(m, random([2, 7, 3], next, 1.5), [1, 0]);
});

test('LSTM with a projection (PyTorch proj_size): gradient = finite differences', () => {
  const next = rng(12);
  const m = model([recurrent('lstm', 'lstm', 3, 5, next, {}, 2), dense('head', 5, 2, next)], [null, 3]);
  checkAgainstFd(m, random([1, 6, 3], next), [0, 4, 1]);
});

test('given initial states, and a stateful layer called twice (explained from the states the first call left)', () => {
  const next = rng(13);
  const lstm = recurrent('lstm', 'lstm', 2, 3, next);
  const head = dense('head', 3, 2, next);
  const m = model([lstm, head], [null, 2]);
  const x = random([2, 5, 2], next);
  const initialStates = { lstm: [random([2, 3], next), random([2, 3], next)] };
  checkAgainstFd(m, x, [1, 2, 0], { initialStates });
  const stateful = model([{ ...lstm, config: { ...lstm.config, stateful: true } }, head], [null, 2]);
  const first = runModel(stateful, x);
  const lt = first.trace!.layers[0]!;
  const last = (q: number) => {
    const d = new Float64Array(2 * 3);
    for (let b = 0; b < 2; b++) d.set(lt.values[q]!.subarray((b * 5 + 4) * 3, (b * 5 + 5) * 3), b * 3);
    return { shape: [2, 3], data: d };
  };
  const carried = { lstm: [last(5), last(4)] };
  const twice = explainPrediction(stateful, x, { method: 'gradient', target: [0, 3, 1], predictCalls: 2 });
  const fd = finiteDifferences(m, x, [0, 3, 1], 0, carried);
  assert.ok(relError(twice.attribution.data, fd) <= 1e-7);
});

test('return_state outputs and Bidirectional merge_mode None: gradient of the states / the second output', () => {
  const next = rng(14);
  const withState = model([recurrent('lstm', 'lstm', 2, 3, next, { returnState: true, goBackwards: true })], [null, 2]);
  const x = random([2, 5, 2], next);
  checkAgainstFd(withState, x, [1, 2], { output: 2 }); // c
  checkAgainstFd(withState, x, [0, 1], { output: 1 }); // h
  const bi: Layer = { kind: 'bidirectional', name: 'bi', mergeMode: null, forward: recurrent('f', 'gru', 2, 3, next), backward: recurrent('b', 'gru', 2, 3, next, { goBackwards: true }) };
  checkAgainstFd(model([bi], [null, 2]), x, [1, 1, 2], { output: 1 });
  checkAgainstFd(model([bi], [null, 2]), x, [0, 3, 0], { output: 0 });
});

test('float32 runs: the gradient is the float64 one to float32 precision', () => {
  const next = rng(15);
  const m = model([recurrent('gru', 'gru', 3, 4, next), recurrent('lstm', 'lstm', 4, 4, next, { returnSequences: false }), dense('head', 4, 2, next)], [null, 3]);
  const x = random([2, 8, 3], next);
  const g64 = explainPrediction(m, x, { method: 'gradient', target: [1, 1] });
  const g32 = explainPrediction(m, x, { method: 'gradient', target: [1, 1], precision: 'float32' });
  const err = relError(g32.attribution.data, g64.attribution.data);
  assert.ok(err <= 1e-5 && err > 0, `float32 vs float64: ${err}`);
});

test('every activation: the derivative equals central differences (away from kinks), softmax and log_softmax as Jacobians', () => {
  const grid = Array.from({ length: 41 }, (_, i) => -5 + i * 0.25 + 0.013);
  for (const flavor of ['keras2', 'keras3'] as const) {
    for (const name of ACTIVATION_NAMES) {
      const f = activation(name, flavor);
      const vjp = activationVjp(name, flavor);
      const n = name === 'softmax' || name === 'log_softmax' ? 5 : 1;
      for (let i = 0; i + n <= grid.length; i += n) {
        const pre = Float64Array.from(grid.slice(i, i + n));
        for (let j = 0; j < n; j++) {
          // Row j of the Jacobian by differences, against the VJP with the unit vector e_j.
          const e = new Float64Array(n);
          e[j] = 1;
          const got = new Float64Array(n);
          vjp(pre, 0, e, 0, got, 0, n);
          for (let k = 0; k < n; k++) {
            const h = 1e-6;
            const up = Float64Array.from(pre);
            up[k] += h;
            const dn = Float64Array.from(pre);
            dn[k] -= h;
            f(up, 0, n);
            f(dn, 0, n);
            const fd = (up[j]! - dn[j]!) / (2 * h);
            assert.ok(Math.abs(got[k]! - fd) <= 1e-6 * Math.max(1, Math.abs(fd)), `${name} (${flavor}) at ${pre[k]}: ${got[k]} vs ${fd}`);
          }
        }
      }
    }
  }
});

test('the WebAssembly backward products (one item, and many items stepped together) equal the TypeScript reference', async () => {
  const { setBackwardFastPath } = await import('../../src/explain/products');
  const next = rng(16);
  const m = model([recurrent('lstm', 'lstm', 3, 5, next), recurrent('gru', 'gru', 5, 4, next, { resetAfter: false }), recurrent('gru2', 'gru', 4, 3, next), recurrent('rnn', 'simple_rnn', 3, 3, next, { returnSequences: false }), dense('head', 3, 2, next)], [null, 3]);
  const x = random([2, 9, 3], next);
  const fast = explainPrediction(m, x, { method: 'gradient', target: [1, 1] });
  // Integrated gradients steps many items together (one product per step for all of them).
  const fastIg = explainPrediction(m, x, { method: 'integrated-gradients', target: [1, 1], steps: 8 });
  setBackwardFastPath(false);
  try {
    const ref = explainPrediction(m, x, { method: 'gradient', target: [1, 1] });
    assert.ok(relError(fast.attribution.data, ref.attribution.data) <= 1e-13);
    const refIg = explainPrediction(m, x, { method: 'integrated-gradients', target: [1, 1], steps: 8 });
    assert.ok(relError(fastIg.attribution.data, refIg.attribution.data) <= 1e-13);
  } finally {
    setBackwardFastPath(true);
  }
});
