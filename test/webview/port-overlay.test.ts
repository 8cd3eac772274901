/**
 * B on A's gate charts (webview/port-overlay.ts), from a real port check (lstm.pt against its torch.onnx.export,
 * test/fixtures/torch/onnx-mistakes): B's values per unit in input-time order equal B's own run; a chart drawn as
 * min/max buckets (a long trace) gets no dashed line and the legend says the overlay is off, never a silent blank.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadArrayBytes, loadModelBytes } from '../../src/formats/index';
import { openModelBytes } from '../../src/formats/runnable';
import { runPanelModel, panelModelOf } from '../../src/panel/run-panel-model';
import { portCheckForPanel } from '../../src/panel/port-view';
import { portLegend, portSeries } from '../../webview/port-overlay';
import type { Store } from '../../webview/store';
import { FIXTURES } from '../fixtures-path';

const DIR = join(FIXTURES, 'torch', 'onnx-mistakes');

test('the overlay: B’s gate per unit in input time; off (and said) on bucketed charts or a pair not comparable', async () => {
  const a = await loadModelBytes(readFileSync(join(DIR, 'lstm.pt')), 'lstm.pt');
  const b = await openModelBytes(readFileSync(join(DIR, 'lstm_ok.onnx')), 'lstm_ok.onnx', () => Promise.reject(new Error('not an engine model')));
  const input = loadArrayBytes(readFileSync(join(DIR, 'input.json')), 'input.json');
  const result = portCheckForPanel({ model: panelModelOf(a), file: 'lstm.pt' }, { model: panelModelOf(b), file: 'lstm_ok.onnx' }, input, { atol: 1e-5, rtol: 0 });
  const store = { port: { type: 'portCheck', re: 0, result, error: null }, state: { layer: 0, batch: 1 } } as unknown as Store;
  // B's own run (onnxruntime-checked elsewhere), its forget gate of unit 2 for batch item 1.
  const bt = runPanelModel(panelModelOf(b), input, {}).trace!.layers[0]!;
  const f = bt.values[bt.quantities.findIndex((q) => q.key === 'f')]!;
  const ys = portSeries(store, 'f', 2)!;
  assert.equal(ys.length, bt.steps);
  for (let t = 0; t < bt.steps; t++) assert.equal(ys[t], f[(1 * bt.steps + bt.stepOfInputTime[t]!) * bt.units + 2]);
  assert.deepEqual(portLegend(store, false), { text: 'dashed: lstm_ok.onnx (ONNX)', off: false });
  const off = portLegend(store, true)!;
  assert.equal(off.off, true);
  assert.match(off.text, /^lstm_ok\.onnx not drawn: a long trace is charted as min\/max per bucket/);
  // B's trace too long to send (overlay null): said the same way.
  const long = { ...store, port: { ...store.port!, result: { ...result, pairs: result.pairs.map((p) => ({ ...p, overlay: null })) } } } as Store;
  assert.equal(portSeries(long, 'f', 2), null);
  assert.equal(portLegend(long, false)!.off, true);
  // Another layer, or no comparison: nothing to say.
  assert.equal(portLegend({ ...store, state: { ...store.state, layer: 1 } } as Store, false), null);
  assert.equal(portLegend({ ...store, port: null } as Store, false), null);
});
