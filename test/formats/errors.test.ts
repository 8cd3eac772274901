// One test per kind of loader error, asserting on the text a user reads: file, JSON path, expected, found.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeros } from '../../src/engine/tensor';
import { modelFromKerasConfig } from '../../src/formats/keras-config';
import { loadModelText } from '../../src/formats/index';
import { expectLoadError, loadDoc, nested } from './helpers';

const seq = (...layers: unknown[]) => ({ class_name: 'Sequential', config: { name: 's', layers } });
const input = (shape: (number | null)[]) => ({ class_name: 'InputLayer', config: { batch_input_shape: [null, ...shape], name: 'in' } });
const lstm = (units: number, extra: Record<string, unknown> = {}) => ({ class_name: 'LSTM', config: { name: 'lstm', units, ...extra } });
const dense = (units: number, extra: Record<string, unknown> = {}) => ({ class_name: 'Dense', config: { name: 'dense', units, ...extra } });
const ctx = { file: 'big.json', path: ['model'], weightsPath: ['weights'] };

test('wrong weight shape names the array, the layer and the gates × units arithmetic', () => {
  const weights = [zeros([8, 400]), zeros([100, 300]), zeros([400])];
  const e = expectLoadError(
    () => modelFromKerasConfig(seq(input([20, 8]), lstm(100)), weights, ctx),
    'big.json:',
    '`weights[1]` (recurrent_kernel of layer "lstm")',
    'expected shape [100, 400] = [100 units, 4 gates (i, f, c, o) × 100 units]',
    'found shape [100, 300]',
  );
  assert.deepEqual(e.details.path, ['weights', 1]);
});

test('a kernel that disagrees with the input features says where the feature count came from', () => {
  expectLoadError(
    () => modelFromKerasConfig(seq(input([20, 8]), lstm(2)), [zeros([5, 8]), zeros([2, 8]), zeros([8])], ctx),
    '`weights[0]` (kernel of layer "lstm")',
    'expected shape [8, 8] = [8 input features (the input shape [20, 8]), 4 gates (i, f, c, o) × 2 units]',
    'found shape [5, 8]',
  );
});

test('a GRU bias of the other reset_after kind gets a hint', () => {
  const gru = { class_name: 'GRU', config: { name: 'gru', units: 2, reset_after: false } };
  expectLoadError(
    () => modelFromKerasConfig(seq(input([3, 1]), gru), [zeros([1, 6]), zeros([2, 6]), zeros([2, 6])], ctx),
    '`weights[2]` (bias of layer "gru")',
    'expected shape [6] = [3 gates (z, r, h) × 2 units], reset_after=false',
    'found shape [2, 6]',
    'Hint: a GRU bias of shape [6] means reset_after=false and [2, 6] means reset_after=true',
  );
});

test('too few weight arrays say which layer ran out', () => {
  expectLoadError(
    () => loadDoc({ model: seq(input([3, 2]), lstm(2), dense(1)), weights: [nested([2, 8]), nested([2, 8]), nested([8]), nested([2, 1])] }, 'short.json'),
    'short.json:',
    '`weights` (bias of layer "dense")',
    'expected weight array #4 for the bias of layer "dense" (shape [1] = [1 units])',
    'found only 4 weight arrays: the weights ran out at layer "dense"',
  );
});

test('too many weight arrays point at the first extra one', () => {
  expectLoadError(
    () => loadDoc({ model: seq(input([3, 2]), dense(1)), weights: [nested([2, 1]), nested([1]), nested([4])] }, 'long.json'),
    'long.json:',
    '`weights[2]`',
    'expected no more weight arrays: the model uses 2 (the last is the bias of layer "dense")',
    'found 3 weight arrays, 1 too many',
  );
});

test('an unsupported layer is named by class and name', () => {
  // Conv3D runs now (the head of keras.io's ConvLSTM model); its transpose does not.
  const conv = { class_name: 'Conv3DTranspose', config: { name: 'conv3d_3', filters: 4, kernel_size: [3] } };
  expectLoadError(
    () => loadDoc({ model: seq(input([3, 2]), conv, lstm(2)), weights: [] }, 'conv.json'),
    'conv.json:',
    '`model.config.layers[1].class_name` (layer "conv3d_3")',
    'expected a supported layer (InputLayer, SimpleRNN, LSTM, GRU, Bidirectional',
    'found Conv3DTranspose layer "conv3d_3"',
  );
  for (const cls of ['Lambda', 'UpSampling3D']) {
    expectLoadError(() => loadDoc({ model: seq(input([3, 2]), { class_name: cls, config: { name: 'x' } }), weights: [] }), `found ${cls} layer "x"`);
  }
  // A recurrent layer inside TimeDistributed runs on each outer step's sequence, so it needs one more axis.
  expectLoadError(
    () => loadDoc({ model: seq(input([3, 2]), { class_name: 'TimeDistributed', config: { name: 'td', layer: lstm(2) } }), weights: [] }),
    'expected a sequence input of shape (time steps, features) per sample for LSTM layer "lstm"',
    'found shape [2] (one time step of the input shape [3, 2])',
  );
});

test('an unknown activation lists the known ones', () => {
  expectLoadError(
    () => loadDoc({ model: seq(input([3, 2]), lstm(2, { recurrent_activation: 'my_gate' })), weights: [] }, 'act.json'),
    'act.json:',
    '`model.config.layers[1].config.recurrent_activation` (recurrent_activation of layer "lstm")',
    'expected one of the known activations: tanh, sigmoid, hard_sigmoid, relu, linear, elu, selu, softsign, softplus, exponential, swish, silu, gelu, softmax, relu6, leaky_relu, mish, log_softmax, hard_silu, hard_swish',
    'found the string "my_gate"',
  );
  expectLoadError(
    () => loadDoc({ model: seq(input([3, 2]), dense(2, { activation: { module: 'builtins', class_name: 'function', config: 'custom_fn', registered_name: 'function' } })), weights: [] }),
    'found the string "custom_fn"',
  );
});

test('a ragged weight array fails at its exact path', () => {
  const e = expectLoadError(
    () => loadModelText(JSON.stringify({ model: seq(input([3, 2]), dense(2)), weights: [[[1, 2], [3]], [0, 0]] }, null, 1), 'ragged.json'),
    'ragged.json:',
    '`weights[0][1]`',
    'expected an array of 2 like its siblings (the first entries give shape [2, 2]; the array is ragged)',
    'found an array of 1',
  );
  assert.ok(e.details.offset !== undefined && e.details.line !== undefined, 'the error carries its position in the text');
  expectLoadError(
    () => loadDoc({ model: seq(input([3, 2]), dense(2)), weights: [[[1, 2], [3, 'x']], [0, 0]] }),
    '`weights[0][1][1]`',
    'expected a number',
    'found the string "x"',
  );
});

test('invalid JSON reports line:column and offset', () => {
  const text = '{\n  "model": {"class_name": "Sequential"},\n  "weights": [1, 2,, 3]\n}';
  const e = expectLoadError(() => loadModelText(text, 'broken.json'), 'broken.json:3:20:', 'JSON syntax error at offset 62', 'expected valid JSON (a value)', 'found ", 3]"');
  assert.equal(e.details.offset, 62);
  assert.equal(text[62], ',', 'the offset points at the second comma');
  expectLoadError(() => loadModelText('{"model": {', 'cut.json'), 'cut.json:1:12:', 'found the end of the file');
});

test("Python's NaN / Infinity / -Infinity are accepted", () => {
  const text = `{"model": ${JSON.stringify(seq(input([3, 2]), dense(3)))}, "weights": [[[NaN, Infinity, -Infinity], [1, 2, 3]], [0, 0, 0]]}`;
  const { model } = loadModelText(text, 'nan.json');
  const layer = model.layers[1]!;
  assert.ok(layer.kind === 'dense');
  assert.ok(Number.isNaN(layer.kernel.data[0]));
  assert.equal(layer.kernel.data[1], Infinity);
  assert.equal(layer.kernel.data[2], -Infinity);
});

test('a 2-D input to a recurrent model gets a (samples, time steps, features) hint', () => {
  const fixture = {
    format: 'keras-model-fixture/v1',
    layers: [{ class_name: 'SimpleRNN', config: { units: 2 }, weights: [{ name: 'kernel', shape: [3, 2], data: [1, 2, 3, 4, 5, 6] }, { name: 'recurrent_kernel', shape: [2, 2], data: [1, 0, 0, 1] }, { name: 'bias', shape: [2], data: [0, 0] }] }],
    input: [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]],
  };
  expectLoadError(
    () => loadDoc(fixture, 'in2d.json'),
    'in2d.json:',
    '`input`',
    'expected an input of shape [None, None, 3] (batch first)',
    'found shape [4, 3]',
    'Hint: a recurrent model reads (samples, time steps, features); for one sequence of 4 steps with 3 features wrap it in one more list (shape [1, 4, 3])',
  );
  expectLoadError(() => loadDoc({ ...fixture, input: [[[1, 2]]] }, 'feat.json'), '`input`', 'expected an input of shape [None, None, 3] (batch first): 3 features', 'found shape [1, 1, 2]');
});

test('weights listed in the wrong order are caught by their names in a fixture', () => {
  expectLoadError(
    () =>
      loadDoc({
        format: 'keras-model-fixture/v1',
        layers: [{ class_name: 'Dense', config: { units: 1 }, weights: [{ name: 'bias', shape: [1], data: [0] }, { name: 'kernel', shape: [2, 1], data: [1, 2] }] }],
      }, 'order.json'),
    '`layers[0].weights[0]` (kernel of layer "dense")',
    'found an array named "bias"',
  );
});

test('an unrecognised JSON file lists the accepted formats', () => {
  expectLoadError(
    () => loadModelText('{"weightsManifest": []}', 'tfjs.json'),
    'tfjs.json:',
    'expected a model file: a PyTorch state dict',
    'a .safetensors file',
    'a Keras 3 .keras archive',
    'a keras-recorded-fixture/v1 fixture',
    'a keras-model-fixture/v1 file',
    'a Keras export JSON',
    'a TensorFlow.js layers model',
    'found an object with keys "weightsManifest"',
  );
  expectLoadError(() => loadModelText('{"layers": [], "name": "x"}', 'odd.json'), 'odd.json:', 'expected a model file', 'found an object with keys "layers", "name"');
  expectLoadError(() => loadModelText('{"format": "keras-model-fixture/v9"}', 'v9.json'), 'v9.json:1:12: `format`', 'found format the string "keras-model-fixture/v9"');
  expectLoadError(() => loadModelText('[1, 2, 3]', 'arr.json'), 'arr.json:', 'found a file that is not a JSON object');
});

test('a single layer instead of a model, and a stacked RNN whose first layer drops the sequence', () => {
  expectLoadError(() => loadDoc({ model: lstm(2), weights: [] }, 'layer.json'), '`model.class_name`', 'found the string "LSTM"', 'wrap it in a Sequential');
  expectLoadError(
    () => loadDoc({ model: seq(input([3, 2]), lstm(2), { class_name: 'GRU', config: { name: 'gru', units: 2 } }), weights: [nested([2, 8]), nested([2, 8]), nested([8])] }),
    '`model.config.layers[2].config` (layer "gru")',
    'expected a sequence input of shape (time steps, features) per sample for GRU layer "gru"',
    'found shape [2] (the output of layer "lstm")',
    'return_sequences=True',
  );
});

test('every error is a LoadError, never a TypeError, for malformed structure', () => {
  const bad: unknown[] = [
    { model: null, weights: [] },
    { model: { class_name: 'Sequential' }, weights: [] },
    { model: { class_name: 'Sequential', config: { layers: [null] } }, weights: [] },
    { model: seq(input([3, 2]), { class_name: 'LSTM', config: { units: 'four' } }), weights: [] },
    { model: seq(input([3, 2]), { class_name: 'Bidirectional', config: { layer: 3 } }), weights: [] },
    { model: seq(input([3, 2]), dense(1)), weights: 'none' },
    { model: seq(input([3, 2]), dense(1)), weights: [{ shape: [2, 1] }] },
    { model: { class_name: 'Functional', config: { layers: [{ class_name: 'Dense', config: { units: 1 }, inbound_nodes: [[['ghost', 0, 0, {}]]] }] } }, weights: [] },
    { format: 'keras-model-fixture/v1', layers: [{ class_name: 'Dense', config: { units: 1 }, weights: [{ shape: [2, 1], data: [1] }] }] },
    { format: 'keras-recorded-fixture/v1', layer: 'LSTM' },
  ];
  for (const doc of bad) expectLoadError(() => loadDoc(doc, 'bad.json'), 'bad.json:');
});

test('a binary model file that is cut short says so (the HDF5 loader takes it by its signature)', async () => {
  const { loadModelBytes } = await import('../../src/formats/index');
  const h5 = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
  await assert.rejects(loadModelBytes(h5, 'model.h5'), (e: Error) => /model\.h5:.*expected the HDF5 file: a readable HDF5 file; found a damaged or truncated file/.test(e.message));
});
