/**
 * The model graph view in headless Chromium, fed by the host's own PanelSession on a real Keras 3 functional model
 * (test/fixtures/architectures/masking_layer: Masking → LSTM → Bidirectional(GRU) → Dense, with the
 * NotEqual / Any nodes Keras 3 writes for the mask): one box per call, the mask arrows dashed, the LSTM and the Bidirectional highlighted, a
 * click on one selects its trace. Screenshots in dark, light and high contrast (.test-output/screenshots/graph-*.png).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { loadModelBytes } from '../../src/formats/index';
import { graphView } from '../../src/panel/graph-view';
import { FIXTURES } from '../fixtures-path';
import { SHOTS, applyTheme, launch, nextFrames, openPanelPage, serve, type PanelPage, type Served } from './harness';

const DIR = join(FIXTURES, 'architectures', 'masking_layer');

let browser: Browser;
let served: Served;
let p: PanelPage;
let nodes = 0;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const loaded = await loadModelBytes(readFileSync(join(DIR, 'model.keras')), 'model.keras');
  const ref = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8'));
  const inp = ref.inputs[0];
  const input = { shape: inp.shape, data: Float64Array.from(inp.data as number[]) };
  nodes = graphView(loaded.model).nodes.length;
  const session = new PanelSession({ loaded, input, predictCalls: 1, files: { fileUri: `file://${DIR}/model.keras`, model: 'model.keras', input: 'reference.json', recording: null } });
  served = await serve();
  browser = await launch();
  p = await openPanelPage(browser, served, session, { width: 1280, height: 1000 });
  await p.page.waitForFunction(() => document.querySelector('.graph-view') !== null && document.body.dataset.renderMs !== undefined, null, { timeout: 20000 });
  await nextFrames(p.page, 2);
});

after(async () => {
  await p?.page.context().close();
  await browser?.close();
  await served?.close();
});

test('one box per input and call, the mask arrow dashed, recurrent layers highlighted', async () => {
  assert.equal(await p.page.locator('.graph-view .node').count(), nodes);
  const recurrent = await p.page.locator('.graph-view .node.recurrent text.label').allTextContents();
  assert.deepEqual(recurrent, ['lstm', 'bidirectional']);
  assert.equal(await p.page.locator('.graph-view .edge.mask').count(), 2, 'the Any mask reaches both recurrent layers as dashed arrows');
  const dash = await p.page.locator('.graph-view .edge.mask').first().evaluate((e) => getComputedStyle(e).strokeDasharray);
  assert.notEqual(dash, 'none');
  const hover = await p.page.locator('.graph-view .node.recurrent title').first().textContent();
  assert.match(hover ?? '', /^lstm \(LSTM\)\nreads masking\nmask from any$/);
  assert.equal(await p.page.locator('.graph-view .node.selected text.label').textContent(), 'lstm', 'the shown layer is marked');
  // Item 0's last two steps are all-zero rows, which Masking(0) masks: the heatmap says the LSTM skipped them.
  assert.match(await p.page.locator('.heat .card-head').innerText(), /padding skipped at t = 6–7/);
});

test('the graph fits its card: no box overlaps another, none is cut off', async () => {
  const boxes = await p.page.locator('.graph-view .node rect').evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect()).map((b) => [b.left, b.top, b.right, b.bottom]));
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i]!, boxes[j]!];
      assert.ok(a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1], `boxes ${i} and ${j} overlap`);
    }
  }
  for (const theme of ['dark', 'light', 'high-contrast'] as const) {
    await applyTheme(p.page, theme);
    await nextFrames(p.page, 2);
    await p.page.evaluate(() => window.scrollTo(0, 0));
    const box = (await p.page.locator('.model-graph').boundingBox())!;
    await p.page.screenshot({ path: join(SHOTS, `graph-${theme}.png`), fullPage: true, clip: box });
  }
  const heat = (await p.page.locator('.heat').boundingBox())!;
  await p.page.screenshot({ path: join(SHOTS, 'graph-heat-masked.png'), fullPage: true, clip: heat });
});

test('every box’s name and class read clearly on its fill in dark, light and both high-contrast themes, the shown layer too', async () => {
  // WCAG contrast of each text on its box (the box's fill laid over the card behind it), as Chromium computes the
  // colours from the theme's variables. VS Code's HC themes give editor.inactiveSelectionBackground as a translucent
  // yellow (dark) or blue (light): a fill made of it put white text on pale yellow (issue #16's screenshot).
  const worst: Record<string, number> = {};
  for (const theme of ['dark', 'light', 'high-contrast', 'high-contrast-light'] as const) {
    await applyTheme(p.page, theme);
    const ratios = await p.page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = c.height = 1;
      const g = c.getContext('2d', { willReadFrequently: true })!;
      const over = (...colours: string[]): number[] => {
        g.clearRect(0, 0, 1, 1);
        for (const col of colours) ((g.fillStyle = col), g.fillRect(0, 0, 1, 1));
        return [...g.getImageData(0, 0, 1, 1).data.slice(0, 3)];
      };
      const lum = (rgb: number[]) => rgb.map((v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i]!, 0);
      const ratio = (a: number[], b: number[]) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
      // The colours behind the graph: each ancestor's background, the page's first.
      const behind: string[] = [];
      for (let e: Element | null = document.querySelector('.graph-view'); e; e = e.parentElement) behind.unshift(getComputedStyle(e).backgroundColor);
      return [...document.querySelectorAll('.graph-view .node')].map((n) => {
        const fill = over(...behind, getComputedStyle(n.querySelector('rect')!).fill);
        const texts = [...n.querySelectorAll('text')].map((t) => ratio(over(...behind, getComputedStyle(n.querySelector('rect')!).fill, getComputedStyle(t).fill), fill));
        return { selected: n.classList.contains('selected'), recurrent: n.classList.contains('recurrent'), min: Math.min(...texts) };
      });
    });
    const need = theme.startsWith('high-contrast') ? 7 : 4.5;
    for (const r of ratios) assert.ok(r.min >= need, `${theme}: a ${r.selected ? 'selected ' : ''}${r.recurrent ? 'recurrent ' : ''}box's text has contrast ${r.min.toFixed(2)} < ${need}`);
    worst[theme] = Math.min(...ratios.map((r) => r.min));
    await p.page.evaluate(() => window.scrollTo(0, 0));
    const box = (await p.page.locator('.model-graph').boundingBox())!;
    await p.page.screenshot({ path: join(SHOTS, `graph-contrast-${theme}.png`), fullPage: true, clip: box });
  }
  console.log(`lowest text contrast on a graph box: ${Object.entries(worst).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
});

test('a click on a recurrent box selects that layer (and a click on another box does nothing)', async () => {
  const layer = () => p.page.evaluate(() => (window as unknown as { __state: { layer: number } }).__state.layer);
  assert.equal(await layer(), 0);
  await p.page.locator('.graph-view .node.recurrent').nth(1).click();
  await nextFrames(p.page, 2);
  assert.equal(await layer(), 1, 'the Bidirectional (its forward direction: trace entry 1)');
  assert.equal(await p.page.locator('.graph-view .node.selected text.label').textContent(), 'bidirectional');
  await p.page.locator('.graph-view .node:not(.recurrent)').first().click();
  await nextFrames(p.page, 2);
  assert.equal(await layer(), 1);
  await p.page.locator('.graph-view .node.recurrent').first().focus();
  await p.page.keyboard.press('Enter');
  await nextFrames(p.page, 2);
  assert.equal(await layer(), 0, 'Enter on the focused LSTM box');
  // The webview UI toolkit sets inline styles the test page's CSP reports (as in inspect.test.ts): not ours.
  assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
});
