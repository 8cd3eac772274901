// Keras 2 style to_json() configs. No Keras 2 is installable here (TensorFlow 2.16+ ships Keras 3), so these are
// written by hand after tf.keras 2.x's documented to_json() output: class_name only (no module /
// registered_name), batch_input_shape, dtype as a plain string, keras_version + backend at the top level,
// list-style inbound_nodes for Functional models; plus the older Keras ≤ 2.2.2 Sequential whose config is a bare list.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDoc, nested } from './helpers';
import { english } from '../../src/phrase';

const initializer = (name: string) => ({ class_name: name, config: { seed: null } });

function lstmConfig(name: string, units: number, extra: Record<string, unknown> = {}) {
  return {
    name, trainable: true, dtype: 'float32', return_sequences: false, return_state: false, go_backwards: false, stateful: false,
    unroll: false, time_major: false, units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true,
    kernel_initializer: initializer('GlorotUniform'), recurrent_initializer: initializer('Orthogonal'),
    bias_initializer: { class_name: 'Zeros', config: {} }, unit_forget_bias: true, kernel_regularizer: null,
    recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null,
    recurrent_constraint: null, bias_constraint: null, dropout: 0.0, recurrent_dropout: 0.0, implementation: 2, ...extra,
  };
}

function denseConfig(name: string, units: number, activation: string) {
  return { name, trainable: true, dtype: 'float32', units, activation, use_bias: true, kernel_initializer: initializer('GlorotUniform'), bias_initializer: { class_name: 'Zeros', config: {} } };
}

test('tf.keras 2.15 Sequential: InputLayer batch_input_shape, LSTM, Dense → Keras 2 semantics from keras_version', () => {
  const doc = {
    model: {
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 10, 3], dtype: 'float32', sparse: false, ragged: false, name: 'lstm_input' } },
          { class_name: 'LSTM', config: lstmConfig('lstm', 4) },
          { class_name: 'Dense', config: denseConfig('dense', 1, 'sigmoid') },
        ],
      },
      keras_version: '2.15.0',
      backend: 'tensorflow',
    },
    weights: [nested([3, 16]), nested([4, 16]), nested([16]), nested([4, 1]), nested([1])],
  };
  const { model } = loadDoc(doc, 'tfkeras.json');
  assert.equal(model.semantics.kerasMajor, 2);
  assert.equal(model.semantics.hardSigmoid, 'keras2');
  assert.match(english(model.semantics.decidedBy), /keras_version "2\.15\.0" in the model config/);
  assert.equal(model.source.kerasVersion, '2.15.0');
  assert.deepEqual(model.inputShape, [10, 3]);
  assert.deepEqual(model.layers.map((l) => l.kind), ['pass_through', 'recurrent', 'dense']);
});

for (const className of ['Functional', 'Model']) test(`Keras 2 ${className} (tf.keras ≥ 2.4 / older) with list-style inbound_nodes; GRU without reset_after and no version → Keras 2, reset_after false`, () => {
  const doc = {
    model: {
      class_name: className,
      config: {
        name: 'model',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, null, 2], dtype: 'float32', name: 'input_1' }, name: 'input_1', inbound_nodes: [] },
          { class_name: 'GRU', config: { name: 'gru', units: 3, activation: 'tanh', recurrent_activation: 'hard_sigmoid', return_sequences: true }, name: 'gru', inbound_nodes: [[['input_1', 0, 0, {}]]] },
          { class_name: 'TimeDistributed', config: { name: 'td', layer: { class_name: 'Dense', config: denseConfig('dense', 2, 'linear') } }, name: 'td', inbound_nodes: [[['gru', 0, 0, {}]]] },
        ],
        input_layers: [['input_1', 0, 0]],
        output_layers: [['td', 0, 0]],
      },
    },
    weights: [nested([2, 9]), nested([3, 9]), nested([9]), nested([3, 2]), nested([2])],
  };
  const { model } = loadDoc(doc);
  assert.equal(model.semantics.kerasMajor, 2);
  assert.match(english(model.semantics.decidedBy), /no keras_version.*Keras 2 is assumed/);
  const gru = model.layers[1]!;
  assert.ok(gru.kind === 'recurrent' && gru.config.resetAfter === false && gru.config.recurrentActivation === 'hard_sigmoid');
  assert.deepEqual(model.inputShape, [null, 2]);
  const td = model.layers[2]!;
  assert.ok(td.kind === 'dense' && td.timeDistributed);
});

test('the same GRU config spelled Keras 3 style (module keys, no version) defaults to reset_after true', () => {
  const doc = {
    model: {
      module: 'keras', class_name: 'Sequential', registered_name: null,
      config: {
        name: 'seq',
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 5, 2], name: 'input_layer' }, registered_name: null },
          { module: 'keras.layers', class_name: 'GRU', config: { name: 'gru', units: 3, activation: { module: 'keras.activations', class_name: 'function', config: 'tanh', registered_name: 'function' } }, registered_name: null },
        ],
      },
    },
    weights: [nested([2, 9]), nested([3, 9]), nested([2, 9])],
  };
  const { model } = loadDoc(doc);
  assert.equal(model.semantics.kerasMajor, 3);
  assert.match(english(model.semantics.decidedBy), /Keras 3 keys \("module"\)/);
  const gru = model.layers[1]!;
  assert.ok(gru.kind === 'recurrent' && gru.config.resetAfter === true && gru.config.activation === 'tanh');
});

test('Keras 2.1 era: Sequential config as a bare list, batch_input_shape on the Bidirectional, merge_mode ave', () => {
  const doc = {
    keras_version: '2.1.2',
    model: {
      class_name: 'Sequential',
      config: [
        {
          class_name: 'Bidirectional',
          config: { name: 'bidirectional_1', batch_input_shape: [null, 4, 3], merge_mode: 'ave', layer: { class_name: 'SimpleRNN', config: { name: 'simple_rnn_1', units: 2, activation: 'relu', go_backwards: true } } },
        },
        { class_name: 'Dropout', config: { name: 'dropout_1', rate: 0.5 } },
        { class_name: 'Dense', config: { name: 'dense_1', units: 1, activation: 'sigmoid' } },
      ],
    },
    weights: [nested([3, 2]), nested([2, 2]), nested([2]), nested([3, 2], 5), nested([2, 2], 5), nested([2], 5), nested([2, 1]), nested([1])],
  };
  const { model } = loadDoc(doc);
  assert.match(english(model.semantics.decidedBy), /keras_version "2\.1\.2" in the file/);
  const bi = model.layers[0]!;
  assert.ok(bi.kind === 'bidirectional' && bi.mergeMode === 'ave');
  assert.equal(bi.forward.config.goBackwards, true);
  assert.equal(bi.backward.config.goBackwards, false, 'the backward copy of a go_backwards layer reads forwards');
  assert.notDeepEqual([...bi.forward.weights.kernel.data], [...bi.backward.weights.kernel.data]);
  assert.deepEqual(model.inputShape, [4, 3]);
});

test('Keras 1/2 style input_dim + input_length on the first layer; Embedding input_dim is the vocabulary, not features', () => {
  const rnn = loadDoc({
    model: { class_name: 'Sequential', config: { layers: [{ class_name: 'SimpleRNN', config: { name: 'rnn', units: 2, input_dim: 5, input_length: 7 } }] } },
    weights: [nested([5, 2]), nested([2, 2]), nested([2])],
  }).model;
  assert.deepEqual(rnn.inputShape, [7, 5]);
  const emb = loadDoc({
    model: {
      class_name: 'Sequential',
      config: { layers: [{ class_name: 'Embedding', config: { name: 'emb', input_dim: 20, output_dim: 3, input_length: 6 } }, { class_name: 'LSTM', config: { name: 'lstm', units: 2 } }] },
    },
    weights: [nested([20, 3]), nested([3, 8]), nested([2, 8]), nested([8])],
  }).model;
  assert.deepEqual(emb.inputShape, [6]);
  assert.equal(emb.inputIsTokens, true);
});

test('no input shape anywhere: features come from the first kernel', () => {
  const { model } = loadDoc({
    model: { class_name: 'Sequential', config: { layers: [{ class_name: 'LSTM', config: { name: 'lstm', units: 2, activation: null } }] } },
    weights: [nested([6, 8]), nested([2, 8]), nested([8])],
  });
  assert.deepEqual(model.inputShape, [null, 6]);
  const lstm = model.layers[0]!;
  assert.ok(lstm.kind === 'recurrent' && lstm.config.activation === 'linear', 'activation None means linear');
});
