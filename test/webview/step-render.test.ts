/**
 * What one step press redraws, counted in the real panel (headless Chromium, the host's own PanelSession, the
 * explanation from the engine worker): a step moves cursors and rewrites the step's values, nothing else (#16). The
 * browser's own canvas and DOM calls are counted while the → key is pressed: chart.js's canvases (gate charts, input,
 * Explain's output chart, gradient flow) and the heatmap's picture are not redrawn, only their cursor overlays; the
 * pictures the step bars, attribution and trajectory keep are not repainted; no element is added or removed (every
 * chart.js chart watches the whole document for that); and the step forces no layout of its own (CDP LayoutCount:
 * one layout per frame at most, the browser's). Canvases out of view are not drawn on at all until they come near it
 * (webview/on-screen.ts) while their readouts follow every step; scrolled into view, they show the current step.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, CDPSession } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { ROOT, SHOTS, applyTheme, canvasHash, launch, nextFrames, openPanelPage, serve, type PanelPage, type Served } from './harness';
import { syntheticLstm } from '../support/synthetic-lstm';

const STEPS = 300;
const PRESSES = 20;

let browser: Browser;
let served: Served;
let p: PanelPage;

const savedStep = () => p.page.evaluate(() => (window as unknown as { __state: { step: number } }).__state.step);

before(async () => {
  assert.ok(existsSync(join(ROOT, 'dist', 'host.js')), 'npm run build first (the explanation runs in dist/host.js, started as the engine worker)');
  mkdirSync(SHOTS, { recursive: true });
  const { model, input } = syntheticLstm(32, STEPS);
  const session = new PanelSession({ loaded: { model, predictCalls: 1 }, input, files: { fileUri: 'untitled:step-render', model: 'synthetic', input: 'synthetic', recording: null } });
  served = await serve();
  browser = await launch();
  p = await openPanelPage(browser, served, session, { width: 1400, height: 1000 });
  await applyTheme(p.page, 'dark');
  await p.page.waitForFunction(() => document.body.dataset.charts !== undefined && !/loading/.test(document.querySelector('.readout')?.textContent ?? 'loading'), null, { timeout: 30_000 });
  // Every section that follows the cursor: Explain's output chart and attribution, gradient flow, trajectory.
  await p.page.locator('.explain vscode-button', { hasText: 'Explain' }).click();
  await p.page.waitForFunction(() => /y\[0, \d+, \d+\]/.test(document.querySelector('.explain-summary')?.textContent ?? ''), null, { timeout: 60_000 });
  await p.page.waitForFunction(() => !(document.querySelector('.trajectory-box') as HTMLElement | null)?.hidden && !(document.querySelector('.flow-charts') as HTMLElement | null)?.hidden, null, { timeout: 30_000 });
  await p.page.locator('.slider').evaluate((el: HTMLInputElement) => ((el.value = '100'), el.dispatchEvent(new Event('input'))));
  await p.page.waitForFunction(() => (window as unknown as { __state: { step: number } }).__state.step === 100);
  await nextFrames(p.page, 5);
});

after(async () => {
  await p?.page.context().close();
  await browser?.close();
  await served?.close();
});

interface Counts {
  /** Canvas drawing calls per canvas, by what the canvas is. */
  /** near: shown within 200 px of the viewport (webview/on-screen.ts draws only those on a step). */
  canvases: { what: string; shown: boolean; near: boolean; calls: number; clears: number }[];
  childList: number;
  characterData: number;
}

/** Starts counting (again) every 2D context call per canvas and every DOM change in the page. */
async function startCounting(): Promise<void> {
  await p.page.evaluate(() => {
    const w = window as unknown as { __calls: Map<HTMLCanvasElement, { calls: number; clears: number }>; __mut: { childList: number; characterData: number }; __obs: MutationObserver; __counting?: boolean };
    w.__calls = new Map();
    if (!w.__counting) {
      w.__counting = true;
      const proto = CanvasRenderingContext2D.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
      for (const m of ['clearRect', 'fillRect', 'strokeRect', 'fill', 'stroke', 'fillText', 'drawImage', 'putImageData']) {
        const real = proto[m]!;
        proto[m] = function (this: CanvasRenderingContext2D, ...a: unknown[]) {
          const c = w.__calls.get(this.canvas) ?? { calls: 0, clears: 0 };
          c.calls++;
          if (m === 'clearRect') c.clears++;
          w.__calls.set(this.canvas, c);
          return real.apply(this, a);
        };
      }
    }
    w.__obs?.disconnect();
    w.__mut = { childList: 0, characterData: 0 };
    w.__obs = new MutationObserver((records) => {
      for (const r of records) if (r.type === 'childList') w.__mut.childList++;
      else if (r.type === 'characterData') w.__mut.characterData++;
    });
    w.__obs.observe(document, { childList: true, characterData: true, subtree: true });
  });
}

async function counts(): Promise<Counts> {
  return p.page.evaluate(() => {
    const w = window as unknown as { __calls: Map<HTMLCanvasElement, { calls: number; clears: number }>; __mut: { childList: number; characterData: number }; __obs: MutationObserver };
    w.__obs.takeRecords().forEach((r) => (r.type === 'childList' ? w.__mut.childList++ : r.type === 'characterData' && w.__mut.characterData++));
    const what = (c: HTMLCanvasElement): string => {
      if (!c.isConnected) return `off-page ${c.width}×${c.height}`;
      const card = c.closest('section.card')?.className.replace('card ', '') ?? '?';
      const kind = c.classList.contains('overlay') ? 'overlay' : c.closest('.chart-box') ? 'chart.js' : c.closest('.heatmap-box') ? 'heatmap' : 'canvas';
      return `${card} ${kind}`;
    };
    const canvases: { what: string; shown: boolean; near: boolean; calls: number; clears: number }[] = [];
    const near = (c: HTMLCanvasElement) => {
      const r = c.getBoundingClientRect();
      return c.getClientRects().length > 0 && r.bottom > -200 && r.top < innerHeight + 200;
    };
    // Every canvas in the page, drawn on or not (a chart that drew nothing counts 0).
    for (const c of document.querySelectorAll('canvas')) canvases.push({ what: what(c), shown: c.getClientRects().length > 0, near: near(c), calls: w.__calls.get(c)?.calls ?? 0, clears: w.__calls.get(c)?.clears ?? 0 });
    for (const [c, n] of w.__calls) if (!c.isConnected) canvases.push({ what: what(c), shown: false, near: false, ...n });
    return { canvases, childList: w.__mut.childList, characterData: w.__mut.characterData };
  });
}

async function layoutCount(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'LayoutCount')!.value;
}

/** Presses → n times from where the panel is, each once the step is saved and a frame drawn; the step reached. */
async function press(n: number): Promise<number> {
  const from = await savedStep();
  await p.page.locator('.toolbar .readout').click();
  for (let i = 1; i <= n; i++) {
    await p.page.keyboard.press('ArrowRight');
    await p.page.waitForFunction((t) => (window as unknown as { __state: { step: number } }).__state.step === t, from + i);
    await nextFrames(p.page, 1);
  }
  return from + n;
}

const scrollTo = (selector: string | null) =>
  p.page.evaluate((sel) => (sel ? document.querySelector(sel)!.scrollIntoView({ block: 'center' }) : window.scrollTo(0, 0)), selector);

test(`${PRESSES} presses of →: cursors and the step's values redrawn, nothing else; canvases out of view wait`, async () => {
  const cdp = await p.page.context().newCDPSession(p.page);
  await cdp.send('Performance.enable');
  // The top of the panel: the gate charts and the heatmap in view; step detail, input, Explain, trajectory below.
  await scrollTo(null);
  await nextFrames(p.page, 3);
  await startCounting();
  const layouts0 = await layoutCount(cdp);
  const step = await press(PRESSES);
  const layouts = (await layoutCount(cdp)) - layouts0;
  const c = await counts();
  assert.equal(await savedStep(), step);
  const by = (re: RegExp) => c.canvases.filter((x) => re.test(x.what));
  const table = c.canvases.filter((x) => x.calls || /chart\.js|overlay|heatmap/.test(x.what)).map((x) => `${x.what}${x.near ? '' : ' (out of view)'}: ${x.calls}`).join('; ');
  console.log(`over ${PRESSES} steps: ${table}; DOM: ${c.childList} childList, ${c.characterData} text changes; ${layouts} layouts`);

  // chart.js canvases: the gate charts (LSTM: i, f, c̃, o, c, h), the input, Explain's output chart, gradient flow (2).
  const charts = by(/chart\.js$/);
  assert.ok(charts.length >= 10, `the charts are there (${charts.length})`);
  for (const x of charts) assert.equal(x.calls, 0, `${x.what} was redrawn on a step (${table})`);
  const overlays = by(/overlay$/);
  assert.ok(overlays.some((o) => o.near) && overlays.some((o) => o.shown && !o.near), `overlays in and out of view (${table})`);
  for (const x of overlays.filter((o) => o.near)) assert.ok(x.clears >= PRESSES, `${x.what}: the cursor overlay in view was drawn on every step (${x.clears})`);
  // Out of view, pixels wait for the canvas to come near (webview/on-screen.ts); the readouts below do not.
  for (const x of c.canvases.filter((o) => o.shown && !o.near)) assert.equal(x.calls, 0, `${x.what} is out of view but was drawn on (${table})`);
  for (const x of by(/heatmap$/)) assert.equal(x.calls, 0, `the heatmap's picture was redrawn (${table})`);
  assert.deepEqual(by(/^off-page/), [], 'a cached picture was repainted');
  assert.equal(c.childList, 0, 'elements were added or removed on a step');
  assert.ok(c.characterData >= PRESSES, 'the readouts changed');
  // Readouts of the canvases out of view follow the step all the same (screen readers read them wherever the panel is).
  const readouts = await p.page.evaluate(() => ({
    bars: document.querySelector('section.detail .bars > canvas')!.getAttribute('aria-label') ?? '',
    attribution: document.querySelector('.attribution-readout')!.textContent ?? '',
    trajectory: document.querySelector('.trajectory-readout')!.textContent ?? '',
  }));
  assert.match(readouts.bars, new RegExp(`at step ${step};`), 'the step bars\' label');
  assert.match(readouts.attribution, new RegExp(`step ${step}\\b`), 'the attribution readout');
  assert.match(readouts.trajectory, new RegExp(`step ${step}:`), 'the trajectory readout');
  // One layout per frame (the browser's; a press and its wait take a frame or two), none forced by the drawing.
  assert.ok(layouts <= 2 * PRESSES, `${layouts} layouts for ${PRESSES} steps: the step forces layouts`);
  await p.page.screenshot({ path: join(SHOTS, 'step-render-dark.png'), fullPage: true });
  assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
});

// Step bars, attribution and trajectory in view draw the step on a kept picture; the pictures are not repainted.
for (const [name, selector, kind] of [
  ['step bars', 'section.detail .bars > canvas', /^detail canvas/],
  ['attribution', '.attribution-box canvas', /^explain canvas/],
  ['trajectory', '.trajectory-box canvas', /^trajectory canvas/],
] as const) {
  test(`${name} in view: drawn on every step over its kept picture`, async () => {
    await scrollTo(selector);
    await nextFrames(p.page, 3);
    await startCounting();
    await press(5);
    const c = await counts();
    const [x] = c.canvases.filter((o) => kind.test(o.what));
    assert.ok(x && x.near && x.calls >= 5, `${name}: drawn on every step (${JSON.stringify(x)})`);
    assert.deepEqual(c.canvases.filter((o) => /^off-page/.test(o.what)), [], 'a cached picture was repainted');
    assert.deepEqual(c.canvases.filter((o) => /chart\.js$/.test(o.what) && o.calls), [], 'a chart.js chart was redrawn');
  });
}

test('a canvas scrolled into view after steps shows the current step, as if drawn there', async () => {
  for (const selector of ['section.detail .bars > canvas', 'section.input .chart-box canvas.overlay']) {
    await scrollTo(selector);
    await nextFrames(p.page, 3);
    const before = await canvasHash(p.page, selector);
    // Away: the bottom of the panel (the weights), far from both.
    await p.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await nextFrames(p.page, 3);
    assert.ok(await p.page.evaluate((sel) => document.querySelector(sel)!.getBoundingClientRect().bottom < -400, selector), `${selector} is out of view`);
    const step = await press(3);
    assert.equal(await canvasHash(p.page, selector), before, `${selector}: drawn while out of view`);
    await scrollTo(selector);
    // Drawn once the browser reports it near (an intersection observer's callback, a frame or two later).
    await p.page.waitForFunction(([sel, h]) => {
      const c = document.querySelector(sel) as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let x = 0;
      for (let i = 0; i < d.length; i += 7) x = (x * 31 + d[i]!) | 0;
      return x !== h;
    }, [selector, before] as const, { timeout: 10_000 });
    const shown = await canvasHash(p.page, selector);
    // The same step drawn in view the ordinary way (one step on and back) gives the same pixels.
    await press(1);
    assert.notEqual(await canvasHash(p.page, selector), shown, `${selector}: a step in view redraws it`);
    await p.page.keyboard.press('ArrowLeft');
    await p.page.waitForFunction((t) => (window as unknown as { __state: { step: number } }).__state.step === t, step);
    await nextFrames(p.page, 2);
    assert.equal(await canvasHash(p.page, selector), shown, `${selector}: what was drawn on scrolling in is step ${step}`);
  }
});

// In VS Code the webview sits inside the editor's rounded corners. A rounded clip of the page's own around a canvas
// (a composited layer) makes the compositor draw the whole webview into a masked surface of its own, in software:
// 15–30 ms of the GPU process per frame, which held every step's frame back (#16; the cards' paint containment did
// that). Clips around canvases are square; the contained card bodies keep a margin for focus rings.
test('no canvas is clipped by rounded corners; a contained card body leaves its focus rings room', async () => {
  const rounded = await p.page.evaluate(() => {
    const out: string[] = [];
    for (const c of document.querySelectorAll('canvas')) {
      if (!c.getClientRects().length) continue;
      for (let e = c.parentElement; e && e !== document.body; e = e.parentElement) {
        const s = getComputedStyle(e);
        const clips = /paint|strict|content/.test(s.contain) || s.overflowX !== 'visible' || s.overflowY !== 'visible';
        const radius = [s.borderTopLeftRadius, s.borderTopRightRadius, s.borderBottomLeftRadius, s.borderBottomRightRadius].some((r) => parseFloat(r) > 0);
        if (clips && radius) out.push(`${e.tagName.toLowerCase()}.${[...e.classList].join('.')} around ${c.closest('section.card')?.className ?? '?'}`);
      }
    }
    return [...new Set(out)];
  });
  assert.deepEqual(rounded, [], 'rounded clips around canvases');
  // A box reaching 6 px past the left edge of a contained body (a focus ring's place) is still there to hit there.
  const hit = await p.page.evaluate(() => {
    const body = document.querySelector('section.detail > .card-body') as HTMLElement;
    body.scrollIntoView({ block: 'center' });
    const r = body.getBoundingClientRect();
    const probe = document.createElement('div');
    probe.style.cssText = 'position:absolute;left:-6px;top:0;width:6px;height:20px';
    body.append(probe);
    const at = document.elementFromPoint(r.left - 3, r.top + 10);
    const beyond = document.elementFromPoint(r.left - 3, r.top + 10) === probe;
    probe.style.left = '-14px';
    probe.style.width = '4px';
    const clipped = document.elementFromPoint(r.left - 12, r.top + 10) !== probe;
    probe.remove();
    return { inside: at === probe && beyond, clipped, contain: getComputedStyle(body).contain };
  });
  assert.match(hit.contain, /paint/, 'the step detail card body is paint-contained');
  assert.ok(hit.inside, 'a box 3 px past the contained body\'s edge is painted and hit (overflow-clip-margin)');
  assert.ok(hit.clipped, 'past the margin the body clips (it is contained)');
});
