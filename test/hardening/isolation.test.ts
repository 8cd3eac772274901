// The extension host's loads and checks in the load worker (dist/host.js started as the load worker): the worst attacks come back as
// located problems or LoadErrors while the calling thread keeps running; a check that overruns its deadline or heap
// ends the worker with a clear LoadError; a superseded check is cancelled.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveLimits } from '../../src/formats/limits';
import { LoadError } from '../../src/formats/load-error';
import { checkIsolated, loadIsolated, LoadCancelledError, readArrayIsolated, readExpectedIsolated } from '../../src/worker/load-client';
import { REPO } from '../fixtures-path';
import { ATTACKS } from './attacks';

const workerPath = join(REPO, 'dist', 'host.js');
const dir = mkdtempSync(join(tmpdir(), 'cellscope-isolation-'));
/** Limits that let the 4 M-step inputs below be read in full (their stated shape would be refused at once otherwise). */
const LONG = resolveLimits({ maxSequenceLength: 1e7 });

before(() => {
  const b = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Ticks of a 10 ms timer while `p` runs: the calling thread is free when they keep coming. */
async function ticksDuring<T>(p: Promise<T>): Promise<{ value: T | Error; ticks: number; ms: number }> {
  let ticks = 0;
  const t = setInterval(() => ticks++, 10);
  const t0 = Date.now();
  let value: T | Error;
  try {
    value = await p;
  } catch (e) {
    value = e as Error;
  } finally {
    clearInterval(t);
  }
  return { value, ticks, ms: Date.now() - t0 };
}

for (const name of ['custom-units-1e9', 'custom-weight-refs', 'json-quadratic', 'custom-deep-expr']) {
  test(`as-you-type check of ${name}: a located problem, the host thread free meanwhile`, async () => {
    const attack = ATTACKS.find((a) => a.name === name)!;
    const file = attack.build(mkdtempSync(join(dir, `${name}-`))).find((a) => a.endsWith('.json'))!;
    const text = readFileSync(file, 'utf8');
    const { value, ticks, ms } = await ticksDuring(checkIsolated({ type: 'check', text, kind: 'model', fileName: 'a.json', limits: resolveLimits() }, { workerPath }).promise);
    assert.ok(!(value instanceof Error), String(value));
    assert.ok(value, 'a problem is reported');
    assert.ok(value.message.length > 0 && value.error instanceof LoadError);
    assert.ok(ms < 10_000, `${ms} ms`);
    assert.ok(ticks >= Math.floor(ms / 10) / 4, `the calling thread ticked ${ticks} times in ${ms} ms`);
  });
}

test('a check past its deadline ends the worker with a LoadError that says so', async () => {
  // A legal but slow check: a 20 MB input array, given 50 ms.
  const text = `{"shape": [1, 4000000, 1], "data": [${'0.5,'.repeat(3_999_999)}0.5]}`;
  const job = checkIsolated({ type: 'check', text, kind: 'input', fileName: 'input.json', limits: LONG }, { workerPath, deadlineMs: 50 });
  await assert.rejects(job.promise, (e: unknown) => e instanceof LoadError && /stopped after 0.05 s/.test(e.message));
});

test('a check over its heap ends the worker with a LoadError that says so', async () => {
  const text = `{"shape": [1, 4000000, 1], "data": [${'0.5,'.repeat(3_999_999)}0.5]}`;
  const job = checkIsolated({ type: 'check', text, kind: 'input', fileName: 'input.json', limits: LONG }, { workerPath, heapMb: 16 });
  await assert.rejects(job.promise, (e: unknown) => e instanceof LoadError && /needed more than 16 MB/.test(e.message));
});

test('a superseded check is cancelled at once', async () => {
  const text = `{"shape": [1, 4000000, 1], "data": [${'0.5,'.repeat(3_999_999)}0.5]}`;
  const job = checkIsolated({ type: 'check', text, kind: 'input', fileName: 'input.json', limits: LONG }, { workerPath });
  job.cancel();
  await assert.rejects(job.promise, LoadCancelledError);
});

test('a model loads in the worker with the file checks of node-files (a FIFO shard is refused by name)', async () => {
  const attack = ATTACKS.find((a) => a.name === 'shard-fifo')!;
  const [, model] = attack.build(mkdtempSync(join(dir, 'fifo-')));
  await assert.rejects(loadIsolated({ type: 'load', fsPath: model!, fileName: 'model.json', limits: resolveLimits() }, { workerPath }).promise, (e: unknown) => e instanceof LoadError && /FIFO/.test(e.message));
  const ok = await loadIsolated({ type: 'load', fsPath: join(REPO, 'examples', 'char-rnn', 'model.keras'), fileName: 'model.keras', limits: resolveLimits() }, { workerPath }).promise;
  assert.ok('model' in ok && ok.model.layers.length > 0);
});

test("the panel's input and recording reads run in the worker too: values back, LoadErrors as LoadErrors", async () => {
  const limits = resolveLimits();
  const tensor = await readArrayIsolated({ type: 'array', bytes: new TextEncoder().encode('[[[1], [NaN], [Infinity]]]'), fileName: 'input.json', limits }, { workerPath }).promise;
  assert.deepEqual(tensor.shape, [1, 3, 1]);
  assert.ok(Number.isNaN(tensor.data[1]) && tensor.data[2] === Infinity);
  const rec = await readExpectedIsolated({ type: 'expected', bytes: new TextEncoder().encode('{"shape": [1, 2], "data": [0.5, 1]}'), fileName: 'recording.json', limits }, { workerPath }).promise;
  assert.deepEqual(Array.from(rec.output.data), [0.5, 1]);
  const steps = new TextEncoder().encode(JSON.stringify({ shape: [1, 2_000_000, 0], data: [] }));
  await assert.rejects(readArrayIsolated({ type: 'array', bytes: steps, fileName: 'input.json', limits }, { workerPath }).promise, (e: unknown) => e instanceof LoadError && /maxSequenceLength/.test(e.message));
});
