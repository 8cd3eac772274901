/**
 * The panel in headless Chromium, fed by the host's own message builders from real engine runs: drawing, stepping,
 * heatmap picking, comparison, malformed messages, state restore, themes (screenshots) and step-to-render timing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { exampleSession, OUT, SHOTS, applyTheme, canvasHash, canvasVariety, launch, nextFrames, openPanelPage, serve, type PanelPage, type Served } from './harness';
import { syntheticLstm } from '../support/synthetic-lstm';

/** A random LSTM with `units` units over `steps` steps (batch 1, 8 features), for timing. */
function syntheticSession(units: number, steps: number): PanelSession {
  const { model, input } = syntheticLstm(units, steps);
  return new PanelSession({ loaded: { model, predictCalls: 1 }, input, precision: 'float32', files: { fileUri: 'untitled:synthetic', model: 'synthetic', input: 'synthetic', recording: null } });
}

async function ready(p: PanelPage): Promise<void> {
  await p.page.waitForFunction(() => document.body.dataset.renderMs !== undefined && document.querySelector('.gate-grid canvas') !== null, null, { timeout: 20000 });
  await nextFrames(p.page, 3);
}

const readout = (p: PanelPage) => p.page.locator('.readout').innerText();

/** Median time from a → key press to the end of the frame that drew it, and the render work itself. */
async function stepTiming(p: PanelPage, n = 40): Promise<{ latencyMs: number; renderMs: number }> {
  const r = await p.page.evaluate(async (n) => {
    const lat: number[] = [];
    const work: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key: i % 2 ? 'ArrowLeft' : 'ArrowRight', bubbles: true }));
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      lat.push(performance.now() - t0);
      work.push(Number(document.body.dataset.renderMs));
    }
    const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
    return { latencyMs: med(lat), renderMs: med(work) };
  }, n);
  return r;
}

const perf: Record<string, unknown> = {};
let browser: Browser;
let served: Served;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  served = await serve();
  browser = await launch();
});

after(async () => {
  writeFileSync(join(OUT, 'webview-perf.json'), JSON.stringify(perf, null, 2));
  await browser?.close();
  await served?.close();
});

describe('panel with examples/sine-lstm', () => {
  let p: PanelPage;
  let session: PanelSession;
  before(async () => {
    session = await exampleSession('sine-lstm');
    p = await openPanelPage(browser, served, session);
    await applyTheme(p.page, 'dark');
    await ready(p);
  });
  after(() => p.page.context().close());

  test('posts ready, then asks for the first layer and batch item', () => {
    assert.equal(p.received[0]?.type, 'ready');
    const rt = p.received.find((m) => m.type === 'requestTrace');
    assert.ok(rt && rt.type === 'requestTrace');
    assert.deepEqual([rt.layer, rt.batch, rt.view?.units, rt.view?.step], [0, 0, [0, 1, 2, 3, 4, 5].slice(0, 6), 0]);
    assert.deepEqual(p.malformedFromWebview, []);
  });

  test('gate charts, heatmap and bars are drawn (canvas pixels vary)', async () => {
    const charts = await p.page.locator('.gate-grid figure').count();
    assert.equal(charts, 6, 'LSTM: i, f, c̃, o, c, h');
    for (const sel of ['.gate-grid figure:nth-child(1) canvas:not(.overlay)', '.gate-grid figure:nth-child(6) canvas:not(.overlay)', '.heatmap-box canvas:not(.overlay)', '.bars canvas']) {
      const v = await canvasVariety(p.page, sel);
      assert.ok(v > 8, `${sel}: only ${v} colours`);
    }
    assert.ok((await p.page.locator('.diagram .value').count()) >= 8);
  });

  test('→ advances the step; readout and step values change; ← goes back; End / Home', async () => {
    await p.page.locator('body').click({ position: { x: 5, y: 5 } });
    const r0 = await readout(p);
    // In view: a canvas out of view is drawn only when it comes near (webview/on-screen.ts).
    await p.page.locator('.bars canvas').first().scrollIntoViewIfNeeded();
    await nextFrames(p.page);
    const bars0 = await canvasHash(p.page, '.bars canvas');
    const diagram0 = await p.page.locator('.diagram').textContent();
    await p.page.keyboard.press('ArrowRight');
    await nextFrames(p.page);
    const r1 = await readout(p);
    assert.match(r0, /^t = 0 \/ 4/);
    assert.match(r1, /^t = 1 \/ 4/);
    assert.notEqual(await canvasHash(p.page, '.bars canvas'), bars0, 'bars redrawn with new values');
    assert.notEqual(await p.page.locator('.diagram').textContent(), diagram0, 'diagram values changed');
    assert.equal(await p.page.locator('.slider').inputValue(), '1');
    await p.page.keyboard.press('End');
    await nextFrames(p.page);
    assert.match(await readout(p), /^t = 4 \/ 4/);
    await p.page.keyboard.press('Home');
    await nextFrames(p.page);
    assert.match(await readout(p), /^t = 0 \/ 4/);
    const st = (await p.page.evaluate(() => (window as unknown as { __state: { step: number } }).__state)) as { step: number };
    assert.equal(st.step, 0, 'state saved with setState');
  });

  test('clicking the heatmap selects that unit and step', async () => {
    const heat = p.page.locator('.card.heat .heatmap-box canvas:not(.overlay)');
    await heat.scrollIntoViewIfNeeded();
    const box = (await heat.boundingBox())!;
    // Plot area: 44 px left margin, 4 px top, 20 px bottom, 10 px right; 6 units × 5 steps.
    const plotW = box.width - 54;
    const plotH = box.height - 24;
    await heat.click({ position: { x: 44 + plotW * (3.5 / 5), y: 4 + plotH * (4.5 / 6) } });
    await nextFrames(p.page);
    assert.match(await readout(p), /^t = 3 \//);
    const st = (await p.page.evaluate(() => (window as unknown as { __state: unknown }).__state)) as { focusUnit: number; step: number; units: number[] };
    assert.equal(st.focusUnit, 4);
    assert.equal(st.step, 3);
    assert.ok(st.units.includes(4));
    assert.match((await p.page.locator('.diagram > title').textContent())!, /unit 4, step 3/);
  });

  test('the comparison shows the max error figure and a verdict', async () => {
    const c = session.comparisonMessage()!;
    const text = await p.page.locator('.compare-text').innerText();
    assert.match(text, /max \|Δ\| = /);
    const shown = /max \|Δ\| = ([-\d.e+]+)/.exec(text)![1]!;
    assert.ok(Math.abs(Number(shown) - c.maxAbs) <= Math.abs(c.maxAbs) * 0.01 + 1e-12, `${shown} vs ${c.maxAbs}`);
    assert.match(text, c.pass ? /matches/ : /differ/);
    assert.ok((await canvasVariety(p.page, '.compare canvas:not(.overlay)')) > 8);
  });

  test('malformed messages are dropped and logged; the panel keeps working', async () => {
    const before = p.received.filter((m) => m.type === 'log').length;
    const r0 = await readout(p);
    await p.send(null);
    await p.send({ type: 'nope' });
    await p.send({ type: 'trace', layer: 0, batch: 0, steps: 5, units: 6, values: [[1, 2, 3]], masked: null, input: [1] });
    await p.send({ type: 'init' });
    await p.send({ type: 'comparison', shape: [2], actual: new Float64Array(3), expected: new Float64Array(2) });
    // Well-formed but inconsistent with the layer it names.
    await p.send({ type: 'trace', layer: 0, batch: 0, steps: 2, units: 1, values: [new Float64Array(2)], masked: null, input: new Float64Array(2) });
    await nextFrames(p.page);
    const logs = p.received.filter((m) => m.type === 'log').length - before;
    assert.equal(logs, 6, 'each bad message logged once');
    await p.page.keyboard.press('ArrowRight');
    await nextFrames(p.page);
    assert.notEqual(await readout(p), r0);
    assert.ok((await canvasVariety(p.page, '.heatmap-box canvas:not(.overlay)')) > 8);
    assert.deepEqual(p.pageErrors, []);
  });

  test('data tables: the current step and the focus unit over time, for screen readers', async () => {
    await p.page.locator('details.tables summary').click();
    await nextFrames(p.page);
    const caption = await p.page.locator('details.tables table').first().locator('caption').innerText();
    assert.match(caption, /^Values at step \d+/);
    assert.equal(await p.page.locator('details.tables table').first().locator('tbody tr').count(), 6);
    assert.ok((await p.page.locator('details.tables table').nth(1).locator('tbody tr').count()) >= 5);
    await p.page.locator('details.tables summary').click();
  });

  test('an error message is shown in a banner', async () => {
    await p.send({ type: 'error', message: 'test error: model could not be re-loaded' });
    await nextFrames(p.page);
    assert.match(await p.page.locator('.error-banner').innerText(), /test error/);
    await p.page.evaluate(() => ((document.querySelector('.error-banner') as HTMLElement).hidden = true));
  });

  test('host step commands (Step Forward / Back, Play/Pause) move the step; the host hears where it is', async () => {
    await p.send({ type: 'step', action: 'first' });
    await nextFrames(p.page);
    assert.match(await readout(p), /^t = 0 \/ 4/);
    await p.send({ type: 'step', action: 'forward' });
    await nextFrames(p.page);
    assert.match(await readout(p), /^t = 1 \/ 4/);
    await p.send({ type: 'step', action: 'forward' });
    await p.send({ type: 'step', action: 'back' });
    await nextFrames(p.page);
    assert.match(await readout(p), /^t = 1 \/ 4/);
    await p.page.waitForTimeout(250); // stepChanged is debounced
    const last = [...p.received].reverse().find((m) => m.type === 'stepChanged');
    assert.deepEqual(last, { type: 'stepChanged', layer: 0, batch: 0, step: 1 });
    await p.send({ type: 'step', action: 'togglePlay' });
    await nextFrames(p.page);
    assert.match(await p.page.locator('.toolbar').innerText(), /Pause/);
    await p.send({ type: 'step', action: 'togglePlay' });
    await p.send({ type: 'step', action: 'first' });
    await nextFrames(p.page);
  });

  test('a re-run (init sent again) hides the error banner and keeps the step', async () => {
    await p.send({ type: 'step', action: 'forward' });
    await p.send({ type: 'step', action: 'forward' });
    await nextFrames(p.page);
    await p.send({ type: 'error', message: 'test error: re-run failed' });
    await nextFrames(p.page);
    assert.equal(await p.page.locator('.error-banner').isVisible(), true);
    await p.send(session.initMessage());
    await p.send(session.comparisonMessage()!);
    await p.page.locator('.readout').filter({ hasText: /^t = 2 \/ 4/ }).waitFor({ timeout: 10_000 });
    assert.equal(await p.page.locator('.error-banner').isVisible(), false);
    await p.page.locator('.compare-text .max-error').waitFor({ timeout: 10_000 });
    await p.send({ type: 'step', action: 'first' });
    await nextFrames(p.page);
  });

  test('no CSP violations, no page errors', async () => {
    // None at all: the toolkit's :focus-visible probe carries the nonce (src/extension/panel/html.ts).
    const csp = await p.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    assert.deepEqual(csp, []);
    assert.deepEqual(p.pageErrors, []);
  });

  test('screenshots in light, dark and high contrast; nothing overflows at 1000 and 1600 px', async () => {
    await p.page.evaluate(() => window.scrollTo(0, 0));
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      await applyTheme(p.page, theme);
      await p.page.screenshot({ path: join(SHOTS, `sine-${theme}.png`), fullPage: true });
    }
    await applyTheme(p.page, 'dark');
    for (const width of [1000, 1600]) {
      await p.page.setViewportSize({ width, height: 900 });
      await nextFrames(p.page, 4);
      const overflow = await p.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px at ${width}px`);
      await p.page.screenshot({ path: join(SHOTS, `sine-dark-${width}.png`), fullPage: true });
    }
    await applyTheme(p.page, 'dark');
  });

  test('step-to-render time', async () => {
    perf.sine = await stepTiming(p);
  });

  test('state survives a reload (getState)', async () => {
    const state = await p.page.evaluate(() => (window as unknown as { __state: unknown }).__state);
    const q = await openPanelPage(browser, served, session, { state });
    await ready(q);
    assert.equal(await readout(q), await readout(p));
    await q.page.context().close();
  });
});

describe('panel with examples/char-rnn (tokens)', () => {
  let p: PanelPage;
  before(async () => {
    p = await openPanelPage(browser, served, await exampleSession('char-rnn'));
    await applyTheme(p.page, 'light');
    await ready(p);
  });
  after(() => p.page.context().close());

  test('shows the text coloured by the focus unit and steps through it', async () => {
    assert.equal(await p.page.locator('.tok').count(), 44);
    const colours = await p.page.$$eval('.tok', (els) => new Set(els.map((e) => getComputedStyle(e).backgroundColor)).size);
    assert.ok(colours > 10, `${colours} distinct token colours`);
    await p.page.locator('.tok').nth(5).click();
    await nextFrames(p.page);
    assert.match(await readout(p), /^t = 5 \/ 43/);
    assert.equal(await p.page.locator('.tok.current').innerText(), 'L');
    await p.page.evaluate(() => window.scrollTo(0, 0));
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      await applyTheme(p.page, theme);
      await p.page.screenshot({ path: join(SHOTS, `char-rnn-${theme}.png`), fullPage: true });
    }
    perf.charRnn = await stepTiming(p);
  });
});

describe('synthetic LSTM 256 units × 1000 steps', () => {
  let p: PanelPage;
  before(async () => {
    const session = syntheticSession(256, 1000);
    perf.synthetic = { engineMs: session.runMs };
    p = await openPanelPage(browser, served, session, { width: 1400 });
    await applyTheme(p.page, 'dark');
    await ready(p);
  });
  after(() => p.page.context().close());

  test('draws and steps within a frame', async () => {
    assert.ok((await canvasVariety(p.page, '.heatmap-box canvas:not(.overlay)')) > 50);
    const t = await stepTiming(p);
    const full = await p.page.evaluate(async () => {
      // A full data redraw: toggle pre-activations on and off.
      const box = document.querySelector('vscode-checkbox') as HTMLElement;
      const t0 = performance.now();
      box.click();
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      const on = performance.now() - t0;
      box.click();
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      return { preOnMs: on, renderMs: Number(document.body.dataset.renderMs) };
    });
    perf.synthetic = { ...(perf.synthetic as object), ...t, fullRedraw: full };
    assert.ok(t.renderMs < 16, `step render took ${t.renderMs} ms`);
    await p.page.screenshot({ path: join(SHOTS, 'synthetic-256x1000-dark.png'), fullPage: true });
  });
});
