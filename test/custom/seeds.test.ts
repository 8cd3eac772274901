// The seeds' hand-written cells as CustomCell layers (written here, independently of examples/custom-cells), loaded
// through the real loader; the expected numbers are read out of the seed documents themselves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runModel, type Model, type Tensor } from '../../src/engine';
import { loadModelText } from '../../src/formats';
import { rng } from '../random';
import { SEED_DATA, seed000Run, seed002Case, seed002MeanCase, seedNumbers as numbers } from '../seed-text';

const input = (values: number[], features = 1): Tensor => ({ shape: [1, values.length / features, features], data: Float64Array.from(values) });
const w = (name: string, shape: number[], data: number[]) => ({ name, shape, data: data.map((v) => (Number.isFinite(v) ? v : `${v}`)) });

/** One CustomCell layer in a keras-model-fixture/v1 document, through the real loader. */
function customModel(config: object, weights: object[]): Model {
  const doc = { format: 'keras-model-fixture/v1', id: 'custom-seed-test', layers: [{ class_name: 'CustomCell', config: { input_shape: [null, 1], return_sequences: true, ...config }, weights }] };
  return loadModelText(JSON.stringify(doc).replace(/"(-?)Infinity"/g, '$1Infinity'), 'custom-seed.json').model;
}

function assertClose(actual: ArrayLike<number>, expected: number[], tol: number, what: string) {
  assert.equal(actual.length, expected.length, what);
  for (let k = 0; k < expected.length; k++) assert.ok(Math.abs(actual[k]! - expected[k]!) <= tol, `${what} step ${k}: ${actual[k]} vs the seed's ${expected[k]}`);
}

const gateWeights = (gates: string[]) => [...gates.map((g) => w(`w_${g}`, [1, 2], [1, 1])), ...gates.map((g) => w(`b_${g}`, [1], [0.5]))];

test('seed 000: the ReLU recurrent neuron h = relu(θ·x + w·h) counts 1, 2, …, 17', () => {
  const expected = SEED_DATA['000'].relu_neuron.printed;
  assert.equal(expected.length, 17);
  const model = customModel({ units: 1, states: ['h'], updates: { h: 'relu(theta * x + w * h)' } }, [w('theta', [1], [1]), w('w', [1], [1])]);
  assert.deepEqual(Array.from(runModel(model, input(new Array(17).fill(1))).output.data), expected);
});

test('seed 000: the LSTM neurone (ReLU input/forget gates, returns its output gate) prints 0.8175744761936437, …', () => {
  const { inputs, printed } = seed000Run('lstm_neurone');
  assert.deepEqual(inputs, [1, 0, 1, 1, 1, 0]);
  assert.equal(printed.length, 6);
  assert.equal(printed[0], 0.8175744761936437);
  const model = customModel(
    {
      units: 1,
      states: ['h', 'c'],
      gates: [
        { name: 'i', expr: 'relu(w_i @ concat(h, x) + b_i)' },
        { name: 'f', expr: 'relu(w_f @ [h, x] + b_f)' },
        { name: 'c_tilde', expr: 'tanh(w_c @ [h, x] + b_c)', role: 'candidate' },
        { name: 'o', expr: 'sigmoid(w_o @ [h, x] + b_o)' },
      ],
      updates: { c: 'f * c + i * c_tilde', h: 'o * tanh(c)' },
      output: 'o',
    },
    gateWeights(['i', 'f', 'c', 'o']),
  );
  const r = runModel(model, input(inputs));
  assertClose(r.output.data, printed, 1e-12, 'LSTM neurone');
  // The trace holds every gate and state like a built-in cell's.
  const lt = r.trace!.layers[0]!;
  assert.equal(lt.cell, 'custom');
  assert.deepEqual(lt.quantities.map((q) => q.key), ['i', 'f', 'c_tilde', 'o', 'h', 'c', 'pre_i', 'pre_f', 'pre_c_tilde', 'pre_o']);
  assert.deepEqual(lt.quantities.map((q) => q.role), ['gate', 'gate', 'candidate', 'gate', 'state', 'state', 'pre_activation', 'pre_activation', 'pre_activation', 'pre_activation']);
  // Step 0: h = c = 0, x = 1 → every pre-activation is 1·0 + 1·1 + 0.5 = 1.5.
  for (const key of ['pre_i', 'pre_f', 'pre_c_tilde', 'pre_o']) assert.equal(lt.values[lt.quantities.findIndex((q) => q.key === key)]![0], 1.5);
  const h = lt.values[4]!;
  const o = lt.values[3]!;
  const c = lt.values[5]!;
  for (let t = 0; t < 6; t++) assert.ok(Math.abs(h[t]! - o[t]! * Math.tanh(c[t]!)) < 1e-15);
});

test('seed 000: the GRU neurone (coupled forget gate c = f·c + (1 − f)·c̃) prints 0.8175744761936437, 0.5382595861413569, …', () => {
  const { inputs, printed } = seed000Run('gru_neurone');
  assert.deepEqual(inputs, [1, 0, 1, 1, 1, 0]);
  assert.equal(printed[1], 0.5382595861413569);
  const model = customModel(
    {
      units: 1,
      states: ['h', 'c'],
      gates: [
        { name: 'f', expr: 'relu(w_f @ [h, x] + b_f)' },
        { name: 'c_tilde', expr: 'tanh(w_c @ [h, x] + b_c)' },
        { name: 'o', expr: 'sigmoid(w_o @ [h, x] + b_o)' },
      ],
      updates: { c: 'f * c + (1 - f) * c_tilde', h: 'o * tanh(c)' },
      output: 'o',
    },
    gateWeights(['f', 'c', 'o']),
  );
  assertClose(runModel(model, input(inputs)).output.data, printed, 1e-12, 'GRU neurone');
});

/** Seed 002's `LSTM(...)` call → its class as a custom cell, activation / recurrent_activation as named functions. */
function seed002Model(args: string): Model {
  const arrays = [...args.matchAll(/np\.array\((\[[^()]*\])\)/g)].map((m) => numbers(m[1]!));
  assert.equal(arrays.length, 8, args);
  const acts = /activation=(\w+), recurrent_activation=(\w+)/.exec(args)!;
  const [fW, fb, iW, ib, cW, cb, oW, ob] = arrays as number[][];
  const units = fb!.length;
  const inW = fW!.length / units;
  return customModel(
    {
      units,
      activations: { activation: acts[1], recurrent_activation: acts[2] },
      states: ['h', 'c'],
      gates: [
        { name: 'forget_gate', expr: 'sigmoid(forget_weights @ [x, h] + forget_bias)' },
        { name: 'input_gate', expr: 'sigmoid(input_weights @ [x, h] + input_bias)' },
        { name: 'output_gate', expr: 'sigmoid(output_weights @ [x, h] + output_bias)' },
        { name: 'candidate', expr: 'recurrent_activation(candidate_weights @ [x, h] + candidate_bias)' },
      ],
      updates: [
        { state: 'c', expr: 'c * forget_gate + candidate * input_gate' },
        { state: 'h', expr: 'activation(c) * output_gate' },
      ],
    },
    [
      w('forget_weights', [units, inW], fW!),
      w('forget_bias', [units], fb!),
      w('input_weights', [units, inW], iW!),
      w('input_bias', [units], ib!),
      w('candidate_weights', [units, inW], cW!),
      w('candidate_bias', [units], cb!),
      w('output_weights', [units, inW], oW!),
      w('output_bias', [units], ob!),
    ],
  );
}

test("seed 002: its LSTM class with activation=identity, recurrent_activation=identity gives the printed identity, count and sum arrays", () => {
  for (const name of ['identity_lstm', 'count_lstm', 'sum_lstm'] as const) {
    const { args, inputs: xs, printed } = seed002Case(name);
    assert.equal(xs.length, 5);
    const out = runModel(seed002Model(args), input(xs)).output;
    assert.deepEqual(Array.from(out.data), printed, name);
    // float32 gives the same integers.
    assert.deepEqual(Array.from(runModel(seed002Model(args), input(xs), { precision: 'float32' }).output.data), printed, `${name} float32`);
  }
});

test("seed 002: the mean LSTM's [sum, count] ratio is the printed running mean", () => {
  const { args, inputs: xs, printed } = seed002MeanCase();
  const out = runModel(seed002Model(args), input(xs)).output.data;
  assert.deepEqual(xs.map((_, t) => out[2 * t]! / out[2 * t + 1]!), printed);
});

test('seed 001: its LSTM with one weight matrix per gate over [h, x] equals Keras LSTM with the same weights fused', () => {
  // The notebook's formulas: X_t = [h_{t-1}, x_t]; f, i, o = σ(W·X + b); c̃ = tanh(W_c·X + b_c).
  assert.equal(SEED_DATA['001'].forget_gate_weights_line, 'Wf = np.random.randn(hidden_size, hidden_size+vocab_size)');
  const units = 3;
  const features = 2;
  const rnd = rng(7);
  const per = Object.fromEntries(['i', 'f', 'c', 'o'].map((g) => [g, { W: Array.from({ length: units * (units + features) }, rnd), b: Array.from({ length: units }, rnd) }]));
  const custom = customModel(
    {
      units,
      input_shape: [null, features],
      states: ['h', 'c'],
      gates: [
        { name: 'f', expr: 'sigmoid(Wf @ [h, x] + bf)' },
        { name: 'i', expr: 'sigmoid(Wi @ [h, x] + bi)' },
        { name: 'o', expr: 'sigmoid(Wo @ [h, x] + bo)' },
        { name: 'c_bar', expr: 'tanh(Wc @ [h, x] + bc)' },
      ],
      updates: { c: 'f * c + i * c_bar', h: 'o * tanh(c)' },
    },
    ['f', 'i', 'o', 'c'].flatMap((g) => [w(`W${g}`, [units, units + features], per[g]!.W), w(`b${g}`, [units], per[g]!.b)]),
  );
  // Keras: kernel [features, 4u] and recurrent_kernel [u, 4u] in gate order i, f, c, o; row j of W is [h..., x...].
  const kernel = new Array(features * 4 * units).fill(0);
  const recurrent = new Array(units * 4 * units).fill(0);
  ['i', 'f', 'c', 'o'].forEach((g, gi) => {
    for (let j = 0; j < units; j++) {
      for (let k = 0; k < units; k++) recurrent[k * 4 * units + gi * units + j] = per[g]!.W[j * (units + features) + k];
      for (let f = 0; f < features; f++) kernel[f * 4 * units + gi * units + j] = per[g]!.W[j * (units + features) + units + f];
    }
  });
  const keras = loadModelText(
    JSON.stringify({
      format: 'keras-model-fixture/v1',
      layers: [
        {
          class_name: 'LSTM',
          config: { units, return_sequences: true, input_shape: [null, features] },
          weights: [w('kernel', [features, 4 * units], kernel), w('recurrent_kernel', [units, 4 * units], recurrent), w('bias', [4 * units], ['i', 'f', 'c', 'o'].flatMap((g) => per[g]!.b))],
        },
      ],
    }),
    'keras.json',
  ).model;
  const x = input(Array.from({ length: 12 * features }, (_, k) => Math.sin(k)), features);
  assertClose(runModel(custom, x).output.data, Array.from(runModel(keras, x).output.data), 1e-12, 'float64');
  assertClose(runModel(custom, x, { precision: 'float32' }).output.data, Array.from(runModel(keras, x, { precision: 'float32' }).output.data), 1e-6, 'float32');
});
