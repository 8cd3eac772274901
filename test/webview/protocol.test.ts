/** The protocol guards accept what the host builds (after a structured clone, as postMessage delivers it) and reject the rest. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PanelSession, panelPrecision } from '../../src/extension/panel/session';
import { panelCsp, panelHtml } from '../../src/extension/panel/html';
import { loadExpectedBytes, loadModelBytes } from '../../src/formats/index';
import { isFromWebview, isPanelState, isToWebview } from '../../src/protocol';
import { minMaxSeries, minMaxSeriesOf } from '../../src/panel/overview';

async function sine(): Promise<PanelSession> {
  const base = join(process.cwd(), 'examples', 'sine-lstm');
  const loaded = await loadModelBytes(readFileSync(join(base, 'model.cellscope.json')), 'model.cellscope.json');
  const rec = loadExpectedBytes(readFileSync(join(base, 'recording.json')), 'recording.json');
  return new PanelSession({ loaded, input: rec.input!, expected: rec.output, files: { fileUri: 'file:///m.json', model: 'm.json', input: 'r.json', recording: 'r.json' } });
}

test('host messages pass the webview guard after structuredClone; numbers travel as typed arrays', async () => {
  const s = await sine();
  const init = structuredClone(s.initMessage());
  assert.ok(isToWebview(init));
  assert.ok(init.layers[0]!.inputTimeOfStep instanceof Int32Array);
  const trace = structuredClone(s.traceMessage(0, 3));
  assert.ok(isToWebview(trace));
  assert.ok(trace.values.every((v) => v instanceof Float64Array && v.length === 5 * 6));
  // Tight copies: postMessage must not carry the whole batch's buffer.
  assert.equal(s.traceMessage(0, 3).values[0]!.buffer.byteLength, 5 * 6 * 8);
  const cmp = structuredClone(s.comparisonMessage()!);
  assert.ok(isToWebview(cmp));
  assert.ok(cmp.maxAbs < 1e-5 && cmp.pass);
  assert.throws(() => s.traceMessage(1, 0), RangeError);
  assert.throws(() => s.traceMessage(0, 395), RangeError);
});

test('malformed host messages are rejected', async () => {
  const s = await sine();
  const trace = s.traceMessage(0, 0);
  const bad: unknown[] = [
    null,
    42,
    [],
    { type: 'unknown' },
    { ...trace, values: trace.values.map((v) => Array.from(v)) }, // JSON number arrays
    { ...trace, values: [trace.values[0]!.slice(1)] }, // wrong length
    { ...trace, steps: 0 },
    { ...s.initMessage(), layers: [{ ...s.initMessage().layers[0]!, id: 7 }] },
    { ...s.initMessage(), precision: 'float16' },
    { ...s.comparisonMessage()!, actual: new Float64Array(3) },
    { ...s.comparisonMessage()!, maxAbsAt: [1.5, 0] },
    { type: 'error' },
    { type: 'step' },
    { type: 'step', action: 'sideways' },
  ];
  for (const m of bad) assert.equal(isToWebview(m), false, JSON.stringify(m)?.slice(0, 80));
});

test('host step commands pass the guard', () => {
  for (const action of ['forward', 'back', 'first', 'last', 'togglePlay']) assert.ok(isToWebview({ type: 'step', action }), action);
});

test('webview messages: accepted and rejected', () => {
  for (const m of [{ type: 'ready' }, { type: 'requestTrace', id: 1, layer: 0, batch: 2, view: { units: [0, 1], quantity: 0, cols: 300, step: 0 }, modelInput: 0 }, { type: 'stepChanged', layer: 0, batch: 0, step: 4 }, { type: 'exportTrace', format: 'csv' }, { type: 'log', level: 'warn', message: 'x' }]) {
    assert.ok(isFromWebview(m), JSON.stringify(m));
  }
  for (const m of [{ type: 'requestTrace', id: 1, layer: 0, batch: 0 }, { type: 'requestTrace', id: 1, layer: 0, batch: 2, view: { units: [0], quantity: 0, cols: 0, step: 0 } }, { type: 'requestTrace', id: 1, layer: 0, batch: 2, view: { units: [0], quantity: 0, cols: 0, step: 0 }, modelInput: -1 }, { type: 'requestTrace', layer: 0, batch: 0, view: { units: [0], quantity: 0, cols: 0, step: 0 } }, { type: 'requestTrace', id: 2, layer: -1, batch: 0, view: { units: [0], quantity: 0, cols: 0, step: 0 } }, { type: 'requestTrace', layer: '0', batch: 0 }, { type: 'exportTrace', format: 'xml' }, { type: 'log', level: 'debug', message: 'x' }, { type: 'ready2' }, undefined]) {
    assert.equal(isFromWebview(m), false, JSON.stringify(m));
  }
  assert.ok(isPanelState({ fileUri: 'file:///a', layer: 0, batch: 0, step: 3, quantity: 'h', units: [0, 1], focusUnit: 1, showPre: false, tolerance: { atol: 1e-3, rtol: 0 }, outUnit: null, speed: 10, tablesOpen: false, precision: 'float32' }));
  // The playground's requests: an edit's rows must be steps × features; a precision is one of the two.
  assert.ok(isFromWebview({ type: 'run', id: 3, precision: 'float32', reset: false, edit: { batch: 0, steps: 2, data: new Float64Array(4) } }));
  assert.ok(isFromWebview({ type: 'run', id: 4, precision: 'float64', reset: true, edit: null }));
  assert.ok(isFromWebview({ type: 'saveInput', id: 5 }));
  assert.equal(isFromWebview({ type: 'run', id: 3, precision: 'float16', reset: false, edit: null }), false);
  assert.equal(isFromWebview({ type: 'run', id: 3, precision: 'float32', reset: false, edit: { batch: 0, steps: 3, data: new Float64Array(4) } }), false);
  assert.equal(isFromWebview({ type: 'run', precision: 'float32', reset: false, edit: null }), false);
  assert.equal(isPanelState({ fileUri: 'file:///a', layer: 0 }), false);
});

test('panel HTML: strict CSP, one nonce script, no inline style or script', () => {
  const html = panelHtml({ cspSource: 'https://x.vscode-cdn.net', scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/media/panel.css', nonce: 'abc123', title: 'Cellscope: <m>.json' });
  assert.ok(html.includes(panelCsp('https://x.vscode-cdn.net', 'abc123').replace(/'/g, '&#39;')));
  assert.equal(panelCsp('S', 'N'), "default-src 'none'; script-src 'nonce-N'; style-src S 'nonce-N'; img-src S data:; font-src S");
  assert.match(html, /<meta property="csp-nonce" content="abc123">/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, /<script type="module" nonce="abc123" src="https:\/\/x\/dist\/webview.js"><\/script>/);
  assert.doesNotMatch(html, /<style|style="/);
  assert.ok(html.includes('&lt;m&gt;.json'));
});

test('long-trace messages: series, heat and window pass the guard; bad ones and bad requests do not', async () => {
  const s = await sine();
  const series = structuredClone(s.seriesMessage(0, 2, [0, 3], 4));
  assert.ok(isToWebview(series));
  assert.deepEqual([series.buckets, series.min.length, series.min[0]!.length], [4, s.trace[0]!.quantities.length, 2 * 4]);
  const heat = structuredClone(s.heatMessage(0, 2, 5, 1, 5, 2));
  assert.ok(isToWebview(heat));
  assert.equal(heat.values.length, 2 * 6);
  const win = structuredClone(s.windowMessage(0, 2, 3, 10)); // clipped to the 5 steps
  assert.ok(isToWebview(win));
  assert.equal(win.count, 2);
  // Window values are the trace's, in its precision, at processing steps 3 and 4 of batch item 2.
  const lt = s.trace[0]!;
  assert.deepEqual(Array.from(win.values[5]!), Array.from(lt.values[5]!.subarray((2 * 5 + 3) * 6, (2 * 5 + 5) * 6)));
  for (const m of [
    { ...series, min: series.min.map((v) => Array.from(v)) },
    { ...series, max: [series.max[0]!.slice(1)] },
    { ...heat, values: new Float32Array(5) },
    { ...heat, t1: 0 },
    { ...win, values: [win.values[0], win.values[1]!.slice(1)] },
    { type: 'perf', action: 'go' },
  ]) assert.equal(isToWebview(m), false, JSON.stringify(m)?.slice(0, 80));
  assert.ok(isToWebview({ type: 'perf', action: 'start' }));
  assert.throws(() => s.seriesMessage(0, 0, [6], 4), RangeError);
  assert.throws(() => s.heatMessage(0, 0, 99, 0, 5, 2), RangeError);
  assert.throws(() => s.heatMessage(0, 0, 0, 0, 6, 2), RangeError);
  assert.throws(() => s.windowMessage(0, 0, 5, 1), RangeError);
  for (const m of [{ type: 'requestSeries', id: 3, layer: 0, batch: 0, units: [0, 1], buckets: 2048 }, { type: 'requestHeat', id: 4, layer: 0, batch: 0, quantity: 5, t0: 0, t1: 100, cols: 800 }, { type: 'requestWindow', id: 5, layer: 0, batch: 0, start: 4096, count: 4096 }]) {
    assert.ok(isFromWebview(m), JSON.stringify(m));
  }
  for (const m of [{ type: 'requestSeries', id: 3, layer: 0, batch: 0, units: [], buckets: 2 }, { type: 'requestHeat', id: 4, layer: 0, batch: 0, quantity: 5, t0: 9, t1: 9, cols: 1 }, { type: 'requestWindow', id: 5, layer: 0, batch: 0, start: 0, count: 0 }, { type: 'requestWindow', id: 0, layer: 0, batch: 0, start: 0, count: 16 }]) {
    assert.equal(isFromWebview(m), false, JSON.stringify(m));
  }
});

test('the panel runs in float32 (and says why) only when a float64 trace would pass 1 GB', () => {
  const lstm = (units: number, steps: number) => {
    const model = { layers: [{ kind: 'recurrent', cell: 'lstm', config: { units } }] } as unknown as import('../../src/engine/model').Model;
    return panelPrecision(model, { shape: [1, steps, 8], data: new Float64Array(0) });
  };
  assert.deepEqual(lstm(64, 100_000), { precision: 'float64', note: null }); // W3: 64 M values, 512 MB
  const big = lstm(512, 100_000); // 512 M values: 4.1 GB in float64
  assert.equal(big.precision, 'float32');
  assert.match(big.note!, /float32 chosen by the panel: the trace holds 512 M values \(2\.0 GB; 4\.1 GB in float64\)/);
});

test('min/max series of several units in one pass equal one unit at a time', () => {
  const units = 7;
  const steps = 1000;
  const v = Float64Array.from({ length: steps * units }, (_, k) => Math.sin(k * 0.37) * (k % 11));
  const order = Int32Array.from({ length: steps }, (_, t) => steps - 1 - t); // go_backwards order
  const sel = [0, 3, 6];
  const B = 64;
  const lo = new Float32Array(sel.length * B);
  const hi = new Float32Array(sel.length * B);
  minMaxSeriesOf(v, 0, units, sel, order, B, lo, hi);
  sel.forEach((j, k) => {
    const a = new Float32Array(B);
    const b = new Float32Array(B);
    minMaxSeries(v, 0, units, j, order, B, a, b);
    assert.deepEqual(lo.subarray(k * B, (k + 1) * B), a);
    assert.deepEqual(hi.subarray(k * B, (k + 1) * B), b);
  });
});

test('a mixed_float16 model: the panel asks no precision (the engine follows the policy) and says so in the header', async () => {
  const { loadModelFile, loadArrayFile } = await import('../../src/formats/node-files');
  const { runModel } = await import('../../src/engine');
  const dir = new URL('../fixtures/mixed-precision/bidirectional_mixed_float16/', import.meta.url).pathname;
  const loaded = await loadModelFile(`${dir}model.keras`);
  const input = await loadArrayFile(`${dir}input.json`);
  const p = panelPrecision(loaded.model, input);
  assert.equal(p.precision, undefined);
  assert.match(p.note!, /^float16 as Keras computes it \(dtype policy mixed_float16 \(\d+ layers\)/);
  // What the panel's run then gives: Keras's own numbers.
  const expected = await loadArrayFile(`${dir}expected.json`);
  const out = runModel(loaded.model, input, { ...(p.precision ? { precision: p.precision } : {}) });
  assert.equal(out.trace!.precision, 'float32');
  out.output.data.forEach((v, i) => assert.ok(Math.abs(v - expected.data[i]!) <= 1e-6));
});
