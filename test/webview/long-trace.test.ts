/**
 * A long trace in the panel (headless Chromium, the host's own message builders): LSTM 32 units × 100 000 steps in
 * float64 stays on the host; the webview draws min/max series and heatmap columns it asks for, reads step values
 * from full-resolution windows, and steps across a window boundary with the engine's exact values. No timings.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { windowSteps } from '../../src/panel/overview';
import { isToWebview } from '../../src/protocol';
import { fmt } from '../../webview/store';
import { SHOTS, applyTheme, canvasVariety, launch, nextFrames, openPanelPage, serve, type PanelPage, type Served } from './harness';
import { syntheticLstm } from '../support/synthetic-lstm';

/** The panel writes integers with the display language's grouping (English here: 99,999). */
const en = (x: number) => x.toLocaleString('en-US');

const UNITS = 32;
const STEPS = 100_000;

let browser: Browser;
let served: Served;
let session: PanelSession;
let p: PanelPage;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { model, input } = syntheticLstm(UNITS, STEPS);
  session = new PanelSession({ loaded: { model, predictCalls: 1 }, input, files: { fileUri: 'untitled:long', model: 'long', input: 'long', recording: null } });
  served = await serve();
  browser = await launch();
  p = await openPanelPage(browser, served, session, { width: 1400 });
  await applyTheme(p.page, 'dark');
  await p.page.waitForFunction(() => document.body.dataset.charts !== undefined, null, { timeout: 60_000 });
  await settled();
});

after(async () => {
  await p?.page.context().close();
  await browser?.close();
  await served?.close();
});

const readout = () => p.page.locator('.readout').innerText();

/** Waits until the step's values are drawn (no "loading…" in the readout) and a few frames passed. */
async function settled(): Promise<void> {
  await p.page.waitForFunction(() => !/loading/.test(document.querySelector('.readout')?.textContent ?? 'loading'), null, { timeout: 30_000 });
  await nextFrames(p.page, 3);
}

/** The engine's value of quantity q for unit j at input time t (batch item 0), as the panel formats it. */
function engine(q: number, t: number, j: number): string {
  const lt = session.trace[0]!;
  return fmt(lt.values[q]![lt.stepOfInputTime[t]! * lt.units + j]!, 6);
}

/** The "Values at step t" table: quantity label → values of the charted units. */
async function stepTable(): Promise<{ caption: string; rows: string[][] }> {
  const table = p.page.locator('details.tables table').first();
  return { caption: await table.locator('caption').innerText(), rows: await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? ''))) };
}

async function assertStepValues(t: number): Promise<void> {
  const { caption, rows } = await stepTable();
  assert.match(caption, new RegExp(`^Values at step ${en(t)} `));
  const lt = session.trace[0]!;
  const shown = lt.quantities.map((q, i) => ({ q, i })).filter(({ q }) => q.role !== 'pre_activation');
  assert.equal(rows.length, shown.length);
  rows.forEach((r, k) => {
    const qi = shown[k]!.i;
    assert.deepEqual(r.slice(1), [0, 1, 2, 3, 4, 5].map((j) => engine(qi, t, j)), `${lt.quantities[qi]!.key} at t = ${t}`);
  });
}

describe(`long trace: LSTM ${UNITS} units × ${STEPS} steps, float64`, () => {
  test('the trace message carries no values, only what the panel draws first; the next window is prefetched', () => {
    const m = session.traceMessage(0, 0);
    assert.ok(isToWebview(m));
    assert.equal(m.values.length, 0);
    // The 800 000 input values come as a chart (min/max per bucket) and as rows with each window.
    assert.equal(m.input.length, 0);
    assert.ok(m.inputSeries && m.inputSeries.buckets === 2048 && m.inputSeries.min.length === 8 * 2048);
    const w = session.windowMessage(0, 0, 5000, 3);
    assert.deepEqual(Array.from(w.input!), Array.from(session.inputs.input.data.subarray(5000 * 8, 5003 * 8)));
    // The request names what is drawn first (charted units, heatmap quantity and columns, cursor step) ...
    const rt = p.received.find((m) => m.type === 'requestTrace');
    assert.ok(rt && rt.type === 'requestTrace' && rt.view, 'requestTrace carries the view');
    assert.deepEqual(rt.view.units, [0, 1, 2, 3, 4, 5]);
    assert.ok(rt.view.cols > 100 && rt.view.cols <= 2000, `heat columns ${rt.view.cols}`);
    // ... and the reply carries it: series (≤ 2048 buckets), heat columns and the cursor's window.
    const first = session.traceMessage(0, 0, rt.view);
    assert.ok(isToWebview(first) && first.first);
    assert.equal(first.first.series.buckets, 2048);
    assert.equal(first.first.heat?.cols, rt.view.cols);
    assert.equal(first.first.window.start, 0);
    // So the webview asks only for the neighbouring window before the first draw.
    assert.ok(p.received.some((m) => m.type === 'requestWindow' && m.start === first.first!.window.count), 'next window prefetched');
    assert.equal(p.received.filter((m) => m.type === 'requestSeries').length, 0, 'no separate series request');
    assert.deepEqual(p.malformedFromWebview, []);
  });

  test('charts, heatmap, bars and input are drawn (canvas pixels vary)', async () => {
    for (const sel of ['.gate-grid figure:nth-child(1) canvas:not(.overlay)', '.gate-grid figure:nth-child(6) canvas:not(.overlay)', '.heatmap-box canvas:not(.overlay)', '.bars canvas', '.input canvas:not(.overlay)']) {
      const v = await canvasVariety(p.page, sel);
      assert.ok(v > 8, `${sel}: only ${v} colours`);
    }
    assert.match(await readout(), /^t = 0 \/ 99,999/);
    await p.page.screenshot({ path: join(SHOTS, 'long-trace-32x100000-dark.png'), fullPage: true });
  });

  test('values at step 0 are the engine’s; stepping across a window boundary keeps them exact', async () => {
    await p.page.locator('details.tables summary').click();
    await settled();
    await assertStepValues(0);
    const W = windowSteps(UNITS, session.trace[0]!.values.length, 8);
    assert.ok(W < STEPS, `window ${W} steps`);
    // Slider to 10 steps before the boundary: the next window is asked for before the cursor gets there.
    await p.page.evaluate((t) => {
      const s = document.querySelector('.slider') as HTMLInputElement;
      s.value = String(t);
      s.dispatchEvent(new Event('input'));
    }, W - 10);
    await settled();
    await assertStepValues(W - 10);
    assert.ok(p.received.some((m) => m.type === 'requestWindow' && m.start === W), 'the next window was prefetched');
    await p.page.locator('body').click({ position: { x: 5, y: 5 } });
    for (let k = 0; k < 20; k++) await p.page.keyboard.press('ArrowRight');
    await settled();
    assert.match(await readout(), new RegExp(`^t = ${en(W + 10)} /`));
    await assertStepValues(W + 10);
    // The focus unit over steps around the boundary, every one of them from a window.
    const seriesTable = p.page.locator('details.tables table').nth(1);
    const series = await seriesTable.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
    assert.ok(series.length >= 40);
    const hq = session.trace[0]!.quantities.findIndex((q) => q.key === 'h');
    // The table shows the charted quantities only: find h's column by its header.
    const headers = await seriesTable.locator('thead th').allTextContents();
    const hColumn = headers.indexOf('h');
    assert.ok(hColumn > 0, `an h column among ${headers.join(', ')}`);
    for (const r of series) {
      const t = parseInt(r[0]!.replace(/,/g, ''), 10);
      assert.equal(r[hColumn], engine(hq, t, 0), `h of unit 0 at t = ${t}`);
    }
    await p.page.screenshot({ path: join(SHOTS, 'long-trace-32x100000-boundary-dark.png'), fullPage: true });
  });

  test('End jumps to the last step and its values arrive; Home goes back', async () => {
    await p.page.keyboard.press('End');
    await settled();
    assert.match(await readout(), /^t = 99,999 \/ 99,999/);
    await assertStepValues(STEPS - 1);
    await p.page.keyboard.press('Home');
    await settled();
    await assertStepValues(0);
  });

  test('heatmap zoomed in on the cursor draws full-resolution columns from the host', async () => {
    for (let k = 0; k < 12; k++) await p.page.locator('.heat .card-head vscode-button, .heat .card-head button').first().click();
    await p.page.waitForFunction(() => true);
    await nextFrames(p.page, 3);
    const last = [...p.received].reverse().find((m) => m.type === 'requestHeat');
    assert.ok(last && last.type === 'requestHeat' && last.t1 - last.t0 < 1000, `zoomed heat request ${JSON.stringify(last)}`);
    await p.page.waitForFunction(() => true);
    await nextFrames(p.page, 5);
    assert.ok((await canvasVariety(p.page, '.heatmap-box canvas:not(.overlay)')) > 8);
  });

  test('no page errors, nothing malformed', () => {
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
    assert.deepEqual(p.malformedFromWebview, []);
  });
});

describe('long trace, go_backwards: LSTM 16 units × 30 000 steps, float32 (processing order reversed)', () => {
  const T = 30_000;
  before(async () => {
    await p.page.context().close();
    const { model, input } = syntheticLstm(16, T);
    const layer = model.layers[0]!;
    if (layer.kind === 'recurrent') layer.config.goBackwards = true;
    session = new PanelSession({ loaded: { model, predictCalls: 1 }, input, precision: 'float32', files: { fileUri: 'untitled:back', model: 'back', input: 'back', recording: null } });
    p = await openPanelPage(browser, served, session, { width: 1400 });
    await applyTheme(p.page, 'dark');
    await p.page.waitForFunction(() => document.body.dataset.charts !== undefined, null, { timeout: 60_000 });
    await settled();
  });

  test('window input rows follow the processing order', () => {
    const w = session.windowMessage(0, 0, 0, 2);
    const x = session.inputs.input.data;
    assert.deepEqual(Array.from(w.input!), [...Array.from(x.subarray((T - 1) * 8, T * 8)), ...Array.from(x.subarray((T - 2) * 8, (T - 1) * 8))]);
  });

  test('stepping back in input time across a processing-window boundary shows the engine’s values', async () => {
    const W = windowSteps(16, session.trace[0]!.values.length, 4);
    const t0 = T - 1 - (W - 7); // processing step W − 7: window 0
    await p.page.locator('details.tables summary').click();
    await p.page.evaluate((t) => {
      const s = document.querySelector('.slider') as HTMLInputElement;
      s.value = String(t);
      s.dispatchEvent(new Event('input'));
    }, t0);
    await settled();
    assert.match(await readout(), new RegExp(`^t = ${en(t0)} / ${en(T - 1)} \\(processing step ${en(W - 7)}\\)`));
    await assertStepValues(t0);
    await p.page.locator('body').click({ position: { x: 5, y: 5 } });
    for (let k = 0; k < 14; k++) await p.page.keyboard.press('ArrowLeft'); // input time down = processing step up
    await settled();
    assert.match(await readout(), new RegExp(`^t = ${en(t0 - 14)} / ${en(T - 1)} \\(processing step ${en(W + 7)}\\)`));
    await assertStepValues(t0 - 14);
    for (const sel of ['.gate-grid figure:nth-child(6) canvas:not(.overlay)', '.heatmap-box canvas:not(.overlay)', '.bars canvas']) {
      assert.ok((await canvasVariety(p.page, sel)) > 8, `${sel} drawn`);
    }
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
  });
});

describe('long output compared with a recording (16 units × 100 000 steps): the comparison stays on the host', () => {
  const T = 100_000;
  before(async () => {
    await p.page.context().close();
    const { model, input } = syntheticLstm(16, T);
    const files = { fileUri: 'untitled:cmp', model: 'cmp', input: 'cmp', recording: 'cmp' };
    const out = new PanelSession({ loaded: { model, predictCalls: 1 }, input, files }).result.output;
    const data = Float64Array.from(out.data);
    data[70_000 * 16 + 3]! += 0.01; // Keras "recorded" one value off
    session = new PanelSession({ loaded: { model, predictCalls: 1 }, input, expected: { shape: [...out.shape], data }, files });
    p = await openPanelPage(browser, served, session, { width: 1400 });
    await applyTheme(p.page, 'dark');
    await p.page.waitForFunction(() => document.body.dataset.charts !== undefined, null, { timeout: 60_000 });
    await p.page.locator('.compare-text .max-error').waitFor({ timeout: 30_000 });
    await settled();
  });

  const text = () => p.page.locator('.compare-text').innerText();
  async function setAtol(value: string): Promise<void> {
    await p.page.evaluate((value) => {
      const f = document.querySelector('.compare vscode-text-field.atol') as HTMLElement & { value: string };
      f.value = value;
      f.dispatchEvent(new Event('change'));
    }, value);
  }

  test('the comparison message carries the host’s figures, not the 3.2 M values', () => {
    const c = session.comparisonMessage()!;
    assert.ok(isToWebview(c) && c.kept);
    assert.deepEqual([c.actual.length, c.expected.length, c.mismatches, c.firstDivergence], [0, 0, 1, [0, 70_000, 3]]);
  });

  test('verdict, chart and |Δ| heatmap drawn from what the host sends', async () => {
    assert.match(await text(), /1 of 1,600,000 differ/);
    assert.match(await text(), /first at batch 0, step 70000, unit 3/);
    await p.page.waitForFunction(() => {
      const c = document.querySelector('.compare figure canvas:not(.overlay)') as HTMLCanvasElement | null;
      return !!c && c.width > 0;
    }, null, { timeout: 30_000 });
    await nextFrames(p.page, 5);
    assert.ok(p.received.some((m) => m.type === 'requestCompareSeries' && m.unit === 3), 'chart of output unit 3 (the largest error) asked for');
    assert.ok(p.received.some((m) => m.type === 'requestCompareHeat'), '|Δ| heatmap asked for');
    assert.ok((await canvasVariety(p.page, '.compare figure canvas:not(.overlay)')) > 8, 'compare chart drawn');
    await p.page.locator('.compare-heat').scrollIntoViewIfNeeded();
    await p.page.screenshot({ path: join(SHOTS, 'long-output-compare-dark.png') });
  });

  test('a new tolerance is judged by the host; jump to the first divergence', async () => {
    await setAtol('0.1');
    await p.page.waitForFunction(() => /matches \(atol 0\.1/.test(document.querySelector('.compare-text')?.textContent ?? ''), null, { timeout: 30_000 });
    assert.ok(p.received.some((m) => m.type === 'requestCompare' && m.atol === 0.1));
    await setAtol('1e-5');
    await p.page.waitForFunction(() => /1 of 1,600,000 differ/.test(document.querySelector('.compare-text')?.textContent ?? ''), null, { timeout: 30_000 });
    await p.page.locator('.compare .jump').click();
    await settled();
    assert.match(await readout(), /^t = 70,000 \//);
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
    assert.deepEqual(p.malformedFromWebview, []);
  });
});
