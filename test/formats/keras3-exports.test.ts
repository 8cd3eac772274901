// Real Keras 3.15.1 to_json() + get_weights() exports (made by data/make_keras3_exports.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadExpectedBytes, loadModelBytes, loadModelText, loadRecordingBytes } from '../../src/formats/index';
import { loadModelFile } from '../../src/formats/node-files';
import { DATA, expectLoadError } from './helpers';
import { english } from '../../src/phrase';

const file = (name: string) => join(DATA, 'keras3', name);
const load = (name: string) => loadModelFile(file(name));
const kinds = (layers: { kind: string }[]) => layers.map((l) => l.kind);

test('Sequential LSTM → Dense(softmax), InputLayer with batch_shape, keras_version 3.15.1', async () => {
  const { model, predictCalls, input } = await load('lstm_dense.json');
  assert.deepEqual(kinds(model.layers), ['pass_through', 'recurrent', 'dense']);
  assert.deepEqual(model.inputShape, [6, 3]);
  assert.equal(model.semantics.kerasMajor, 3);
  assert.equal(model.semantics.hardSigmoid, 'keras3');
  assert.match(english(model.semantics.decidedBy), /3\.15\.1/);
  assert.equal(model.source.format, 'keras-export-json');
  assert.equal(predictCalls, 1);
  assert.equal(input, undefined);
  const lstm = model.layers[1]!;
  assert.ok(lstm.kind === 'recurrent' && lstm.cell === 'lstm');
  assert.deepEqual(lstm.weights.kernel.shape, [3, 16]);
  const dense = model.layers[2]!;
  assert.ok(dense.kind === 'dense' && dense.activation === 'softmax' && !dense.timeDistributed);
});

test('GRU stack: reset_after=True by Keras 3 default, explicit reset_after=False, go_backwards; model given as a to_json string', async () => {
  const { model } = await load('gru_stack.json');
  const [, g1, g2] = model.layers;
  assert.ok(g1?.kind === 'recurrent' && g2?.kind === 'recurrent');
  assert.equal(g1.config.resetAfter, true);
  assert.deepEqual(g1.weights.bias?.shape, [2, 12]);
  assert.equal(g2.config.resetAfter, false);
  assert.deepEqual(g2.weights.bias?.shape, [9]);
  assert.equal(g2.config.goBackwards, true);
  assert.deepEqual(g2.weights.kernel.shape, [4, 9]);
});

test('Bidirectional(SimpleRNN, sum) with Keras 3 backward_layer, TimeDistributed(Dense), Flatten, hard_sigmoid Dense', async () => {
  const { model } = await load('bidi_simplernn_td.json');
  assert.deepEqual(kinds(model.layers), ['pass_through', 'bidirectional', 'dense', 'flatten', 'dense']);
  const bi = model.layers[1]!;
  assert.ok(bi.kind === 'bidirectional');
  assert.equal(bi.mergeMode, 'sum');
  assert.equal(bi.forward.config.goBackwards, false);
  assert.equal(bi.backward.config.goBackwards, true);
  assert.equal(bi.forward.name, 'forward_simple_rnn');
  assert.equal(bi.backward.name, 'backward_simple_rnn');
  const td = model.layers[2]!;
  assert.ok(td.kind === 'dense' && td.timeDistributed && td.units === 2);
  const head = model.layers[4]!;
  assert.ok(head.kind === 'dense' && head.activation === 'hard_sigmoid');
  assert.deepEqual(head.kernel.shape, [8, 1], 'Flatten of [4 steps, 2] feeds 8 inputs');
});

test('Embedding(mask_zero) → LSTM → Dropout → Dense: token input and vocabulary', async () => {
  const { model } = await load('embedding_lstm.json');
  assert.deepEqual(kinds(model.layers), ['pass_through', 'embedding', 'recurrent', 'pass_through', 'dense']);
  assert.equal(model.inputIsTokens, true);
  assert.deepEqual(model.inputShape, [7]);
  const emb = model.layers[1]!;
  assert.ok(emb.kind === 'embedding' && emb.maskZero && emb.inputDim === 10 && emb.outputDim === 4);
  assert.equal(model.vocabulary?.length, 10);
  assert.equal(model.vocabulary?.[1], 'a');
  const dropout = model.layers[3]!;
  assert.ok(dropout.kind === 'pass_through' && dropout.className === 'Dropout');
});

test('Functional chain (Keras 3 dict-style inbound_nodes): Bidirectional concat, SpatialDropout1D, GRU, Dense, Activation', async () => {
  const { model } = await load('functional_chain.json');
  assert.deepEqual(kinds(model.layers), ['pass_through', 'bidirectional', 'pass_through', 'recurrent', 'dense', 'activation']);
  const gru = model.layers[3]!;
  assert.ok(gru.kind === 'recurrent');
  assert.deepEqual(gru.weights.kernel.shape, [4, 9], 'concat of 2 × 2 units');
  const act = model.layers[5]!;
  assert.ok(act.kind === 'activation' && act.activation === 'softmax');
});

test('a branching Functional model is a graph; a Conv1D layer loads', async () => {
  const { model } = await load('functional_branch.json');
  assert.deepEqual(kinds(model.layers), ['pass_through', 'recurrent', 'recurrent', 'merge', 'dense']);
  const concat = model.graph!.nodes.find((n) => model.layers[n.layer]!.kind === 'merge')!;
  assert.deepEqual(concat.inputs, [{ node: 1, output: 0 }, { node: 2, output: 0 }], 'Concatenate reads the LSTM and the GRU');
  const conv = await load('conv1d_lstm.json');
  assert.equal(conv.model.layers.find((l) => l.kind === 'conv1d')?.name, 'conv1d');
});

test('recording of the LSTM model: output, per-layer hidden sequence and states; usable as expected output', () => {
  const bytes = readFileSync(file('lstm_dense.recording.json'));
  const rec = loadRecordingBytes(bytes, 'lstm_dense.recording.json');
  assert.deepEqual(rec.input?.shape, [2, 6, 3]);
  assert.deepEqual(rec.output.shape, [2, 2]);
  assert.equal(rec.predictCalls, 1);
  assert.equal(rec.kerasVersion, '3.15.1');
  assert.equal(rec.layers[0]?.className, 'LSTM');
  assert.deepEqual(rec.layers[0]?.output.shape, [2, 6, 4]);
  assert.deepEqual(rec.layers[0]?.states?.map((s) => s.shape), [[2, 4], [2, 4]]);
  assert.deepEqual(loadExpectedBytes(bytes, 'x.json').output.shape, [2, 2]);
  // As a model, a recording is refused with a pointer to what it is.
  expectLoadError(() => loadModelText(bytes.toString('utf8'), 'rec.json'), 'rec.json', '`format`', 'cellscope-recording/v1', 'expected output');
});

test('loadModelBytes reads the same as loadModelFile', async () => {
  const a = await loadModelBytes(readFileSync(file('lstm_dense.json')), 'lstm_dense.json');
  assert.equal(a.model.layers.length, 3);
});

test('weights land in the right places: the engine reproduces the Keras 3 recording from the export', async () => {
  const { runModel } = await import('../../src/engine');
  const { model } = await load('lstm_dense.json');
  const rec = loadRecordingBytes(readFileSync(file('lstm_dense.recording.json')), 'rec.json');
  const out = runModel(model, rec.input!, {}).output;
  assert.deepEqual(out.shape, rec.output.shape);
  // The export's weights are rounded to 6 decimals; Keras ran on the unrounded float32 ones.
  out.data.forEach((v, i) => assert.ok(Math.abs(v - rec.output.data[i]!) < 1e-5, `output[${i}]: ${v} vs ${rec.output.data[i]}`));
});
