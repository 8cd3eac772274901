// Explanations in the engine worker (src/worker/explain-client.ts): bit-identical to explainForPanel in this
// process, progress reported on the way (integrated gradients in chunks), cancel stops the worker at once, and an
// ExplainError (a method that does not apply) arrives as the engine's message.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { explainForPanel, type ExplainRun } from '../../src/panel/explain-view';
import { RunCancelledError } from '../../src/worker/client';
import { startExplain } from '../../src/worker/explain-client';
import { recurrentLayersOf } from '../../src/engine/model';
import { syntheticLstm } from '../support/synthetic-lstm';
import { buildHostBundle, type BuiltHostBundle } from '../support/host-bundle';

let bundle: BuiltHostBundle | undefined;
let workerPath: string;

before(async () => {
  ({ path: workerPath } = (bundle = await buildHostBundle('cellscope-explain-worker-')));
});
after(() => bundle?.remove());

function run(units: number, steps: number): ExplainRun {
  const { model, input } = syntheticLstm(units, steps);
  return { model, input, precision: 'float64', predictCalls: 1, layers: recurrentLayersOf(model).map(({ layerIndex, direction }) => ({ layerIndex, direction })) };
}

test('integrated gradients in the worker: the numbers of explainForPanel here, progress on the way', async () => {
  // 1600 steps × 48 units: the 64 interpolation points run in chunks of 43 (a trace budget), so progress comes twice.
  const r = run(48, 1600);
  const ask = { batch: 0, output: 0, target: [1599, 3], method: 'integrated-gradients' as const, steps: 64, baseline: 'zeros' as const };
  const progress: string[] = [];
  const job = startExplain(r, ask, { workerPath, onProgress: (phase, done, total) => progress.push(`${phase} ${done}/${total}`) });
  assert.equal(job.where, 'worker');
  const got = await job.promise;
  const ref = explainForPanel(r, ask);
  assert.deepEqual(got.attribution, ref.attribution);
  assert.equal(got.completenessError, ref.completenessError);
  assert.deepEqual(got.dynamics.map((d) => d.gradient[0]!.norm), ref.dynamics.map((d) => d.gradient[0]!.norm));
  assert.deepEqual(got.dynamics[0]!.trajectory.points, ref.dynamics[0]!.trajectory.points);
  assert.ok(progress.filter((p) => p.startsWith('attribution ') && !p.startsWith('attribution 0/')).length >= 2, progress.join(', '));
  assert.ok(progress.includes('attribution 64/64') && progress.at(-1) === 'dynamics 0/1', progress.join(', '));
});

test('cancel stops the worker at once; an explanation that does not apply says why', async () => {
  const r = run(256, 1000);
  const job = startExplain(r, { batch: 0, output: 0, target: [999, 0], method: 'integrated-gradients', steps: 256, baseline: 'zeros' }, { workerPath });
  const rejected = assert.rejects(job.promise, (e: Error) => e.name === new RunCancelledError().name);
  await new Promise((res) => setTimeout(res, 300));
  const t0 = performance.now();
  await job.cancel();
  await rejected;
  assert.ok(performance.now() - t0 < 2000, 'terminated without waiting for the work');
  const bad = startExplain(run(8, 10), { batch: 0, output: 0, target: [99, 0], method: 'gradient', steps: 64, baseline: 'zeros' }, { workerPath });
  await assert.rejects(bad.promise, (e: Error) => /out of range|outside|has \d+/.test(e.message) && !/\bat .*:\d+/.test(e.message));
});
