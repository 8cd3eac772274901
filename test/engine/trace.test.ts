// The trace is what the panel draws: its h rows must be the outputs Keras recorded, step by step, with go_backwards
// steps mapped back to input time; gates must obey their cell's equations at every step.
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test } from 'node:test';
import { runModel, series, vectorAt } from '../../src/engine';
import { loadModelFile } from '../../src/formats/node-files';
import { fixtureFiles } from '../fixtures-path';

const byName = (name: string) => fixtureFiles('keras-recorded').find((f) => basename(f) === name)!;

for (const name of ['kerasjs-LSTM-2.json', 'kerasjs-GRU-4.json', 'kerasjs-SimpleRNN-4.json', 'kerasjs-LSTM-8.json']) {
  test(`${name}: the trace's h at every processing step is Keras's return_sequences output`, async () => {
    const { model, input, expectedOutput, predictCalls } = await loadModelFile(byName(name));
    const r = runModel(model, input!, { predictCalls });
    const lt = r.trace!.layers[0]!;
    const [, steps, units] = expectedOutput!.shape as [number, number, number];
    assert.equal(lt.steps, steps);
    for (let s = 0; s < steps; s++) {
      const h = vectorAt(lt, 'h', 0, s);
      for (let j = 0; j < units; j++) assert.ok(Math.abs(h[j]! - expectedOutput!.data[s * units + j]!) < 1e-5, `step ${s} unit ${j}`);
    }
  });
}

test('go_backwards: processing step s consumed input time T-1-s, and input-order series reverse it', async () => {
  const { model, input } = await loadModelFile(byName('kerasjs-LSTM-4.json'));
  const lt = runModel(model, input!).trace!.layers[0]!;
  assert.deepEqual(Array.from(lt.inputTimeOfStep), [2, 1, 0]);
  const processing = series(lt, 'h', 0, 1, 'processing');
  const inputOrder = series(lt, 'h', 0, 1, 'input');
  assert.deepEqual(Array.from(inputOrder), Array.from(processing).reverse());
});

test('LSTM trace obeys c = f·c_prev + i·c̃ and h = o·tanh(c) at every step', async () => {
  const { model, input } = await loadModelFile(byName('kerasjs-LSTM-2.json'));
  const lt = runModel(model, input!).trace!.layers[0]!;
  for (let s = 0; s < lt.steps; s++) {
    const [i, f, g, o, c, h] = ['i', 'f', 'c_tilde', 'o', 'c', 'h'].map((k) => vectorAt(lt, k, 0, s));
    const cPrev = s ? vectorAt(lt, 'c', 0, s - 1) : new Float64Array(lt.units);
    for (let j = 0; j < lt.units; j++) {
      assert.ok(Math.abs(c![j]! - (f![j]! * cPrev[j]! + i![j]! * g![j]!)) < 1e-12);
      assert.ok(Math.abs(h![j]! - o![j]! * Math.tanh(c![j]!)) < 1e-12);
      // hard_sigmoid (Keras 2) of the recorded pre-activation gives the recorded gate.
      const pre = vectorAt(lt, 'pre_i', 0, s)[j]!;
      assert.ok(Math.abs(i![j]! - Math.min(1, Math.max(0, 0.2 * pre + 0.5))) < 1e-12);
    }
  }
});

test('Bidirectional records both directions; the backward one ran from the last input step', async () => {
  const { model, input } = await loadModelFile(byName('kerasjs-Bidirectional-6.json'));
  const layers = runModel(model, input!).trace!.layers;
  assert.deepEqual(layers.map((l) => l.direction), ['forward', 'backward']);
  assert.deepEqual(Array.from(layers[1]!.inputTimeOfStep), [2, 1, 0]);
  assert.ok(runModel(model, input!, { record: false }).trace === null);
});
