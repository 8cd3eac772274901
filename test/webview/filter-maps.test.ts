/**
 * ConvLSTM in the panel, headless Chromium fed by the host's own PanelSession on keras.io's next-frame prediction
 * architecture (test/fixtures/architectures/next_frame_convlstm2d: three ConvLSTM2D of 4 filters on 8 × 8 frames,
 * BatchNormalization, Conv3D): the panel opens without errors, the Filter maps card draws one 8 × 8 map per filter
 * in the heatmap's colours, hover names the filter, position and the value (the trace's own), a click focuses that
 * unit. Screenshots in dark, light and high contrast (.test-output/screenshots/filter-maps-*.png).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { loadModelBytes } from '../../src/formats/index';
import { runModel } from '../../src/engine/index';
import { FIXTURES } from '../fixtures-path';
import { SHOTS, applyTheme, launch, nextFrames, openPanelPage, serve, type PanelPage, type Served } from './harness';

const DIR = join(FIXTURES, 'architectures', 'next_frame_convlstm2d');

let browser: Browser;
let served: Served;
let p: PanelPage;
let hAt: (layer: number, step: number, unit: number) => number;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const loaded = await loadModelBytes(readFileSync(join(DIR, 'model.keras')), 'model.keras');
  const ref = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8'));
  const inp = ref.inputs[0];
  const input = { shape: inp.shape, data: Float64Array.from(inp.data as number[]) };
  const trace = runModel(loaded.model, input).trace!;
  hAt = (layer, step, unit) => {
    const lt = trace.layers[layer]!;
    return lt.values[lt.quantities.findIndex((q) => q.key === 'h')]![(0 * lt.steps + step) * lt.units + unit]!;
  };
  const session = new PanelSession({ loaded, input, predictCalls: 1, files: { fileUri: `file://${DIR}/model.keras`, model: 'model.keras', input: 'reference.json', recording: null } });
  served = await serve();
  browser = await launch();
  p = await openPanelPage(browser, served, session, { width: 1280, height: 1000 });
  await p.page.waitForFunction(() => document.querySelectorAll('.filter-maps canvas.filter-map').length > 0 && document.body.dataset.renderMs !== undefined, null, { timeout: 30000 });
  await nextFrames(p.page, 2);
});

after(async () => {
  await p?.page.context().close();
  await browser?.close();
  await served?.close();
});

test('one 8 × 8 map per filter, coloured, with the focus unit named in the title', async () => {
  const maps = p.page.locator('.filter-maps canvas.filter-map');
  assert.equal(await maps.count(), 4);
  assert.deepEqual(await maps.first().evaluate((c: HTMLCanvasElement) => [c.width, c.height]), [8, 8]);
  // Not blank: the pixels of filter 0 take more than one colour.
  const colours = await maps.first().evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<string>();
    for (let i = 0; i < d.length; i += 4) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]},${d[i + 3]}`);
    return seen.size;
  });
  assert.ok(colours > 5, `${colours} colours`);
  assert.match(await p.page.locator('.filter-maps .card-head').innerText(), /4 filters × 8 × 8 positions · focus: filter \d+ at \(\d+, \d+\)/);
  assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
});

test('hover reads the trace value of that filter and position; a click focuses the unit', async () => {
  // Choose h as the heatmap quantity, at step 0 of layer 0.
  await p.page.evaluate(() => {
    const w = window as unknown as { __state: { quantity: string; step: number } };
    w.__state.quantity = 'h';
  });
  const select = p.page.locator('select').filter({ has: p.page.locator('option[value="h"]') }).first();
  if (await select.count()) await select.selectOption('h');
  await nextFrames(p.page, 3);
  const map = p.page.locator('.filter-maps canvas.filter-map').nth(2);
  await map.scrollIntoViewIfNeeded();
  const box = (await map.boundingBox())!;
  // Row 5, column 3 of filter 2: unit (5·8 + 3)·4 + 2 = 174 (channels_last).
  const x = box.x + ((3 + 0.5) / 8) * box.width;
  const y = box.y + ((5 + 0.5) / 8) * box.height;
  await p.page.mouse.move(x, y);
  const text = await p.page.locator('.filter-maps-readout').innerText();
  assert.match(text, /^filter 2 at \(5, 3\) · unit 174 · h = /);
  const shown = Number(text.split('= ')[1]!.replace(/[^0-9eE.+−-]/g, '').replace('−', '-'));
  const step = await p.page.evaluate(() => (window as unknown as { __state: { step: number } }).__state.step);
  assert.ok(Math.abs(shown - hAt(0, step, 174)) < 1e-3 * Math.max(1, Math.abs(hAt(0, step, 174))), `${shown} vs ${hAt(0, step, 174)}`);
  await p.page.mouse.click(x, y);
  await nextFrames(p.page, 3);
  assert.equal(await p.page.evaluate(() => (window as unknown as { __state: { focusUnit: number } }).__state.focusUnit), 174);
  assert.match(await p.page.locator('.filter-maps .card-head').innerText(), /focus: filter 2 at \(5, 3\)/);
});

test('screenshots: dark, light, high contrast', async () => {
  for (const theme of ['dark', 'light', 'high-contrast'] as const) {
    await applyTheme(p.page, theme);
    await nextFrames(p.page, 3);
    await p.page.evaluate(() => window.scrollTo(0, 0));
    const card = (await p.page.locator('.filter-maps').boundingBox())!;
    await p.page.screenshot({ path: join(SHOTS, `filter-maps-${theme}.png`), fullPage: true, clip: card });
  }
  await applyTheme(p.page, 'dark');
  await nextFrames(p.page, 2);
  await p.page.screenshot({ path: join(SHOTS, 'filter-maps-page-dark.png'), fullPage: true });
});
