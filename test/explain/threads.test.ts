// Integrated gradients on two threads (src/explain/threads.ts, explainPredictionThreaded): the second half of the
// points in a real worker thread (the engine worker bundle, built from the current sources as scripts/build.mjs
// builds it). Stated agreement: bit for bit with one thread — the groups of points are summed apart and added in
// order on one thread too (igGroups), and a point's gradient does not depend on which thread or batch it ran in. The threaded numbers are held to JAX
// (float64 fixtures, ≤ 1e-9 as test/explain/jax-gradients.test.ts) and, in float32, to the float64 path (≤ 1e-4,
// test/explain/fast-lstm.test.ts's bound). Cancel ends both threads; a thread that fails is reported as such.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { recurrentLayersOf } from '../../src/engine/model';
import { explainPrediction, explainPredictionThreaded, type ExplainOptions, type IgHelper } from '../../src/explain';
import type { IgHelpJob } from '../../src/explain/explain';
import { loadModelText } from '../../src/formats';
import { main } from '../../src/cli/main';
import { RunCancelledError } from '../../src/worker/client';
import { startExplain } from '../../src/worker/explain-client';
import { bundleExecArgv, igThreadHelper } from '../../src/explain/threads';
import { relError } from '../support/rel-error';
import { syntheticLstm } from '../support/synthetic-lstm';
import { buildHostBundle, type BuiltHostBundle } from '../support/host-bundle';

const ROOT = join(import.meta.dirname, '..', '..');
let bundle: BuiltHostBundle | undefined;
let dir: string;
let workerPath: string;

before(async () => {
  ({ dir, path: workerPath } = (bundle = await buildHostBundle('cellscope-ig-threads-')));
});
after(() => bundle?.remove());

/**
 * The real helper, recording the groups its thread took. `first`: this thread waits (Atomics.wait) until the second
 * thread has taken its first group, so that both surely share the work (on a loaded machine a worker's start can
 * outlast a small job).
 */
function watchedHelper(first = false): { helper: IgHelper; took: number[][] } {
  const took: number[][] = [];
  const real = igThreadHelper(workerPath, 2);
  assert.ok(real, 'a second thread is available (2 cores, the bundle built)');
  const helper: IgHelper = (job) => {
    const j = real(job);
    assert.ok(j, 'the worker started');
    const t0 = Date.now();
    while (first && Atomics.load(job.shared, 2) === 0 && Date.now() - t0 < 60_000) Atomics.wait(job.shared, 2, 0, 20);
    j.promise.then((s) => took.push(s.groups), () => {});
    return j;
  };
  return { helper, took };
}

test('two threads give one thread\'s numbers bit for bit (float64 and float32), progress counts both', async () => {
  const { model, input } = syntheticLstm(32, 1500);
  for (const precision of ['float64', 'float32'] as const) {
    // 1500 steps × 32 units: the trace budget takes 8 (float64) or 17 (float32) points a chunk, a group each: 37
    // points in 5 or 3 groups (igGroups).
    const options: ExplainOptions = { method: 'integrated-gradients', target: [0, 1499, 2], precision, steps: 37, baseline: 'zeros' };
    const one = explainPrediction(model, input, options);
    const { helper, took } = watchedHelper(true);
    const progress: number[] = [];
    const two = await explainPredictionThreaded(model, input, { ...options, onProgress: (done, total) => (assert.equal(total, 37), progress.push(done)) }, helper);
    assert.equal(took.length, 1);
    assert.equal(took[0]![0], 0, `${precision}: the second thread took the first group (and this one the next): ${took[0]}`);
    assert.ok(took[0]!.length < (precision === 'float64' ? 5 : 3), `${precision}: this thread did some too: ${took[0]}`);
    assert.deepEqual(two.attribution, one.attribution, `${precision}: attribution`);
    assert.equal(two.completenessError, one.completenessError);
    assert.equal(progress.at(-1), 37, progress.join(','));
    assert.ok(progress.every((p, k) => k === 0 || p >= progress[k - 1]!), `progress only grows: ${progress.join(',')}`);
    if (precision === 'float32') {
      const f64 = explainPrediction(model, input, { ...options, precision: 'float64' });
      assert.ok(relError(two.attribution.data, f64.attribution.data) <= 1e-4, `float32 (two threads) vs float64: ${relError(two.attribution.data, f64.attribution.data)}`);
    }
  }
});

test('two threads against JAX: real Keras models, IG 64 steps from zeros, ≤ 1e-9 relative', async () => {
  for (const name of ['lstm_dense', 'bidirectional_concat', 'embedding_masked_lstm', 'gru_reset_after']) {
    const c = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/explain', `${name}.json`), 'utf8'));
    const { model } = loadModelText(JSON.stringify(c.model), `${name}.json`);
    const input = { shape: c.input.shape, data: Float64Array.from(c.input.data) };
    const { helper, took } = watchedHelper(true);
    const ig = await explainPredictionThreaded(model, input, { method: 'integrated-gradients', target: c.target, output: c.output, steps: c.ig.steps, baseline: 'zeros' }, helper);
    assert.equal(took.length, 1, `${name}: the second thread answered`);
    const data = ig.space === 'embedding' ? ig.vectors!.data : ig.attribution.data;
    const err = relError(data, c.ig.attribution.data);
    assert.ok(err <= 1e-9, `${name}: relative error ${err}`);
  }
});

test('cancel in the panel\'s worker ends its second thread too', async () => {
  const { model, input } = syntheticLstm(128, 1000);
  const run = { model, input, precision: 'float32' as const, predictCalls: 1, layers: recurrentLayersOf(model).map(({ layerIndex, direction }) => ({ layerIndex, direction })) };
  let done = 0;
  const job = startExplain(run, { batch: 0, output: 0, target: [999, 0], method: 'integrated-gradients', steps: 512, baseline: 'zeros' }, {
    workerPath,
    onProgress: (phase, d) => void (phase === 'attribution' && (done = d)),
  });
  const rejected = assert.rejects(job.promise, (e: Error) => e.name === new RunCancelledError().name);
  const t0 = performance.now();
  // Chunks of 6 points (the trace budget): a dozen points counted is both threads under way (they start together).
  while (done < 12 && performance.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
  assert.ok(done >= 12, `the explanation got under way (${done} points)`);
  await job.cancel();
  await rejected;
  // Both threads were busy (up to 2 s of CPU a second); once cancelled, none of this process's threads works on.
  await new Promise((r) => setTimeout(r, 200));
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 1000));
  const c = process.cpuUsage(c0);
  assert.ok((c.user + c.system) / 1000 < 300, `CPU after cancel: ${((c.user + c.system) / 1000).toFixed(0)} ms in 1 s`);
});

test('a second thread that fails is reported as such, with the way out; one that cannot start leaves the work here', async () => {
  const { model, input } = syntheticLstm(8, 20);
  const options: ExplainOptions = { method: 'integrated-gradients', target: [0, 19, 0], steps: 8 };
  // The real bundle, given a job it cannot do (a target outside the output): its ExplainError comes back named.
  const real = igThreadHelper(workerPath, 2)!;
  const shared = new Int32Array(new SharedArrayBuffer(12));
  const job: IgHelpJob = { model, input, options: { ...options, target: [0, 99, 0] }, shared };
  await assert.rejects(real(job)!.promise, (e: Error) => {
    assert.match(e.message, /^integrated gradients: the second thread failed: .*(out of range|outside|has \d+)/);
    assert.match(e.message, /--threads 1/);
    assert.doesNotMatch(e.message, /\bat .*:\d+/, 'no stack');
    return e.name === 'RunError';
  });
  assert.equal(shared[1], 1, 'the thread flagged its failure for the other thread (which then stops early)');
  // A bundle that dies on start (as an out-of-date or broken install would): the explanation fails with that message.
  const broken = join(dir, 'broken-worker.js');
  writeFileSync(broken, "throw new Error('this bundle is broken');\n");
  await assert.rejects(explainPredictionThreaded(model, input, options, igThreadHelper(broken, 2)), /the second thread failed: this bundle is broken\. Hint: .*--threads 1/);
  // No bundle, or --threads 1: no helper, the same numbers on this thread.
  assert.equal(igThreadHelper(join(dir, 'missing.js'), 2), undefined);
  assert.equal(igThreadHelper(workerPath, 1), undefined);
  const here = await explainPredictionThreaded(model, input, options, igThreadHelper(join(dir, 'missing.js')));
  assert.deepEqual(here.attribution, explainPrediction(model, input, options).attribution);
});

test('cellscope explain --threads: a whole number ≥ 1', async () => {
  const err: string[] = [];
  const code = await main(['explain', 'm.json', '--input', 'x.json', '--target', '0,0,0', '--threads', '0'], () => {}, (t) => err.push(t));
  assert.equal(code, 2);
  assert.match(err.join('\n'), /--threads/);
});

test("the second thread gets the parent's Node flags without its module loaders (tsx under the tests and benchmarks)", () => {
  const argv = ['--import', 'tsx', '--cpu-prof', '--require=./hook.js', '-r', 'other', '--experimental-loader', 'l.mjs', '--inspect=0', '--max-old-space-size=4096'];
  assert.deepEqual(bundleExecArgv(argv), ['--cpu-prof', '--inspect=0', '--max-old-space-size=4096']);
});
