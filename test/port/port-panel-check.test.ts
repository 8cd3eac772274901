// The panel's "Compare with another model…" in the engine worker (dist/host.js started as the engine worker, as the extension runs it):
// the same verdict, per-gate figures and diagnosis as `cellscope compare --against --diagnose`, and B's overlay is
// B's own trace in input-time order (each gate's max |A − overlay| is the |Δ| the checker reports for it).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadArrayBytes, loadModelBytes } from '../../src/formats/index';
import { openModelBytes } from '../../src/formats/runnable';
import { runPanelModel, panelModelOf } from '../../src/panel/run-panel-model';
import { startPortCheck } from '../../src/worker/port-job';
import { FIXTURES, REPO } from '../fixtures-path';
import { english } from '../../src/phrase';

const DIR = join(FIXTURES, 'torch', 'onnx-mistakes');
const WORKER = join(REPO, 'dist', 'host.js');

test('lstm.pt against an ONNX export whose gate blocks are in Keras order, in the engine worker', { skip: !existsSync(WORKER) && 'npm run build first' }, async () => {
  const a = panelModelOf(await loadModelBytes(readFileSync(join(DIR, 'lstm.pt')), 'lstm.pt'));
  const b = panelModelOf(await openModelBytes(readFileSync(join(DIR, 'lstm_keras_order.onnx')), 'lstm_keras_order.onnx', () => Promise.reject(new Error('not an engine model'))));
  const input = loadArrayBytes(readFileSync(join(DIR, 'input.json')), 'input.json');
  const job = startPortCheck({ model: a, file: 'lstm.pt' }, { model: b, file: 'lstm_keras_order.onnx' }, input, { atol: 1e-5, rtol: 0 }, WORKER);
  assert.equal(job.where, 'worker');
  const r = await job.promise;
  assert.equal(r.output.pass, false);
  assert.deepEqual([r.a.framework, r.b.framework], ['PyTorch', 'ONNX']);
  assert.equal(r.diagnosis.found?.faulty, 'B');
  assert.match(english(r.diagnosis.found!.title), /written in order i,f,c,o/);
  assert.ok(r.diagnosis.found!.after < 1e-6 && r.diagnosis.found!.before > 0.1);
  assert.match(r.diagnosis.code!.code, /def iofc/);
  const pair = r.pairs[0]!;
  const o = pair.overlay!;
  const ta = runPanelModel(a, input, { record: true }).trace!.layers[0]!;
  for (const g of pair.gates) {
    const k = o.keys.indexOf(g.key);
    const av = ta.values[ta.quantities.findIndex((q) => q.key === g.key)]!;
    let m = 0;
    for (let bi = 0; bi < o.batch; bi++) for (let t = 0; t < o.steps; t++) for (let j = 0; j < o.units; j++) {
      const s = ta.stepOfInputTime[t]!;
      m = Math.max(m, Math.abs(av[(bi * o.steps + s) * o.units + j]! - o.values[k]![(bi * o.steps + t) * o.units + j]!));
    }
    assert.equal(m, g.maxAbs, g.name);
  }
});
