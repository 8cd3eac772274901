// The engine worker (src/worker): bit-identical to the in-process run on a real example, buffers transferred, and
// cancel terminates a long run at once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunResult, Tensor } from '../../src/engine/index';
import { runModel } from '../../src/engine/index';
import { PanelSession } from '../../src/extension/panel/session';
import { loadExpectedBytes, loadModelBytes } from '../../src/formats/index';
import { RunCancelledError, startEngineRun } from '../../src/worker/client';
import { syntheticLstm } from '../support/synthetic-lstm';
import { lineText } from '../../src/diagnose/text';
import { buildHostBundle, type BuiltHostBundle } from '../support/host-bundle';

const ROOT = join(import.meta.dirname, '..', '..');
let bundle: BuiltHostBundle | undefined;
let dir: string;
let workerPath: string;

before(async () => {
  ({ dir, path: workerPath } = (bundle = await buildHostBundle('cellscope-worker-test-')));
});
after(() => bundle?.remove());

async function sine() {
  const ex = join(ROOT, 'examples', 'sine-lstm');
  const loaded = await loadModelBytes(readFileSync(join(ex, 'model.cellscope.json')), 'model.cellscope.json');
  const rec = loadExpectedBytes(readFileSync(join(ex, 'recording.json')), 'recording.json');
  return { loaded, input: rec.input!, expected: rec.output };
}

function sameBits(a: ArrayBufferView, b: ArrayBufferView, what: string): void {
  assert.equal(a.constructor.name, b.constructor.name, `${what}: array type`);
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  assert.equal(x.length, y.length, `${what}: length`);
  assert.ok(Buffer.compare(x, y) === 0, `${what}: bytes differ`);
}

function sameResult(w: RunResult, p: RunResult): number {
  sameBits(w.output.data, p.output.data, 'output');
  assert.deepEqual(w.output.shape, p.output.shape);
  assert.equal(w.outputs.length, p.outputs.length);
  w.outputs.forEach((t, i) => sameBits(t.data, p.outputs[i]!.data, `outputs[${i}]`));
  w.layerOutputs.forEach((t, i) => sameBits(t.data, p.layerOutputs[i]!.data, `layerOutputs[${i}]`));
  const wl = w.trace!.layers;
  const pl = p.trace!.layers;
  assert.equal(wl.length, pl.length);
  assert.equal(w.trace!.precision, p.trace!.precision);
  let values = 0;
  wl.forEach((lt, i) => {
    const q = pl[i]!;
    assert.deepEqual([lt.layerName, lt.direction, lt.cell, lt.batch, lt.steps, lt.units], [q.layerName, q.direction, q.cell, q.batch, q.steps, q.units]);
    assert.deepEqual(lt.quantities, q.quantities);
    lt.values.forEach((v, k) => {
      sameBits(v, q.values[k]!, `layer ${i} ${lt.quantities[k]!.key}`);
      values += v.length;
    });
    sameBits(lt.inputTimeOfStep, q.inputTimeOfStep, 'inputTimeOfStep');
    sameBits(lt.stepOfInputTime, q.stepOfInputTime, 'stepOfInputTime');
  });
  return values;
}

test('sine-lstm: the worker run is bit-identical to the in-process run (output, every gate of the trace), float64 and float32', async () => {
  const { loaded, input } = await sine();
  for (const precision of ['float64', 'float32'] as const) {
    const inProc = runModel(loaded.model, input, { precision, predictCalls: loaded.predictCalls });
    const run = startEngineRun(loaded.model, input, { precision, predictCalls: loaded.predictCalls }, { workerPath });
    assert.equal(run.where, 'worker');
    const r = await run.promise;
    assert.equal(r.where, 'worker');
    const n = sameResult(r.result, inProc);
    assert.ok(n > 10_000, `trace has values (${n})`);
  }
});

test('PanelSession.start through the worker builds the same init (analysis and comparison made in the worker) / trace / comparison messages as the in-process session', async () => {
  const { loaded, input, expected } = await sine();
  const inputs = { loaded, input, expected, files: { fileUri: 'file:///m.json', model: 'm.json', input: 'r.json', recording: 'r.json' } };
  const sync = new PanelSession(inputs);
  const started = PanelSession.start(inputs, { workerPath });
  assert.equal(started.run.where, 'worker');
  const viaWorker = await started.session;
  // The weight views (eigenvalues) and saturation were made in the worker; init carries those.
  const made = (await started.run.promise).analysed.analysis;
  assert.ok(made && made.weights.length > 0 && made.saturation.length > 0, 'the worker made the analysis');
  assert.equal(viaWorker.initMessage().analysis, made);
  // So was the comparison with the recording: the same as one made here.
  const compared = (await started.run.promise).analysed.comparison;
  assert.ok(compared, 'the worker compared the run with the recording');
  assert.equal(viaWorker.comparison, compared);
  assert.deepEqual(compared, sync.comparison);
  const a = viaWorker.initMessage();
  const b = sync.initMessage();
  assert.deepEqual({ ...a, runMs: 0 }, { ...b, runMs: 0 });
  assert.deepEqual(viaWorker.traceMessage(0, 7), sync.traceMessage(0, 7));
  await viaWorker.diagnosisReady; // (the worker's diagnosis of the comparison comes after the result)
  assert.deepEqual(viaWorker.comparisonMessage(), sync.comparisonMessage());
  assert.ok(viaWorker.comparison!.pass, 'the worker run matches the Keras recording');
});

test('the result comes back transferred: its buffers are plain ArrayBuffers owned by this thread', async () => {
  const { loaded, input } = await sine();
  const r = await startEngineRun(loaded.model, input, {}, { workerPath }).promise;
  for (const v of r.result.trace!.layers[0]!.values) assert.ok(v.buffer instanceof ArrayBuffer && v.buffer.byteLength >= v.byteLength);
  // The input sent in was cloned, not transferred: still usable here.
  assert.ok(input.data.length > 0);
});

test('an engine error in the worker rejects with its message; a missing bundle falls back to an in-process run', async () => {
  const { loaded, input } = await sine();
  const bad: Tensor = { shape: [1, 5, 3], data: new Float64Array(15) };
  await assert.rejects(startEngineRun(loaded.model, bad, {}, { workerPath }).promise, (e: Error) => e.message.length > 0 && !(e instanceof RunCancelledError));
  let why = '';
  const run = startEngineRun(loaded.model, input, {}, { workerPath: join(dir, 'no-such-worker.js'), onFallback: (r) => (why = r) });
  assert.equal(run.where, 'in-process');
  const r = await run.promise;
  assert.equal(r.where, 'in-process');
  assert.match(why, /no worker bundle/);
  sameResult(r.result, runModel(loaded.model, input));
});

test('cancel terminates a long run (LSTM 256 units × 20 000 steps) in well under 1 s, and this thread stays free meanwhile', async () => {
  const { model, input } = syntheticLstm(256, 20_000, 7);
  const t0 = performance.now();
  const run = startEngineRun(model, input, { precision: 'float32' }, { workerPath });
  assert.equal(run.where, 'worker');
  // While it runs, this thread answers timers on time (the engine is not on it).
  let worstLag = 0;
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await new Promise((r) => setTimeout(r, 50));
    worstLag = Math.max(worstLag, performance.now() - t - 50);
  }
  let settled = false;
  void run.promise.then(() => (settled = true), () => (settled = true));
  assert.equal(settled, false, `the run should still be going after ${(performance.now() - t0).toFixed(0)} ms`);
  const tc = performance.now();
  const stopped = run.cancel();
  await assert.rejects(run.promise, RunCancelledError);
  await stopped; // the worker thread has exited
  const cancelMs = performance.now() - tc;
  assert.ok(cancelMs < 1000, `cancel took ${cancelMs.toFixed(0)} ms`);
  assert.ok(worstLag < 100, `timer lag during the run ${worstLag.toFixed(0)} ms`);
  console.log(`# cancel of a 256×20000 LSTM after ${(tc - t0).toFixed(0)} ms: worker thread gone ${cancelMs.toFixed(1)} ms after cancel; worst timer lag during the run ${worstLag.toFixed(1)} ms`);
});

/** The sine example against a "recording" made with its input reversed in time: a mismatch diagnose() explains. */
async function sineReversed() {
  const { loaded, input } = await sine();
  const [B, T] = [input.shape[0]!, input.shape[1]!];
  const per = input.data.length / (B * T);
  const rev = new Float64Array(input.data.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) rev.set(input.data.subarray((b * T + t) * per, (b * T + t + 1) * per), (b * T + (T - 1 - t)) * per);
  const expected = runModel(loaded.model, { shape: input.shape, data: rev }, { record: false }).output;
  return { loaded, input, expected };
}

test('a mismatching recording is diagnosed in the worker, after the result: the same lines as on this thread', async () => {
  const { loaded, input, expected } = await sineReversed();
  const started = PanelSession.start({ loaded, input, expected, files: { fileUri: 'untitled:sine', model: 'm', input: 'i', recording: 'r' } }, { workerPath });
  assert.equal(started.run.where, 'worker');
  const session = await started.session;
  assert.ok(session.comparison && !session.comparison.pass, 'the recording differs');
  // The result came first: until the worker's diagnosis arrives the Compare view says it is diagnosing.
  let arrived = false;
  void session.diagnosisReady.then(() => (arrived = true));
  const first = session.comparisonMessage()!;
  if (!arrived) assert.match(lineText(first.diagnosis![0]!), /^note: diagnosing/);
  await session.diagnosisReady;
  const fromWorker = session.comparisonMessage()!.diagnosis!;
  assert.deepEqual(await started.run.diagnosis, fromWorker, 'the lines are the worker\'s');
  assert.match(fromWorker.map(lineText).join('\n'), /time|revers|backward/i);
  // The same diagnosis an in-process session computes on this thread.
  const here = new PanelSession({ loaded, input, expected, precision: session.inputs.precision, files: session.inputs.files });
  assert.deepEqual(fromWorker, here.comparisonMessage()!.diagnosis);
});

test('a matching recording: no diagnosis from the worker; cancel after the result stops a diagnosis under way', async () => {
  const { loaded, input, expected } = await sine();
  const ok = PanelSession.start({ loaded, input, expected, files: { fileUri: 'untitled:sine', model: 'm', input: 'i', recording: 'r' } }, { workerPath });
  const s = await ok.session;
  await s.diagnosisReady;
  assert.equal(s.comparisonMessage()!.diagnosis, null);

  const bad = await sineReversed();
  const run = startEngineRun(bad.loaded.model, bad.input, {}, { workerPath, expected: bad.expected });
  await run.promise;
  await run.cancel();
  assert.deepEqual((await run.diagnosis)?.map(lineText), ['diagnosis: diagnosis cancelled']);
});
