// Recordings that carry every recurrent layer's hidden sequence (python/cellscope_export.py, real Keras 3.15.1):
// the diagnosis names the first layer whose sequence diverges, or says every recorded layer matches.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { diagnose } from '../../src/diagnose';
import { loadExpectedFile, loadModelFile } from '../../src/formats/node-files';
import type { Layer } from '../../src/engine/model';
import { REPO } from '../fixtures-path';
import { config, mapRecurrent, record, storeInOrder } from './helpers';

const dir = (name: string) => join(REPO, 'examples', name);

test('char-rnn (Embedding → LSTM → Dense): LSTM gates in i,f,o,c order — the lstm layer diverges first', async (t) => {
  const { model } = await loadModelFile(join(dir('char-rnn'), 'model.cellscope.json'));
  const rec = await loadExpectedFile(join(dir('char-rnn'), 'recording.json'));
  const clean = diagnose(model, rec.input!, rec);
  assert.equal(clean.verdict, 'match');
  assert.equal(clean.firstDivergentLayer, null);
  const keras = ['i', 'f', 'c', 'o'];
  const order = ['i', 'f', 'o', 'c'];
  const wrong = mapRecurrent(model, (l) => ({
    ...l,
    weights: { kernel: storeInOrder(l.weights.kernel, keras, order), recurrentKernel: storeInOrder(l.weights.recurrentKernel, keras, order), bias: storeInOrder(l.weights.bias!, keras, order) },
  }));
  const d = diagnose(wrong, rec.input!, rec);
  record(t, 'char-rnn LSTM gates i,f,o,c', `${d.before.toExponential(2)} → ${d.best?.after.toExponential(2)} (${d.best?.id}), first diverging layer ${d.firstDivergentLayer}`);
  assert.equal(d.firstDivergentLayer, 'lstm');
  assert.equal(d.best?.id, 'lstm-gate-order:i,f,o,c');
  assert.ok(d.best!.after <= 1e-5);
});

test('sine-lstm (LSTM → Dense → Activation): a wrong Dense head leaves every recorded layer matching', async (t) => {
  const { model } = await loadModelFile(join(dir('sine-lstm'), 'model.cellscope.json'));
  const rec = await loadExpectedFile(join(dir('sine-lstm'), 'recording.json'));
  const head = model.layers.map((l): Layer => (l.kind === 'dense' ? { ...l, bias: l.bias ? { shape: l.bias.shape, data: l.bias.data.map((v) => v + 0.1) } : null } : l));
  const d = diagnose({ ...model, layers: head }, rec.input!, rec);
  record(t, 'sine-lstm Dense bias +0.1', `${d.before.toExponential(2)} (${d.verdict}); layers: ${d.layers.map((l) => `${l.layer} ${l.comparison.maxAbs.toExponential(2)}`).join(', ')}`);
  assert.equal(d.baseline.pass, false);
  assert.equal(d.firstDivergentLayer, null);
  assert.ok(d.layers.length >= 1 && d.layers.every((l) => l.comparison.pass));
  assert.ok(d.summary.length > 0);
  // The recurrent layer's own mistake shows up at that layer.
  const act = diagnose(mapRecurrent(model, (l) => config(l, { activation: 'relu' })), rec.input!, rec);
  assert.equal(act.firstDivergentLayer, 'lstm');
});
