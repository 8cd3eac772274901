// Every shared fixture loads, and the loaded model says what the fixture's README says it is.
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import type { Layer, RecurrentLayer } from '../../src/engine/model';
import { loadModelBytes } from '../../src/formats/index';
import { fixtureFiles, readJson } from './helpers';
import { english } from '../../src/phrase';

const CELL: Record<string, string> = { SimpleRNN: 'simple_rnn', LSTM: 'lstm', GRU: 'gru' };

function checkRecurrent(layer: RecurrentLayer, className: string, cfg: any, defaultResetAfter: boolean) {
  assert.equal(layer.cell, CELL[className]);
  assert.equal(layer.config.units, cfg.units);
  assert.equal(layer.config.activation, cfg.activation);
  if (className !== 'SimpleRNN') assert.equal(layer.config.recurrentActivation, cfg.recurrent_activation ?? 'sigmoid');
  assert.equal(layer.config.returnSequences, cfg.return_sequences ?? false);
  assert.equal(layer.config.stateful, cfg.stateful ?? false);
  assert.equal(layer.config.useBias, cfg.use_bias ?? true);
  if (className === 'GRU') assert.equal(layer.config.resetAfter, cfg.reset_after ?? defaultResetAfter);
  const gates = { SimpleRNN: 1, LSTM: 4, GRU: 3 }[className]!;
  const u = cfg.units as number;
  assert.deepEqual(layer.weights.recurrentKernel.shape, [u, gates * u]);
  assert.equal(layer.weights.kernel.shape[1], gates * u);
  if (layer.weights.bias) assert.deepEqual(layer.weights.bias.shape, layer.config.resetAfter ? [2, gates * u] : [gates * u]);
  assert.ok(layer.weights.kernel.data instanceof Float64Array);
}

function checkLayer(layer: Layer, json: any, defaultResetAfter: boolean) {
  if (json.class_name === 'Bidirectional') {
    assert.equal(layer.kind, 'bidirectional');
    if (layer.kind !== 'bidirectional') return;
    const inner = json.config.layer;
    assert.equal(layer.mergeMode, json.config.merge_mode);
    checkRecurrent(layer.forward, inner.class_name, inner.config, defaultResetAfter);
    checkRecurrent(layer.backward, inner.class_name, inner.config, defaultResetAfter);
    assert.equal(layer.forward.config.goBackwards, inner.config.go_backwards ?? false);
    assert.equal(layer.backward.config.goBackwards, !(inner.config.go_backwards ?? false), 'backward copy has go_backwards flipped');
    assert.notEqual(layer.forward.weights.kernel, layer.backward.weights.kernel, 'backward has its own weights');
  } else if (json.class_name === 'Dense') {
    assert.equal(layer.kind, 'dense');
    if (layer.kind === 'dense') {
      assert.equal(layer.units, json.config.units);
      assert.equal(layer.activation, json.config.activation);
    }
  } else {
    assert.equal(layer.kind, 'recurrent');
    if (layer.kind === 'recurrent') {
      checkRecurrent(layer, json.class_name, json.config, defaultResetAfter);
      assert.equal(layer.config.goBackwards, json.config.go_backwards ?? false);
    }
  }
}

test('keras-recorded fixtures load with Keras 2 semantics (hard_sigmoid keras2)', async () => {
  const files = fixtureFiles('keras-recorded');
  assert.equal(files.length, 35);
  for (const file of files) {
    const doc = readJson(file);
    const loaded = await loadModelBytes(readFileSync(file), basename(file));
    const { model } = loaded;
    assert.equal(model.source.format, 'keras-recorded-fixture/v1');
    assert.equal(model.semantics.kerasMajor, 2, file);
    assert.equal(model.semantics.hardSigmoid, 'keras2', file);
    assert.match(english(model.semantics.decidedBy), /keras-recorded-fixture\/v1/);
    assert.equal(model.layers.length, 1);
    checkLayer(model.layers[0]!, doc.layer, false);
    assert.deepEqual(model.inputShape, doc.layer.config.batch_input_shape.slice(1));
    assert.equal(model.inputIsTokens, false);
    assert.deepEqual(loaded.input?.shape, doc.input.shape);
    assert.deepEqual(loaded.expectedOutput?.shape, doc.expected_output.shape);
    assert.equal(loaded.predictCalls, doc.predict_calls);
    assert.equal(loaded.input!.data[0], doc.input.data[0]);
  }
});

test('keras3-generated fixtures load with Keras 3 semantics, stacked layers, reset_after GRUs, Dense heads', async () => {
  const files = fixtureFiles('keras3-generated');
  assert.equal(files.length, 39);
  let resetAfterTrue = 0;
  let flippedToForward = 0;
  for (const file of files) {
    const doc = readJson(file);
    const loaded = await loadModelBytes(readFileSync(file), basename(file));
    const { model } = loaded;
    assert.equal(model.source.format, 'keras-model-fixture/v1');
    assert.equal(model.semantics.kerasMajor, 3, file);
    assert.equal(model.semantics.hardSigmoid, 'keras3');
    assert.equal(model.source.kerasVersion, '3.15.1');
    assert.equal(model.layers.length, doc.layers.length);
    doc.layers.forEach((json: any, i: number) => checkLayer(model.layers[i]!, json, true));
    const features = doc.input.shape[2];
    assert.deepEqual(model.inputShape, [null, features]);
    assert.deepEqual(loaded.input?.shape, doc.input.shape);
    assert.deepEqual(loaded.expectedOutput?.shape, doc.expected_output.shape);
    assert.equal(loaded.predictCalls, doc.predict_calls);
    for (const l of model.layers) {
      const cells = l.kind === 'bidirectional' ? [l.forward, l.backward] : l.kind === 'recurrent' ? [l] : [];
      resetAfterTrue += cells.filter((c) => c.cell === 'gru' && c.config.resetAfter && c !== (l as any).backward).length;
      if (l.kind === 'bidirectional' && l.forward.config.goBackwards) flippedToForward++;
    }
  }
  assert.equal(resetAfterTrue, 18, 'README: 18 GRU reset_after=True layers');
  assert.equal(flippedToForward, 7, 'README: 7 Bidirectional wrap a go_backwards layer; their backward copy reads forwards');
});
