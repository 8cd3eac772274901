// The cells our users write by hand today (the seed documents), run as Keras layers by the engine. Parameters and
// expected numbers come from the documents themselves (test/fixtures/seeds/seeds.json), not from anyone's memory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { runModel, type Tensor } from '../../src/engine';
import { loadModelText } from '../../src/formats';
import { SEED_DATA, seed002Case, seed002MeanCase, seedNumbers as numbers } from '../seed-text';
// @ts-expect-error plain ES module without types
import { ensurePythonEnv } from '../../scripts/python-env.mjs';

const input = (values: number[]): Tensor => ({ shape: [1, values.length, 1], data: Float64Array.from(values) });

/** A hand-written model file, as a user writes one (keras-model-fixture/v1), loaded through the real loader. */
function modelFile(layers: object[]) {
  return loadModelText(JSON.stringify({ format: 'keras-model-fixture/v1', id: 'seed-test', layers }).replace(/"(-?)Infinity"/g, '$1Infinity'), 'seed.json').model;
}
const w = (name: string, shape: number[], data: number[]) => ({ name, shape, dtype: 'float32', data: data.map((v) => (Number.isFinite(v) ? v : `${v}`)) });

test('seed 000: the ReLU recurrent neuron counts 1, 2, …, 17 for seventeen inputs of 1', () => {
  // What the notebook printed: the lines that hold nothing but a number.
  const expected = SEED_DATA['000'].relu_neuron.printed;
  assert.equal(expected.length, 17);
  const model = modelFile([
    { class_name: 'SimpleRNN', config: { units: 1, activation: 'relu', return_sequences: true }, weights: [w('kernel', [1, 1], [1]), w('recurrent_kernel', [1, 1], [1]), w('bias', [1], [0])] },
  ]);
  const out = runModel(model, input(new Array(17).fill(1))).output;
  assert.deepEqual(Array.from(out.data), expected);
});

/** Seed 002's LSTM(forget W, b, input W, b, candidate W, b, output W, b) with W acting on [x, h], in Keras's layout. */
function seed002Lstm(args: string) {
  const arrays = [...args.matchAll(/np\.array\((\[[^()]*\])\)/g)].map((m) => ({ text: m[1]!, values: numbers(m[1]!) }));
  assert.equal(arrays.length, 8, args);
  const [fW, fb, iW, ib, cW, cb, oW, ob] = arrays;
  const units = fb!.values.length;
  const features = fW!.values.length / units - units;
  const kernel = new Array(features * 4 * units).fill(0);
  const recurrent = new Array(units * 4 * units).fill(0);
  // Keras's gate order is i, f, c, o; row j of a seed matrix is unit j, its columns are [x..., h...].
  [iW, fW, cW, oW].forEach((W, g) => {
    for (let j = 0; j < units; j++) {
      for (let f = 0; f < features; f++) kernel[f * 4 * units + g * units + j] = W!.values[j * (features + units) + f];
      for (let k = 0; k < units; k++) recurrent[k * 4 * units + g * units + j] = W!.values[j * (features + units) + features + k];
    }
  });
  const bias = [ib, fb, cb, ob].flatMap((b) => b!.values);
  // The seed's gates are sigmoids; its `recurrent_activation=identity` is the candidate's and `activation` the output's.
  return modelFile([
    {
      class_name: 'LSTM',
      config: { units, activation: 'linear', recurrent_activation: 'sigmoid', return_sequences: true },
      weights: [w('kernel', [features, 4 * units], kernel), w('recurrent_kernel', [units, 4 * units], recurrent), w('bias', [4 * units], bias)],
    },
  ]);
}

test("seed 002: identity, count and sum LSTMs (±inf biases, linear activations) give the seed's printed arrays", () => {
  for (const name of ['identity_lstm', 'count_lstm', 'sum_lstm'] as const) {
    const { args, inputs: xs, printed } = seed002Case(name);
    const out = runModel(seed002Lstm(args), input(xs)).output;
    assert.deepEqual(Array.from(out.data), printed, name);
  }
});

test("seed 002: the mean LSTM's [sum, count] ratio is the seed's printed running mean", () => {
  const { args, inputs: xs, printed } = seed002MeanCase();
  const out = runModel(seed002Lstm(args), input(xs)).output.data;
  const means = xs.map((_, t) => out[2 * t]! / out[2 * t + 1]!);
  assert.deepEqual(means, printed);
});

test("seed 003: the scalar tanh neuron with readout equals the seed's own RecurrentNeuron class", { timeout: 600_000 }, () => {
  // The seed's own class, as the document wrote it.
  const block = SEED_DATA['003'].recurrent_neuron_class;
  const [wh, wx, wyh] = [0.7, -1.3, 0.9];
  const xs = [0.1, 0.5, -0.3, 1.0, 0.0, -2.0, 0.25];
  const script = `${block}\nn = RecurrentNeuron()\nn.set_w_h(${wh}); n.set_w_x(${wx}); n.set_w_yh(${wyh})\nimport json\nprint(json.dumps([float(n.predict(x)) for x in ${JSON.stringify(xs)}]))\n`;
  const r = spawnSync(ensurePythonEnv(), ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const expected = JSON.parse(r.stdout) as number[];
  const model = modelFile([
    { class_name: 'SimpleRNN', config: { units: 1, activation: 'tanh', use_bias: false, return_sequences: true }, weights: [w('kernel', [1, 1], [wx]), w('recurrent_kernel', [1, 1], [wh])] },
    { class_name: 'Dense', config: { units: 1, activation: 'linear', use_bias: false }, weights: [w('kernel', [1, 1], [wyh])] },
  ]);
  const out = Array.from(runModel(model, input(xs)).output.data);
  out.forEach((v, t) => assert.ok(Math.abs(v - expected[t]!) < 1e-12, `step ${t}: ${v} vs the seed's ${expected[t]}`));
});
