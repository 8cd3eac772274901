// Functional Keras 3 models from test/fixtures/architectures (real Keras 3.15.1 exports): explicit mask= calls,
// Masking layers, convolutions, pooling, normalization and shape layers differentiate (gradient = central differences
// of the engine away from the padded rows); token
// models' integrated gradients are complete; what a method cannot do is refused naming the layer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runModel, type Model, type Tensor } from '../../src/engine';
import { explainPrediction } from '../../src/explain';
import { resolveTarget } from '../../src/explain/target';
import { loadModelText } from '../../src/formats';

const DIR = join(__dirname, '../fixtures/architectures');

function architecture(name: string): { model: Model; input: Tensor } {
  const model = loadModelText(readFileSync(join(DIR, name, 'model.cellscope.json'), 'utf8'), `${name}.json`).model;
  const i0 = JSON.parse(readFileSync(join(DIR, name, 'reference.json'), 'utf8')).inputs[0];
  return { model, input: { shape: i0.shape, data: Float64Array.from(i0.data) } };
}

const FD_CASES: [string, string][] = [
  ['masking_layer', 'Masking → LSTM(mask=) → Bidirectional GRU(mask=) → Dense'],
  ['merge_ops', 'two LSTM branches joined by Add, Subtract, Multiply, Average, Maximum, Minimum'],
  ['two_branch_concat', 'two recurrent branches and Concatenate'],
  ['rnn_stacked_cells', 'stacked cells'],
  ['normalization_lstm', 'adapted Normalization → LSTM'],
  ['rescaling_lstm', 'Rescaling → LSTM'],
  ['normalization_given_stats_inverted', 'Normalization over (time, features) → GRU → Dense → inverted Normalization'],
  ['cnn_lstm', 'Conv1D(relu) → MaxPooling1D → LSTM'],
  ['norm_around_lstm', 'BatchNormalization and LayerNormalization around an LSTM'],
  ['reshape_permute_padding', 'Reshape, Permute, ZeroPadding1D, Cropping1D around recurrent layers'],
  ['activation_layers', 'ReLU, LeakyReLU, ELU, PReLU and Softmax layers'],
  ['unit_norm_identity', 'UnitNormalization'],
  ['conv1d_variants', 'Conv1D strides / dilation / causal / groups, pooling'],
];

for (const [name, what] of FD_CASES) test(`${name} (${what}): gradient = central differences on the real rows`, () => {
  const { model, input } = architecture(name);
  const target = [1, 0];
  const e = explainPrediction(model, input, { method: 'gradient', target });
  const f = (data: Float64Array) => {
    const r = runModel(model, { shape: input.shape, data });
    return r.outputs[0]!.data[resolveTarget(r.outputs, target).flat]!;
  };
  const F = input.shape[2]!;
  let checked = 0;
  let worst = 0;
  for (let k = 0; k < input.data.length; k++) {
    const row = Math.floor(k / F);
    const padded = Array.from({ length: F }, (_, j) => input.data[row * F + j]).every((v) => v === 0);
    if (padded) {
      assert.equal(e.attribution.data[k], 0, 'a masked row gets no gradient');
      continue;
    }
    // Relative step: Rescaling's inputs are in the hundreds (pixel-like values scaled by 1/255 in the model).
    const h = 1e-6 * Math.max(1, Math.abs(input.data[k]!));
    const up = Float64Array.from(input.data);
    up[k] += h;
    const dn = Float64Array.from(input.data);
    dn[k] -= h;
    const fd = (f(up) - f(dn)) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - e.attribution.data[k]!));
    checked++;
  }
  const scale = Math.max(...Array.from(e.attribution.data, Math.abs));
  assert.ok(checked > 10 && worst <= 1e-7 * scale, `worst |Δ| ${worst} (scale ${scale}, ${checked} checked)`);
  process.stderr.write(`# ${name}: ${checked} inputs, worst |Δ| ${(worst / scale).toExponential(1)} of the largest gradient\n`);
});

test('imdb_bilstm_functional (Embedding mask_zero → Bidirectional(mask=) …): integrated gradients are complete', () => {
  const { model, input } = architecture('imdb_bilstm_functional');
  const ig = explainPrediction(model, input, { method: 'integrated-gradients', target: [0, 0], steps: 64 });
  const base = explainPrediction(model, input, { method: 'occlusion', target: [0, 0] });
  assert.equal(ig.space, 'embedding');
  const sum = ig.attribution.data.reduce((s, v) => s + v, 0);
  assert.ok(ig.completenessError! <= 1e-3 * Math.max(Math.abs(sum), 1e-3), `completeness ${ig.completenessError} for Σ ${sum}`);
  assert.equal(base.attribution.shape.length, 2);
});

test('what a method cannot do is refused by name: lrp through a ConvLSTM and through a MaxPooling1D', () => {
  for (const [name, layer] of [
    ['convlstm_state', 'conv_lstm2d'],
    ['cnn_lstm', 'max_pooling1d'],
  ]) {
    const { model, input } = architecture(name);
    const out = runModel(model, input).outputs[0]!;
    assert.throws(
      () => explainPrediction(model, input, { method: 'lrp', target: out.shape.map(() => 0) }),
      (err: Error) => err.name === 'ExplainError' && err.message.includes(layer) && err.message.includes('lrp'),
      name,
    );
  }
});
