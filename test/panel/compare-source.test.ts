/**
 * One rule for the |Δ| heatmap, wherever the comparison lives: for the same engine run and recording, a small
 * comparison (both outputs in the webview: LocalCompare) and a long one (kept on the host: RemoteCompare answered by
 * the host's PanelSession) give the same columns, and a column holds the LARGEST |Δ| in it — one bad step shows at
 * every zoom. (Before issue 15 the small one showed the column mean and the long one the max.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runModel } from '../../src/engine/index';
import { PanelSession } from '../../src/extension/panel/session';
import { compareSource } from '../../src/panel/compare-source';
import { isToWebview, type ComparisonMessage, type FromWebview } from '../../src/protocol';
import { syntheticLstm } from '../support/synthetic-lstm';

const T = 70_000;
const U = 16;
const BAD = { t: 50_000, unit: 3, by: 0.01 };

let made: { kept: PanelSession; message: ComparisonMessage } | undefined;
/** One engine run, compared with its own output with one value off (made once for both tests). */
function sessions(): { kept: PanelSession; message: ComparisonMessage } {
  if (made) return made;
  const { model, input } = syntheticLstm(U, T);
  const files = { fileUri: 'untitled:cmp', model: 'cmp', input: 'cmp', recording: 'cmp' };
  const out = runModel(model, input, { record: false }).output;
  const data = Float64Array.from(out.data);
  data[BAD.t * U + BAD.unit]! += BAD.by; // Keras "recorded" one value off
  const kept = new PanelSession({ loaded: { model, predictCalls: 1 }, input, expected: { shape: [...out.shape], data }, files });
  const host = kept.comparisonMessage()!;
  assert.equal(host.kept, true, 'a 1.1 M-value output stays on the host');
  // The same comparison as a small one would arrive: both outputs in the message.
  const message: ComparisonMessage = { ...host, kept: false, actual: out.data, expected: data };
  assert.ok(isToWebview(message), 'the whole comparison is a valid message too');
  return (made = { kept, message });
}

test('a small and a long comparison of the same data draw the same |Δ| heatmap, each column its largest |Δ|', () => {
  const { kept, message } = sessions();
  const local = compareSource(message, () => assert.fail('a local comparison asks the host nothing'));
  const asked: FromWebview[] = [];
  const remote = compareSource(kept.comparisonMessage()!, (m) => asked.push(m));
  // Whole range at 300 and 1200 px, a zoomed range, and a range of single steps.
  for (const [t0, t1, cols] of [[0, T, 300], [0, T, 1200], [49_000, 51_500, 250], [49_990, 50_010, 20]] as const) {
    assert.equal(remote.heat(0, t0, t1, cols), null, 'asked the host first');
    const req = asked.at(-1)!;
    assert.ok(req.type === 'requestCompareHeat' && req.t0 === t0 && req.t1 === t1 && req.cols === cols);
    assert.ok(remote.onHeat(kept.compareHeatMessage(req.batch, req.t0, req.t1, req.cols, req.id)), "the answer to that request (by id)");
    const far = remote.heat(0, t0, t1, cols)!;
    const near = local.heat(0, t0, t1, cols)!;
    assert.equal(near.length, cols * U);
    assert.deepEqual(near, far, `columns of [${t0}, ${t1}) in ${cols}`);
    // The bad value shows undiluted in its column (a mean would divide it by the column's width).
    const col = Math.floor(((BAD.t - t0) * cols) / (t1 - t0));
    assert.ok(Math.abs(near[col * U + BAD.unit]! - BAD.by) < 1e-6, `column ${col} holds |Δ| ≈ ${BAD.by}: ${near[col * U + BAD.unit]}`);
  }
  assert.equal(local.heatTop, remote.heatTop, 'the same colour scale');
  // The chart of the bad unit too: the same min/max and |Δ| points.
  assert.equal(remote.lines(0, BAD.unit), null);
  const sreq = asked.at(-1)!;
  assert.ok(sreq.type === 'requestCompareSeries');
  assert.ok(remote.onSeries(kept.compareSeriesMessage(sreq.batch, sreq.unit, sreq.id)));
  assert.equal(remote.onSeries(kept.compareSeriesMessage(sreq.batch, sreq.unit, sreq.id)), false, "an answer to no open request is not taken");
  assert.deepEqual(local.lines(0, BAD.unit), remote.lines(0, BAD.unit));
});

test('a verdict under a new tolerance: computed at once locally, asked of the host remotely, the same figures', () => {
  const { kept, message } = sessions();
  const local = compareSource(message, () => {});
  const asked: FromWebview[] = [];
  const remote = compareSource(kept.comparisonMessage()!, (m) => asked.push(m));
  for (const tolerance of [{ atol: 0.02, rtol: 0 }, { atol: 0.001, rtol: 0.5 }, { atol: 0, rtol: 0 }]) {
    local.setTolerance(tolerance);
    remote.setTolerance(tolerance);
    const req = asked.at(-1);
    if (req?.type === "requestCompare" && req.atol === tolerance.atol) remote.update(kept.comparisonMessage(tolerance, req.id)!);
    assert.deepEqual(local.verdict(), remote.verdict(), `atol ${tolerance.atol}`);
  }
  // atol 0: every value that is not bit-equal differs; the first is named by (batch, step, unit).
  assert.ok(local.verdict().mismatches >= 1 && local.verdict().first !== null);
});
