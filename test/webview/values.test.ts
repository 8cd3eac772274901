/**
 * Values everywhere, one visual language (issue 16 §3–4), in headless Chromium on examples/char-rnn: hovering the
 * heatmap, the step-detail bars and a weight matrix shows the numbers Keras recorded (h, float32) and the model file
 * holds (weights); every colour scale has its legend; unit colours keep 3:1 against the background in every theme; the
 * Heatmap dropdown's options can be clicked where they are drawn (not under the sticky toolbar); an invalid Batch or
 * Units entry says what is valid; the panel raises no CSP violation.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { loadExpectedBytes, loadModelBytes } from '../../src/formats/index';
import { contrast, type Rgb } from '../../src/panel/value-scale';
import { ROOT, SHOTS, THEMES, applyTheme, launch, nextFrames, openPanelPage, serve, type PanelPage, type Served } from './harness';

const base = join(ROOT, 'examples', 'char-rnn');
const recording = JSON.parse(readFileSync(join(base, 'recording.json'), 'utf8')) as { layers: { name: string; output: { shape: number[]; data: number[] } }[] };
const modelFile = JSON.parse(readFileSync(join(base, 'model.cellscope.json'), 'utf8')) as { weights: number[][][] };
/** Keras's h of the LSTM layer, [1, 44, 32] float32, as recorded. */
const kerasH = recording.layers.find((l) => l.name === 'lstm')!.output;
const kerasHAt = (t: number, j: number) => kerasH.data[t * kerasH.shape[2]! + j]!;

/** The number at the end of a readout such as "step 3 · unit 2 · h = 0.123456". */
const numberIn = (text: string, after: string) => {
  const m = new RegExp(`${after.replace(/[|\\^$*+?.()[\]{}]/g, '\\$&')} = (-?[\\d.]+(?:e[-+]?\\d+)?)`).exec(text);
  assert.ok(m, `no "${after} = …" in ${JSON.stringify(text)}`);
  return Number(m[1]);
};
/** fmt(x, 6) prints 6 decimals (or 3 significant digits under 1e-3): equal to that precision, and float32 vs float64. */
const close = (shown: number, ref: number, what: string) => assert.ok(Math.abs(shown - ref) <= Math.max(2e-6, Math.abs(ref) * 5e-3), `${what}: shown ${shown}, reference ${ref}`);

let browser: Browser;
let served: Served;
let p: PanelPage;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  served = await serve();
  browser = await launch();
  const loaded = await loadModelBytes(readFileSync(join(base, 'model.cellscope.json')), 'model.cellscope.json');
  const rec = loadExpectedBytes(readFileSync(join(base, 'recording.json')), 'recording.json');
  const session = new PanelSession({ loaded, input: rec.input!, expected: rec.output, predictCalls: rec.predictCalls, files: { fileUri: `file://${base}/model.cellscope.json`, model: 'model.cellscope.json', input: 'recording.json', recording: 'recording.json' } });
  p = await openPanelPage(browser, served, session, { width: 1280, height: 900 });
  await applyTheme(p.page, 'dark');
  await p.page.waitForFunction(() => document.body.dataset.renderMs !== undefined && document.querySelector('.gate-grid canvas') !== null, null, { timeout: 20000 });
  await nextFrames(p.page, 3);
});

after(async () => {
  await browser?.close();
  await served?.close();
});

describe('values on hover', () => {
  test('heatmap: step, unit and the value Keras recorded', async () => {
    const canvas = p.page.locator('.heat .heatmap-box canvas:not(.overlay)');
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    // The plot inside the canvas: 44 px left for unit numbers, 4 top, 10 right, 32 below for the step axis (heatmap.ts).
    const plot = { x: 44, y: 4, w: box.width - 54, h: box.height - 36 };
    for (const [t, j] of [[3, 2], [40, 31], [0, 0]] as const) {
      await p.page.mouse.move(box.x + plot.x + ((t + 0.5) * plot.w) / 44, box.y + plot.y + ((j + 0.5) * plot.h) / 32);
      const tip = p.page.locator('.heat .tip');
      await tip.waitFor({ state: 'visible' });
      const text = await tip.innerText();
      assert.match(text, new RegExp(`^step ${t} · unit ${j} · h = `));
      close(numberIn(text, 'h'), kerasHAt(t, j), `heatmap h[${t}][${j}]`);
    }
  });

  test('step-detail bars: unit, step, quantity and value; axes and a legend per scale', async () => {
    // Go to step 7 (→ seven times), then hover the h row (the 6th: i, f, c̃, o, c, h) at unit 5.
    await p.page.evaluate(() => window.scrollTo(0, 0));
    await p.page.locator('body').click({ position: { x: 5, y: 5 } });
    for (let k = 0; k < 7; k++) await p.page.keyboard.press('ArrowRight');
    await nextFrames(p.page, 2);
    const canvas = p.page.locator(".bars > canvas");
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    const bw = Math.min(40, (box.width - 84 - 4) / 32);
    await p.page.mouse.move(box.x + 84 + 5.5 * bw, box.y + 5 * 46 + 23);
    const tip = p.page.locator('.bars .tip');
    await tip.waitFor({ state: 'visible' });
    const text = await tip.innerText();
    assert.match(text, /^unit 5 · step 7 · h = /);
    close(numberIn(text, 'h'), kerasHAt(7, 5), 'bar h[7][5]');
    // Legends: the gates (0..1) share one; c̃ and h (±1) one; c its own range.
    const legends = await p.page.locator('.bars .legend').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    assert.ok(legends.some((l) => /of i, f, o: from 0 \(dark purple\) to 1 \(yellow\)/.test(l ?? '')), legends.join('\n'));
    assert.ok(legends.some((l) => /h.*from -1 \(blue\) through 0 \(background\) to 1 \(red\)/.test(l ?? '')), legends.join('\n'));
    assert.ok(await p.page.locator('.heat .legend').getAttribute('aria-label').then((l) => /^Colour scale of h: from -1/.test(l ?? '')));
  });

  test('weights: row, column, gate and the value in the model file', async () => {
    // The LSTM's recurrent kernel [32, 128] (Keras order i, f, c, o): gate f is columns 32–63.
    const tile = p.page.locator('.weight-layer').filter({ has: p.page.locator('h3', { hasText: /^lstm$/ }) }).locator('.weight-row').filter({ hasText: 'recurrent kernel' }).locator('.weight-tile').nth(1);
    assert.match(await tile.locator('figcaption').innerText(), /gate f/);
    const canvas = tile.locator('canvas.weight-image');
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    const [r, c] = [3, 17];
    await p.page.mouse.move(box.x + ((c + 0.5) * box.width) / 32, box.y + ((r + 0.5) * box.height) / 32);
    const tip = tile.locator('.tip');
    await tip.waitFor({ state: 'visible' });
    const text = await tip.innerText();
    assert.match(text, new RegExp(`^row ${r} · column ${c} · gate f · `));
    const shown = Number(/· (-?[\d.]+(?:e[-+]?\d+)?)$/.exec(text)![1]);
    close(shown, modelFile.weights[2]![r]![32 + c]!, `recurrent kernel f[${r}][${c}]`);
    assert.ok(await tile.locator('.legend').count(), 'a legend on the tile');
  });
});

describe('friction', () => {
  test('the Heatmap dropdown: a click where option "o" is drawn reaches it (not the sticky toolbar)', async () => {
    await p.page.evaluate(() => window.scrollTo(0, 0));
    const dd = p.page.locator('vscode-dropdown[aria-label="Heatmap quantity"]');
    await dd.click();
    const option = p.page.getByRole('option', { name: 'o', exact: true });
    await option.waitFor({ state: 'visible' });
    const ob = (await option.boundingBox())!;
    const cx = ob.x + ob.width / 2;
    const cy = ob.y + ob.height / 2;
    // What a real click at that point hits.
    const hit = await p.page.evaluate(([x, y]) => {
      const e = document.elementFromPoint(x!, y!);
      return e ? `${e.tagName.toLowerCase()} ${e.textContent?.trim().slice(0, 20)}` : 'nothing';
    }, [cx, cy]);
    assert.match(hit, /^vscode-dropdown|^vscode-option/, `the click lands on ${hit}`);
    await p.page.mouse.click(cx, cy);
    await nextFrames(p.page, 3);
    assert.match(await p.page.locator('.heat .card-head .muted').first().innerText(), /^o · 32 units/);
  });

  test('invalid Batch and Units entries say what is valid; fields have names; a stepper for the batch item', async () => {
    const batch = p.page.getByRole('textbox', { name: 'Batch item', exact: true });
    await batch.fill('3');
    await batch.press('Enter');
    await nextFrames(p.page, 2);
    assert.equal(await p.page.locator('.field-error').first().innerText(), 'Batch item: this input has one, 0.');
    const units = p.page.getByRole('textbox', { name: 'Units to chart', exact: true });
    await units.fill('40-50');
    await units.press('Enter');
    await nextFrames(p.page, 2);
    assert.ok(await p.page.getByText('Units: numbers and ranges from 0 to 31, such as 0-3, 7.').isVisible());
    await units.fill('0-2');
    await units.press('Enter');
    await nextFrames(p.page, 2);
    assert.equal(await p.page.getByText(/^Units: numbers/).count(), 0, 'a valid entry clears the message');
    assert.ok(await p.page.getByRole('button', { name: 'Next batch item' }).isVisible());
    assert.ok(await p.page.getByRole('button', { name: 'Previous batch item' }).isVisible());
  });

  test('unit colours stand out from the background (3:1) in light, dark and high contrast', async () => {
    for (const name of ['light', 'dark', 'high-contrast'] as const) {
      await applyTheme(p.page, name);
      const swatches = await p.page.$$eval('.unit-chip .swatch', (els) => els.map((e) => getComputedStyle(e).backgroundColor));
      assert.ok(swatches.length >= 3);
      const bg = THEMES[name].vars['--vscode-editor-background']!;
      const rgb = (c: string): Rgb => (c.startsWith('#') ? [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) : c.match(/\d+/g)!.slice(0, 3).map(Number)) as Rgb;
      for (const s of swatches) assert.ok(contrast(rgb(s), rgb(bg)) >= 2.95, `${name}: ${s} on ${bg}: ${contrast(rgb(s), rgb(bg)).toFixed(2)}:1`);
      await p.page.evaluate(() => window.scrollTo(0, 0));
      await p.page.screenshot({ path: join(SHOTS, `values-char-rnn-${name}.png`), fullPage: true });
    }
    await applyTheme(p.page, 'dark');
  });

  test('no CSP violation and no console error', async () => {
    assert.deepEqual(await p.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
    assert.deepEqual(p.pageErrors, []);
  });
});

describe('the cell diagram', () => {
  test('LSTM: a tanh(c) node between c and the output gate; at t = 0 the initial states read 0; hover text carries the value', async () => {
    await p.page.locator('body').click({ position: { x: 5, y: 5 } });
    await p.page.keyboard.press('Home');
    await nextFrames(p.page, 2);
    const labels = await p.page.locator('.diagram .op-label').allTextContents();
    assert.ok(labels.includes('tanh(c)'), labels.join(' '));
    const prev = await p.page.locator('.diagram g.node.state').evaluateAll((gs) => gs.map((g) => g.querySelector('title')?.textContent ?? ''));
    assert.ok(prev.includes('h₍ₜ₋₁₎ = 0') && prev.includes('c₍ₜ₋₁₎ = 0'), prev.join(' | '));
    // h at t = 0 for the focus unit (0 after the Units entry above: 0-2): what Keras recorded.
    const h = prev.find((x) => x.startsWith('hₜ = '))!;
    close(Number(h.slice('hₜ = '.length)), kerasHAt(0, 0), 'diagram hₜ');
  });

  test('a custom cell draws its equations and the value of each gate and state (examples/custom-cells/hx-matrix-lstm)', async () => {
    const file = join(ROOT, 'examples', 'custom-cells', 'hx-matrix-lstm.json');
    const loaded = await loadModelBytes(readFileSync(file), 'hx-matrix-lstm.json');
    const fixture = JSON.parse(readFileSync(file, 'utf8')) as { expected_output: { data: number[] } };
    const session = new PanelSession({ loaded, input: loaded.input!, expected: loaded.expectedOutput, predictCalls: loaded.predictCalls, files: { fileUri: `file://${file}`, model: 'hx-matrix-lstm.json', input: 'hx-matrix-lstm.json', recording: 'hx-matrix-lstm.json' } });
    const q = await openPanelPage(browser, served, session, { width: 1280, height: 900 });
    try {
      await applyTheme(q.page, 'dark');
      await q.page.waitForFunction(() => document.querySelectorAll('.diagram .equation').length > 0, null, { timeout: 20000 });
      await nextFrames(q.page, 3);
      const eqs = await q.page.locator('.diagram .equation').allTextContents();
      for (const e of ['= sigmoid(Wf @ [h, x] + bf)', '= tanh(Wc @ [h, x] + bc)', '= f * c + i * c_bar', '= o * tanh(c)']) assert.ok(eqs.includes(e), `${e} in ${eqs.join(' | ')}`);
      assert.equal(await q.page.locator('.diagram .op-label', { hasText: 'custom' }).count(), 0, 'no black box');
      const titles = await q.page.locator('.diagram g.node').evaluateAll((gs) => gs.map((g) => g.querySelector('title')?.textContent ?? ''));
      const h = titles.find((x) => x.startsWith('hₜ = '))!;
      // The fixture's expected output (a float64 transcription of the seed's formulas): h at step 0, unit 0.
      close(Number(h.slice('hₜ = '.length)), fixture.expected_output.data[0]!, 'custom hₜ');
      const card = q.page.locator('section.cell');
      await card.scrollIntoViewIfNeeded();
      await card.screenshot({ path: join(SHOTS, 'values-custom-cell-dark.png') });
      assert.deepEqual(q.pageErrors, []);
    } finally {
      await q.page.context().close();
    }
  });
});
