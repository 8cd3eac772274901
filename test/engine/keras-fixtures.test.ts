// The engine against outputs recorded by real Keras 2 (keras-js data) and computed by real Keras 3.15.1:
// every case, both precisions, within 1e-5 (the fixtures' own README suggests it; keras-recorded rounds to 6 places).
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test } from 'node:test';
import { compareTensors } from '../../src/compare/compare';
import { runModel } from '../../src/engine';
import { loadModelFile } from '../../src/formats/node-files';
import { fixtureFiles } from '../fixtures-path';

for (const family of ['keras-recorded', 'keras3-generated']) {
  for (const precision of ['float64', 'float32'] as const) {
    test(`${family}: every case matches Keras within 1e-5 in ${precision}`, async (t) => {
      let worst = 0;
      const files = fixtureFiles(family);
      assert.ok(files.length >= 35, `expected the shared fixtures, found ${files.length} files`);
      for (const file of files) {
        const { model, input, expectedOutput, predictCalls } = await loadModelFile(file);
        const r = runModel(model, input!, { precision, predictCalls });
        const c = compareTensors(r.output, expectedOutput!, { atol: 1e-5, rtol: 0 });
        assert.ok(c.pass, `${basename(file)} (${precision}): ${c.shapeMismatch ?? `max |Δ| ${c.maxAbs} at ${c.maxAbsAt?.text}`}`);
        worst = Math.max(worst, c.maxAbs);
      }
      t.diagnostic(`${family} ${precision}: max |Δ| over ${files.length} cases = ${worst.toExponential(2)}`);
    });
  }
}

test('keras-recorded: Keras 3 hard_sigmoid misses the Keras 2 recordings (the formula matters)', async () => {
  const file = fixtureFiles('keras-recorded').find((f) => f.endsWith('kerasjs-LSTM-0.json'))!;
  const { model, input, expectedOutput } = await loadModelFile(file);
  assert.equal(model.semantics.hardSigmoid, 'keras2');
  const wrong = compareTensors(runModel(model, input!, { hardSigmoid: 'keras3' }).output, expectedOutput!);
  assert.ok(wrong.maxAbs > 1e-3, `keras3 hard_sigmoid should miss by > 1e-3; missed by ${wrong.maxAbs}`);
});

test('stateful cases need the second call: one predict from zero state misses the recording', async () => {
  const file = fixtureFiles('keras-recorded').find((f) => f.endsWith('kerasjs-LSTM-5.json'))!;
  const { model, input, expectedOutput, predictCalls } = await loadModelFile(file);
  assert.equal(predictCalls, 2);
  assert.ok(!compareTensors(runModel(model, input!, { predictCalls: 1 }).output, expectedOutput!).pass);
  assert.ok(compareTensors(runModel(model, input!, { predictCalls: 2 }).output, expectedOutput!).pass);
});

test('initial states: a run seeded with the first call\'s final states reproduces Keras\'s stateful second call', async () => {
  for (const name of ['kerasjs-LSTM-7.json', 'kerasjs-GRU-5.json', 'kerasjs-SimpleRNN-6.json']) {
    const file = fixtureFiles('keras-recorded').find((f) => f.endsWith(name))!;
    const { model, input, expectedOutput } = await loadModelFile(file);
    const layer = model.layers.find((l) => l.kind === 'recurrent')!;
    assert.equal(layer.kind, 'recurrent');
    // A fresh, non-stateful copy of the layer that returns its states, run once from zeros.
    const plain = { ...model, layers: model.layers.map((l) => (l === layer && l.kind === 'recurrent' ? { ...l, config: { ...l.config, stateful: false, returnState: true } } : l)) };
    const first = runModel(plain, input!);
    assert.equal(first.outputs.length, layer.cell === 'lstm' ? 3 : 2, 'return_state adds h (and c)');
    const seeded = runModel(plain, input!, { initialStates: { [layer.name]: first.outputs.slice(1) } });
    const c = compareTensors(seeded.output, expectedOutput!, { atol: 1e-5, rtol: 0 });
    assert.ok(c.pass, `${name}: max |Δ| ${c.maxAbs}`);
  }
});
