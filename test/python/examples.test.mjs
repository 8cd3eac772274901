// The shipped examples (examples/, written by examples/make_examples.py with real Keras 3) must load with the
// project's loader and the engine must reproduce what Keras recorded. No Python needed: the files are checked in.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { REPO_ROOT } from '../../scripts/python-env.mjs';
import { maxAbsDiff, sequenceFromTrace, toTensor } from './trace-sequences.mjs';

const EXAMPLES = join(REPO_ROOT, 'examples');
const TOLERANCE = 1e-5;

const formats = await import('../../src/formats/index.ts');
const engine = await import('../../src/engine/index.ts');

const bytes = (p) => new Uint8Array(readFileSync(p));

for (const name of ['sine-wave', 'sine-lstm', 'char-rnn']) {
  test(`examples/${name}: engine reproduces the Keras recording`, async () => {
    const dir = join(EXAMPLES, name);
    const { model } = await formats.loadModelBytes(bytes(join(dir, 'model.cellscope.json')), 'model.cellscope.json');
    const recording = JSON.parse(readFileSync(join(dir, 'recording.json'), 'utf8'));
    const input = formats.loadArrayBytes(bytes(join(dir, 'input.json')), 'input.json');
    assert.deepEqual(Array.from(input.shape), recording.input.shape);
    if (name === 'char-rnn') {
      assert.equal(model.vocabulary?.length, 25);
      assert.ok(model.inputIsTokens);
    }
    for (const precision of ['float64', 'float32']) {
      const result = engine.runModel(model, input, { precision });
      const d = maxAbsDiff('output', result.output, toTensor(recording.output));
      let worst = d;
      assert.ok(d <= TOLERANCE, `${name} (${precision}): output off by ${d}`);
      for (const rl of recording.layers) {
        const index = model.layers.findIndex((l) => l.name === rl.name);
        const { seq } = sequenceFromTrace(result.trace, model.layers[index], index);
        const ds = maxAbsDiff('sequence', seq, toTensor(rl.output));
        assert.ok(ds <= TOLERANCE, `${name}/${rl.name} (${precision}): hidden sequence off by ${ds}`);
        worst = Math.max(worst, ds);
      }
      process.stderr.write(`# examples/${name} ${precision}: largest |Δ| ${worst.toExponential(2)}\n`);
    }
    // The recording reader accepts it too.
    const viaLoader = formats.loadRecordingBytes(bytes(join(dir, 'recording.json')), 'recording.json');
    assert.equal(viaLoader.layers.length, recording.layers.length);
  });
}

const handBuilt = readdirSync(join(EXAMPLES, 'hand-built')).filter((f) => f.endsWith('.json'));

test('examples/hand-built: every file is there', () => {
  assert.deepEqual(handBuilt.sort(), [
    'count-lstm.json',
    'identity-lstm.json',
    'mean-lstm.json',
    'relu-counter.json',
    'sum-lstm.json',
    'tanh-neuron.json',
  ]);
});

for (const file of handBuilt) {
  test(`examples/hand-built/${file}: engine gives the expected output`, async () => {
    const loaded = await formats.loadModelBytes(bytes(join(EXAMPLES, 'hand-built', file)), file);
    assert.ok(loaded.input && loaded.expectedOutput);
    for (const precision of ['float64', 'float32']) {
      const result = engine.runModel(loaded.model, loaded.input, { precision, predictCalls: loaded.predictCalls });
      const d = maxAbsDiff(file, result.output, loaded.expectedOutput);
      // The seeds' integer outputs (±inf biases, relu counter) must come out exactly.
      const tolerance = file.startsWith('tanh-neuron') ? TOLERANCE : 0;
      assert.ok(d <= tolerance, `${file} (${precision}): off by ${d}`);
    }
  });
}
