// The in-process panel run of VS Code for the Web (no engine worker there): a block of batch items at a time, with
// progress and Cancel between blocks. The joined blocks must be the one-go run bit for bit (outputs, every layer's
// output, every traced quantity), and Keras's recording must still be met; Cancel stops it before the next block;
// the thread gets its turns while it runs (a timer set before the run fires before the run ends).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareTensors } from '../../src/compare/compare';
import { runModel, type RunResult } from '../../src/engine/index';
import { loadExpectedBytes, loadModelBytes } from '../../src/formats/index';
import type { Model } from '../../src/engine/model';
import { BlockRunCancelled, runInBlocks } from '../../src/panel/run-in-blocks';
import { RunCancelledError, startEngineRun } from '../../src/worker/client';

async function example(dir: string) {
  const base = join(process.cwd(), 'examples', dir);
  const loaded = await loadModelBytes(readFileSync(join(base, 'model.cellscope.json')), 'model.cellscope.json');
  const rec = loadExpectedBytes(readFileSync(join(base, 'recording.json')), 'recording.json');
  return { model: (loaded as { model: Model }).model, input: rec.input!, expected: rec.output };
}

function assertSameRun(a: RunResult, b: RunResult): void {
  assert.deepEqual(a.outputs.map((t) => t.shape), b.outputs.map((t) => t.shape));
  a.outputs.forEach((t, i) => assert.deepEqual(t.data, b.outputs[i]!.data, `output ${i}`));
  a.layerOutputs.forEach((t, i) => assert.deepEqual(t.data, b.layerOutputs[i]!.data, `layer output ${i}`));
  assert.equal(a.trace!.layers.length, b.trace!.layers.length);
  a.trace!.layers.forEach((l, i) => {
    const m = b.trace!.layers[i]!;
    assert.deepEqual([l.batch, l.steps, l.units], [m.batch, m.steps, m.units]);
    l.values.forEach((v, q) => assert.deepEqual(v, m.values[q], `${l.layerName} ${l.quantities[q]!.key}`));
    assert.deepEqual(l.masked, m.masked);
  });
}

for (const precision of ['float64', 'float32'] as const) {
  test(`examples/sine-lstm (395 windows) in blocks, ${precision}: the one-go run bit for bit, Keras's recording met, progress to the end`, async () => {
    const { model, input, expected } = await example('sine-lstm');
    const whole = runModel(model, input, { precision, record: true });
    const progress: number[] = [];
    // Small blocks (1 ms), so the run really is cut into many.
    const blocks = await runInBlocks(model, input, { precision, record: true }, { blockMs: 1, onProgress: (done, total) => (assert.equal(total, 395), progress.push(done)) });
    assert.ok(progress.length > 3, `${progress.length} blocks`);
    assert.deepEqual(progress, [...progress].sort((x, y) => x - y));
    assert.equal(progress.at(-1), 395);
    assertSameRun(blocks, whole);
    const c = compareTensors(blocks.output, expected!, { atol: 1e-5, rtol: 0 });
    assert.ok(c.pass, `max |Δ| ${c.maxAbs} against Keras`);
  });
}

test('examples/char-rnn (embedding, softmax head) in blocks of one item: the one-go run bit for bit', async () => {
  const { model, input } = await example('char-rnn');
  const whole = runModel(model, input, { precision: 'float32', record: true });
  assertSameRun(await runInBlocks(model, input, { precision: 'float32', record: true }, { blockMs: 0 }), whole);
});

test('a two-input, two-output model (test/fixtures/panel-multi-input) in blocks of one item: every input cut alike, the one-go run bit for bit, both of Keras\'s outputs met', async () => {
  const dir = join(process.cwd(), 'test', 'fixtures', 'panel-multi-input');
  const { model } = (await loadModelBytes(readFileSync(join(dir, 'model.keras')), 'model.keras')) as { model: Model };
  const rec = loadExpectedBytes(readFileSync(join(dir, 'recording.json')), 'recording.json');
  const inputs = rec.inputs!;
  const whole = runModel(model, inputs, { record: true });
  const progress: number[] = [];
  const blocks = await runInBlocks(model, inputs, { record: true }, { blockMs: 0, onProgress: (d) => progress.push(d) });
  assert.deepEqual(progress, [1, 2, 3], 'one item per block');
  assertSameRun(blocks, whole);
  rec.outputs!.forEach((e, i) => assert.ok(compareTensors(blocks.outputs[i]!, e, { atol: 1e-6, rtol: 0 }).pass, `output ${i} vs Keras`));
});

test('Cancel between blocks: the run stops before the next block; a timer set before the run fires while it runs', async () => {
  const { model, input } = await example('sine-lstm');
  let cancelled = false;
  let blocksRun = 0;
  let timerFired = false;
  setTimeout(() => (timerFired = true), 0);
  const run = runInBlocks(model, input, { precision: 'float64', record: true }, {
    blockMs: 1,
    isCancelled: () => cancelled,
    onProgress: () => {
      blocksRun++;
      if (blocksRun === 3) cancelled = true;
    },
  });
  await assert.rejects(run, BlockRunCancelled);
  assert.equal(blocksRun, 3);
  assert.ok(timerFired, 'the event loop had a turn between blocks');
});

test('startEngineRun without a worker bundle (as in VS Code for the Web): progress reported, Cancel rejects at once with RunCancelledError', async () => {
  const { model, input, expected } = await example('sine-lstm');
  const seen: number[] = [];
  let run: ReturnType<typeof startEngineRun> | undefined;
  run = startEngineRun(model, input, { precision: 'float64', record: true }, { expected, onProgress: (done) => (seen.push(done), done > 1 && void run!.cancel()) });
  assert.equal(run.where, 'in-process');
  await assert.rejects(run.promise, RunCancelledError);
  assert.ok(seen.length >= 2 && seen.at(-1)! < 395, `stopped early: ${seen.join(', ')}`);
  // A run left alone finishes with the same numbers as the one-go run.
  const full = await startEngineRun(model, input, { precision: 'float64', record: true }, { expected }).promise;
  assert.deepEqual(full.result.output.data, runModel(model, input, { precision: 'float64', record: true }).output.data);
  assert.ok(full.analysed);
});
