// The engine run in chunks of time steps (runModelSteps with `chunkWork`, what VS Code for the Web's in-process
// panel run uses so that one long sequence gives the thread back): the recurrent states are carried from chunk to
// chunk, so every output, layer output, traced quantity and mask must be the one-go run's bit for bit, in both
// precisions (float32 takes the WebAssembly gate kernels), over the Keras fixtures (stateful, go_backwards,
// Bidirectional, masks, attention, mixed inputs) and the custom cells (the per-item walk). The one-go run itself is
// held to Keras's recordings by test/engine/keras-fixtures.test.ts; here the recording is checked once more for the
// fixtures that carry one. Then a 1 × 20 000-step sequence through runInBlocks: progress in time steps, a timer
// firing mid-sequence, Cancel mid-sequence.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { compareTensors } from '../../src/compare/compare';
import { runModel, runModelSteps, type PredictOptions, type RunProgress, type RunResult, type Tensor } from '../../src/engine/index';
import type { Model } from '../../src/engine/model';
import { loadModelText } from '../../src/formats';
import { loadModelFile } from '../../src/formats/node-files';
import { BlockRunCancelled, runInBlocks } from '../../src/panel/run-in-blocks';
import { fixtureFiles, FIXTURES, REPO } from '../fixtures-path';

/** Every number of two runs, NaN = NaN (a masked step's gates), -0 ≠ +0: bit for bit. */
function assertSameRun(a: RunResult, b: RunResult, what: string): void {
  const same = (x: ArrayLike<number>, y: ArrayLike<number>, where: string) => {
    assert.equal(x.length, y.length, `${what}: ${where} length`);
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) assert.fail(`${what}: ${where}[${i}] ${x[i]} ≠ ${y[i]}`);
  };
  assert.equal(a.outputs.length, b.outputs.length);
  a.outputs.forEach((t, i) => (assert.deepEqual(t.shape, b.outputs[i]!.shape), same(t.data, b.outputs[i]!.data, `output ${i}`)));
  a.layerOutputs.forEach((t, i) => same(t.data, b.layerOutputs[i]!.data, `layer output ${i}`));
  assert.equal(a.trace?.layers.length, b.trace?.layers.length);
  a.trace?.layers.forEach((l, i) => {
    const m = b.trace!.layers[i]!;
    l.values.forEach((v, q) => same(v, m.values[q]!, `${l.layerName} ${l.direction} ${l.quantities[q]!.key}`));
    if (l.masked || m.masked) same(l.masked!, m.masked!, `${l.layerName} mask`);
  });
}

/** The run in chunks, driven to the end; how many chunks it yielded and whether its progress only grew. */
function chunked(model: Model, input: Tensor | Tensor[], options: PredictOptions, chunkWork: number): { result: RunResult; yields: RunProgress[] } {
  const g = runModelSteps(model, input, { ...options, chunkWork });
  const yields: RunProgress[] = [];
  for (;;) {
    const r = g.next();
    if (r.done) return { result: r.value, yields };
    yields.push(r.value);
  }
}

interface Case {
  name: string;
  model: Model;
  input: Tensor | Tensor[];
  predictCalls: number;
  expected?: Tensor | undefined;
}

function architectures(): Case[] {
  const dir = join(FIXTURES, 'architectures');
  // The cases its index lists (the generator writes both).
  const { cases } = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { cases: { name: string }[] };
  return cases.map(({ name }) => {
    const model = loadModelText(readFileSync(join(dir, name, 'model.cellscope.json'), 'utf8'), `${name}.json`).model;
    const ref = JSON.parse(readFileSync(join(dir, name, 'reference.json'), 'utf8')) as { inputs: { shape: number[]; data: number[] }[] };
    const inputs = ref.inputs.map((i) => ({ shape: i.shape, data: Float64Array.from(i.data) }));
    return { name: `architectures/${name}`, model, input: inputs.length === 1 ? inputs[0]! : inputs, predictCalls: 1 };
  });
}

async function recorded(): Promise<Case[]> {
  const out: Case[] = [];
  for (const family of ['keras-recorded', 'keras3-generated']) {
    for (const file of fixtureFiles(family)) {
      const f = await loadModelFile(file);
      out.push({ name: `${family}/${basename(file)}`, model: f.model, input: f.input!, predictCalls: f.predictCalls ?? 1, expected: f.expectedOutput });
    }
  }
  for (const name of readdirSync(join(REPO, 'examples', 'custom-cells')).filter((n) => n.endsWith('.json'))) {
    const loaded = loadModelText(readFileSync(join(REPO, 'examples', 'custom-cells', name), 'utf8'), name);
    assert.ok(loaded.input, `examples/custom-cells/${name} carries its input`);
    out.push({ name: `custom-cells/${name}`, model: loaded.model, input: loaded.input, predictCalls: 1 });
  }
  return out;
}

for (const precision of ['float64', 'float32'] as const) {
  test(`chunks of time steps = the one-go run, bit for bit, ${precision}: Keras fixtures, architectures, custom cells`, async (t) => {
    const cases = [...(await recorded()), ...architectures()];
    assert.ok(cases.length >= 100, `${cases.length} cases`);
    let chunkedCases = 0;
    for (const c of cases) {
      let whole: RunResult;
      try {
        whole = runModel(c.model, c.input, { precision, predictCalls: c.predictCalls, record: true });
      } catch {
        continue; // a model the engine refuses in one go (none today); the chunked run is not the one to judge it
      }
      // One step per chunk (work 1), then a few steps per chunk (the last chunk short).
      for (const work of [1, 3000]) {
        const { result, yields } = chunked(c.model, c.input, { precision, predictCalls: c.predictCalls, record: true }, work);
        assertSameRun(result, whole, `${c.name} (${precision}, work ${work})`);
        for (let i = 1; i < yields.length; i++) assert.ok(yields[i]!.done >= yields[i - 1]!.done && yields[i]!.done <= yields[i]!.total, `${c.name}: progress ${JSON.stringify(yields.slice(i - 1, i + 1))}`);
        if (work === 1 && yields.length > 0) chunkedCases++;
      }
      if (c.expected) {
        const k = compareTensors(whole.output, c.expected, { atol: 1e-5, rtol: 0 });
        assert.ok(k.pass, `${c.name} against Keras: max |Δ| ${k.maxAbs}`);
      }
    }
    t.diagnostic(`${cases.length} cases, ${chunkedCases} cut into chunks`);
    assert.ok(chunkedCases >= 90, `only ${chunkedCases} runs were cut into chunks`);
  });
}

/** examples/sine-lstm's LSTM on one sine wave of `steps` steps: [1, steps, 1]. */
function longSequence(steps: number): { model: Model; input: Tensor } {
  const model = loadModelText(readFileSync(join(REPO, 'examples', 'sine-lstm', 'model.cellscope.json'), 'utf8'), 'model.cellscope.json').model;
  const data = new Float64Array(steps).map((_, i) => Math.sin(i / 7));
  return { model, input: { shape: [1, steps, 1], data } };
}

for (const precision of ['float64', 'float32'] as const) {
  test(`1 × 20 000 steps in runInBlocks (${precision}): paused mid-sequence, progress in time steps to the end, the one-go run bit for bit`, async () => {
    const { model, input } = longSequence(20_000);
    const whole = runModel(model, input, { precision, record: true });
    const progress: [number, number, string][] = [];
    let timerFiredAt: number | undefined;
    setTimeout(() => (timerFiredAt = progress.length), 0);
    const r = await runInBlocks(model, input, { precision, record: true }, { blockMs: 1, chunkWork: 5000, onProgress: (d, tot, unit) => progress.push([d, tot, unit]) });
    assertSameRun(r, whole, `20 000 steps, ${precision}`);
    const steps = progress.filter((p) => p[2] === 'steps');
    assert.ok(steps.length > 20, `${steps.length} progress reports in time steps`);
    assert.ok(steps.every((p) => p[1] === 20_000), 'one recurrent layer: 20 000 steps in all');
    assert.deepEqual(steps.map((p) => p[0]), steps.map((p) => p[0]).sort((a, b) => a - b));
    assert.deepEqual(progress.at(-1), [1, 1, 'items']);
    assert.ok(timerFiredAt !== undefined && timerFiredAt < progress.length - 1, `a timer set before the run fired mid-sequence (after ${timerFiredAt} of ${progress.length} reports)`);
  });
}

test('Cancel mid-sequence: a 1 × 20 000-step run stops at the next pause, part-way through the layer', async () => {
  const { model, input } = longSequence(20_000);
  let cancelled = false;
  let lastDone = 0;
  const run = runInBlocks(model, input, { precision: 'float64', record: true }, {
    blockMs: 1,
    chunkWork: 5000,
    isCancelled: () => cancelled,
    onProgress: (done, _total, unit) => {
      if (unit !== 'steps') return;
      lastDone = done;
      if (done >= 5000) cancelled = true;
    },
  });
  await assert.rejects(run, BlockRunCancelled);
  assert.ok(lastDone >= 5000 && lastDone < 20_000, `stopped at step ${lastDone}`);
});
