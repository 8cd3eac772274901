// Real Keras fixtures, each corrupted one way in the MODEL (a wrong re-implementation) while the expected output
// stays Keras's recording: diagnose must name the corruption and bring the error back within 1e-5.
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { after, test } from 'node:test';
import { compareTensors } from '../../src/compare/compare';
import { runModel } from '../../src/engine';
import { diagnose, type Diagnosis, type DiagnoseOptions } from '../../src/diagnose';
import type { Tensor } from '../../src/engine/tensor';
import { fixtureFiles } from '../fixtures-path';
import {
  blocksTransposed,
  config,
  fixture,
  mapRecurrent,
  pseudoRandom,
  record,
  reversedInTime,
  storeInOrder,
  table,
  transposed,
  weights,
  type Case,
} from './helpers';
import { english } from '../../src/phrase';

const LSTM = ['i', 'f', 'c', 'o'];
const GRU = ['z', 'r', 'h'];

function expectCause(t: import('node:test').TestContext, what: string, c: Case, id: string, options: DiagnoseOptions = {}, expected: Tensor = c.expected): Diagnosis {
  const d = diagnose(c.model, c.input, expected, { predictCalls: c.predictCalls, tolerance: { atol: 1e-5, rtol: 0 }, ...options });
  const top = d.ranked.slice(0, 3).map((r) => `${r.id} ${r.after.toExponential(2)}`).join(', ');
  record(t, what, `${d.before.toExponential(2)} → ${d.best ? d.best.after.toExponential(2) : 'none'} (${d.best?.id ?? d.verdict}) | ${d.summary}`);
  assert.equal(d.baseline.pass, false, `${what}: the corruption should break the match`);
  assert.equal(d.best?.id, id, `${what}: expected ${id}; ranked ${top}`);
  assert.ok(d.best!.after <= 1e-5, `${what}: error after ${d.best!.after}`);
  assert.ok(d.before > 1e-4, `${what}: before ${d.before} should be a real mismatch`);
  assert.equal(d.verdict, 'explained');
  assert.ok(d.summary.includes(english(d.best!.title)) && d.summary.includes('→'), d.summary);
  return d;
}

test('LSTM gate order: weights stored i,o,f,c (ONNX) and i,f,o,c', async (t) => {
  for (const order of [['i', 'o', 'f', 'c'], ['i', 'f', 'o', 'c'], ['f', 'i', 'c', 'o']]) {
    const c = await fixture('keras-recorded', 'kerasjs-LSTM-2');
    const model = mapRecurrent(c.model, (l) =>
      weights(l, { kernel: storeInOrder(l.weights.kernel, LSTM, order), recurrentKernel: storeInOrder(l.weights.recurrentKernel, LSTM, order), bias: storeInOrder(l.weights.bias!, LSTM, order) }),
    );
    expectCause(t, `LSTM-2 gates ${order.join(',')}`, { ...c, model }, `lstm-gate-order:${order.join(',')}`);
  }
});

test('GRU gate order: PyTorch r,z,n on a Keras 2 GRU and on a Keras 3 reset_after GRU (bias [2, 3u])', async (t) => {
  for (const [family, name] of [['keras-recorded', 'kerasjs-GRU-0'], ['keras3-generated', 'keras3-seed-36']] as const) {
    const c = await fixture(family, name);
    const order = ['r', 'z', 'h'];
    const model = mapRecurrent(c.model, (l) =>
      weights(l, { kernel: storeInOrder(l.weights.kernel, GRU, order), recurrentKernel: storeInOrder(l.weights.recurrentKernel, GRU, order), bias: storeInOrder(l.weights.bias!, GRU, order) }),
    );
    expectCause(t, `${name} gates r,z,h`, { ...c, model }, 'gru-gate-order:r,z,h');
  }
});

test('transposed square kernels: SimpleRNN recurrent kernel, LSTM recurrent gate blocks; non-square noted', async (t) => {
  const s = await fixture('keras-recorded', 'kerasjs-SimpleRNN-2');
  expectCause(t, 'SimpleRNN-2 recurrent kernel transposed', { ...s, model: mapRecurrent(s.model, (l) => weights(l, { recurrentKernel: transposed(l.weights.recurrentKernel) })) }, 'recurrent-kernel-transposed');
  const l = await fixture('keras-recorded', 'kerasjs-LSTM-0');
  const d = expectCause(t, 'LSTM-0 recurrent gate blocks transposed', { ...l, model: mapRecurrent(l.model, (x) => weights(x, { recurrentKernel: blocksTransposed(x.weights.recurrentKernel) })) }, 'recurrent-kernel-gates-transposed');
  const notes = d.notes.map((n) => english(n));
  assert.ok(notes.some((n) => n.includes('kernel [6, 16] is not square')), notes.join('\n'));
  // What the shapes rule out is said once, in one note naming each hypothesis (not one "not tried" line each).
  const ruled = notes.filter((n) => /not tried|not square|differ in shape/.test(n));
  assert.equal(ruled.length, 1, notes.join('\n'));
  assert.match(ruled[0]!, /^not tried, the shapes rule them out: input kernel stored transposed \(lstm: kernel \[6, 16\] is not square[^)]*\); .*input kernel and recurrent kernel swapped \(/);
});

test('kernel and recurrent kernel swapped (features = units = 5)', async (t) => {
  for (const name of ['kerasjs-LSTM-1', 'kerasjs-GRU-1', 'kerasjs-SimpleRNN-1']) {
    const c = await fixture('keras-recorded', name);
    const model = mapRecurrent(c.model, (l) => weights(l, { kernel: l.weights.recurrentKernel, recurrentKernel: l.weights.kernel }));
    expectCause(t, `${name} kernels swapped`, { ...c, model }, 'kernels-swapped');
  }
});

test('GRU reset_after: a Keras 3 reset_after=True GRU run as False, and a Keras 2 False GRU run as True', async (t) => {
  for (const name of ['keras3-seed-36', 'keras3-seed-9']) {
    const k3 = await fixture('keras3-generated', name);
    expectCause(t, `${name} reset_after True→False`, { ...k3, model: mapRecurrent(k3.model, (l) => (l.cell === 'gru' ? config(l, { resetAfter: false }) : l)) }, 'gru-reset-after');
  }
  const k2 = await fixture('keras-recorded', 'kerasjs-GRU-2');
  const model = mapRecurrent(k2.model, (l) => {
    const b = l.weights.bias!;
    const bias = { shape: [2, b.shape[0]!], data: Float64Array.from([...b.data, ...new Array<number>(b.shape[0]!).fill(0)]) };
    return weights(config(l, { resetAfter: true }), { bias });
  });
  expectCause(t, 'GRU-2 reset_after False→True', { ...k2, model }, 'gru-reset-after');
});

test('hard_sigmoid formula: a Keras 2 recording run with the Keras 3 formula', async (t) => {
  for (const name of ['kerasjs-LSTM-0', 'kerasjs-GRU-3']) {
    const c = await fixture('keras-recorded', name);
    expectCause(t, `${name} hard_sigmoid keras3`, { ...c, model: { ...c.model, semantics: { ...c.model.semantics, hardSigmoid: 'keras3' } } }, 'hard-sigmoid:keras2');
  }
});

test('sigmoid in place of hard_sigmoid as the recurrent activation', async (t) => {
  for (const name of ['kerasjs-LSTM-2', 'kerasjs-GRU-2']) {
    const c = await fixture('keras-recorded', name);
    expectCause(t, `${name} recurrent sigmoid`, { ...c, model: mapRecurrent(c.model, (l) => config(l, { recurrentActivation: 'sigmoid' })) }, 'recurrent-activation:hard_sigmoid');
  }
});

test('activation swapped: tanh→relu (LSTM), sigmoid→tanh (SimpleRNN), tanh→linear (GRU)', async (t) => {
  for (const [name, wrong, right] of [['kerasjs-LSTM-2', 'relu', 'tanh'], ['kerasjs-SimpleRNN-1', 'tanh', 'sigmoid'], ['kerasjs-GRU-2', 'linear', 'tanh']] as const) {
    const c = await fixture('keras-recorded', name);
    expectCause(t, `${name} activation ${right}→${wrong}`, { ...c, model: mapRecurrent(c.model, (l) => config(l, { activation: wrong })) }, `activation:${right}`);
  }
});

test('go_backwards flipped', async (t) => {
  for (const name of ['kerasjs-LSTM-3', 'kerasjs-SimpleRNN-3', 'kerasjs-GRU-0']) {
    const c = await fixture('keras-recorded', name);
    expectCause(t, `${name} go_backwards flipped`, { ...c, model: mapRecurrent(c.model, (l) => config(l, { goBackwards: !l.config.goBackwards })) }, 'go-backwards');
  }
});

test('output reversed in time: a go_backwards sequence flipped back to input order by the reference', async (t) => {
  // The one corruption on the output side: Keras gives a go_backwards sequence in processing order, a
  // re-implementation that flips it back to input order yields the reversed sequence.
  const c = await fixture('keras-recorded', 'kerasjs-GRU-4');
  const model = c.model;
  const flipped = reversedInTime(runModel(model, c.input).output);
  // Diagnosing the user's flipped output against Keras is the same question as Keras's against the flipped one.
  expectCause(t, 'GRU-4 output reversed', c, 'output-reversed', {}, reversedInTime(c.expected));
  assert.ok(compareTensors(reversedInTime(flipped), c.expected).pass);
});

test('stateful: states not reset (recording is the 2nd call), reset (1 call), and a lost stateful flag', async (t) => {
  const s = await fixture('keras-recorded', 'kerasjs-LSTM-5');
  expectCause(t, 'LSTM-5 run once (states reset)', { ...s, predictCalls: 1 }, 'states-not-reset');
  const g = await fixture('keras-recorded', 'kerasjs-GRU-6');
  expectCause(t, 'GRU-6 stateful flag lost', { ...g, model: mapRecurrent(g.model, (l) => config(l, { stateful: false })) }, 'stateful-layers');
  const p = await fixture('keras-recorded', 'kerasjs-LSTM-0');
  expectCause(t, 'LSTM-0 made stateful, run twice', { ...p, model: mapRecurrent(p.model, (l) => config(l, { stateful: true })), predictCalls: 2 }, 'states-reset');
});

test('missing bias: Keras had none (use_bias=False) but the re-implementation adds one', async (t) => {
  for (const name of ['kerasjs-SimpleRNN-8', 'kerasjs-GRU-8']) {
    const c = await fixture('keras-recorded', name);
    const model = mapRecurrent(c.model, (l) => {
      const n = l.weights.kernel.shape[1]!;
      return weights(config(l, { useBias: true }), { bias: pseudoRandom([n], 7) });
    });
    expectCause(t, `${name} spurious bias`, { ...c, model }, 'bias-zero');
  }
});

// Keras 3 on JAX/XLA is not reproduced bit for bit by a float32 run (fused operations), so float32 comes closer
// than float64 only on some cases (seed-35, float32 exact, and seed-24 when this was written): they are looked for.
test('float32: at a tolerance between the float32 and float64 errors, the difference is called rounding-level', async (t) => {
  const found: { name: string; c: Case; e32: number; e64: number }[] = [];
  for (const file of fixtureFiles('keras3-generated')) {
    const name = basename(file, '.json');
    const c = await fixture('keras3-generated', name);
    const e64 = compareTensors(runModel(c.model, c.input, { predictCalls: c.predictCalls }).output, c.expected).maxAbs;
    const e32 = compareTensors(runModel(c.model, c.input, { predictCalls: c.predictCalls, precision: 'float32' }).output, c.expected).maxAbs;
    if (e32 < 0.75 * e64) found.push({ name, c, e32, e64 });
  }
  assert.ok(found.length > 0, 'no keras3-generated case where float32 is closer to Keras than float64');
  for (const { name, c, e32, e64 } of found.slice(0, 3)) {
    const atol = e32 > 0 ? Math.sqrt(e32 * e64) : e64 / 2;
    const d = diagnose(c.model, c.input, c.expected, { predictCalls: c.predictCalls, tolerance: { atol, rtol: 0 } });
    record(t, `${name} float64 vs float32 at atol ${atol.toExponential(1)}`, `${d.before.toExponential(2)} → ${d.best?.after.toExponential(2)} (${d.verdict}) | ${d.summary}`);
    assert.equal(d.verdict, 'rounding');
    assert.equal(d.best?.id, 'precision:float32');
    assert.ok(d.best!.after <= 1e-5);
    assert.match(d.summary, /rounding-level/);
  }
});

test('rounding without a float32 fix: below 1e-6 of the output scale is rounding, not a bug', async (t) => {
  // keras-recorded numbers were rounded to 6 places: a float32 run does not come closer, but the error is tiny.
  const c = await fixture('keras-recorded', 'kerasjs-LSTM-2');
  const d = diagnose(c.model, c.input, c.expected, { tolerance: { atol: 1e-9, rtol: 0 } });
  record(t, 'LSTM-2 at atol 1e-9', `${d.before.toExponential(2)} (${d.relativeBefore.toExponential(2)} relative) → ${d.verdict} | ${d.summary}`);
  assert.equal(d.verdict, 'rounding');
  assert.match(d.summary, /rounding-level/);
});

test('two mistakes at once: no single culprit, the three closest listed', async (t) => {
  const c = await fixture('keras-recorded', 'kerasjs-LSTM-2');
  const order = ['i', 'o', 'f', 'c'];
  const model = mapRecurrent(c.model, (l) =>
    config(weights(l, { kernel: storeInOrder(l.weights.kernel, LSTM, order), recurrentKernel: storeInOrder(l.weights.recurrentKernel, LSTM, order), bias: storeInOrder(l.weights.bias!, LSTM, order) }), { activation: 'relu' }),
  );
  const d = diagnose(model, c.input, c.expected);
  record(t, 'LSTM-2 gate order + relu', `${d.before.toExponential(2)} → best ${d.top[0]!.after.toExponential(2)} (${d.verdict}) | ${d.summary}`);
  assert.equal(d.verdict, 'unexplained');
  assert.equal(d.best, null);
  assert.equal(d.top.length, 3);
  assert.match(d.summary, /no single culprit explains it.*closest: .*→.*;.*;/);
});

test('a matching model is left alone', async () => {
  const c = await fixture('keras-recorded', 'kerasjs-GRU-7');
  const d = diagnose(c.model, c.input, c.expected, { predictCalls: c.predictCalls });
  assert.equal(d.verdict, 'match');
  assert.equal(d.ranked.length, 0);
});

test('stacked model: a mistake in one of two layers is found on that layer alone', async (t) => {
  const c = await fixture('keras3-generated', 'keras3-seed-4');
  const second = c.model.layers.filter((l) => l.kind === 'recurrent')[1]!;
  const model = { ...c.model, layers: c.model.layers.map((l) => (l === second && l.kind === 'recurrent' ? config(l, { activation: 'tanh' }) : l)) };
  expectCause(t, `seed-4 ${second.name} activation elu→tanh`, { ...c, model }, `activation:elu@${second.name}`);
});

test('Bidirectional: gate order in both directions, and a backward copy that does not go backwards', async (t) => {
  const b6 = await fixture('keras-recorded', 'kerasjs-Bidirectional-6');
  const order = ['c', 'i', 'f', 'o'];
  const model = mapRecurrent(b6.model, (l) =>
    weights(l, { kernel: storeInOrder(l.weights.kernel, LSTM, order), recurrentKernel: storeInOrder(l.weights.recurrentKernel, LSTM, order), bias: storeInOrder(l.weights.bias!, LSTM, order) }),
  );
  expectCause(t, 'Bidirectional-6 (LSTM) gates c,i,f,o', { ...b6, model }, 'lstm-gate-order:c,i,f,o');
  const b4 = await fixture('keras-recorded', 'kerasjs-Bidirectional-4');
  const flat = { ...b4.model, layers: b4.model.layers.map((l) => (l.kind === 'bidirectional' ? { ...l, backward: config(l.backward, { goBackwards: false }) } : l)) };
  expectCause(t, 'Bidirectional-4 backward copy not reversed', { ...b4, model: flat }, 'go-backwards');
});

after(() => {
  console.log(['', 'corruption: before → after (cause) | diagnosis', ...table].join('\n'));
});
