// The heatmap title's "padding skipped at t = …" (src/panel/masked-steps.ts): on a real Keras 3 masked model
// (test/fixtures/architectures/imdb_gru_sequential_masked, Embedding(mask_zero)), the skipped times of each batch
// item are exactly the positions of its padding token 0 in the input, for a forward and a go_backwards layer alike.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runModel } from '../../src/engine/index';
import { loadModelBytes } from '../../src/formats/index';
import { rangesText, skippedTimes } from '../../src/panel/masked-steps';
import { FIXTURES } from '../fixtures-path';

test('rangesText: runs of consecutive times as ranges', () => {
  assert.equal(rangesText([]), '');
  assert.equal(rangesText([3, 4, 5, 6, 9, 11, 12]), '3–6, 9, 11–12');
});

test('skipped times are the padding positions of the input, item by item', async () => {
  const d = join(FIXTURES, 'architectures', 'imdb_gru_sequential_masked');
  const { model } = await loadModelBytes(readFileSync(join(d, 'model.keras')), 'model.keras');
  const inp = JSON.parse(readFileSync(join(d, 'reference.json'), 'utf8')).inputs[0];
  const input = { shape: inp.shape, data: Float64Array.from(inp.data as number[]) };
  const trace = runModel(model, input).trace!;
  const [B, T] = inp.shape as [number, number];
  let padded = 0;
  for (const lt of trace.layers) {
    for (let b = 0; b < B; b++) {
      const zeros = Array.from({ length: T }, (_, t) => t).filter((t) => inp.data[b * T + t] === 0);
      padded += zeros.length;
      const masked = lt.masked ? lt.masked.subarray(b * T, (b + 1) * T) : null;
      assert.deepEqual(skippedTimes(masked, lt.inputTimeOfStep), zeros, `${lt.layerName} item ${b}`);
    }
  }
  assert.ok(padded > 0, 'the fixture has padding');
});
