/**
 * A model with two inputs and two outputs in the panel (issue 12 §6), in headless Chromium with the host's own
 * PanelSession, as a user opens it: test/fixtures/panel-multi-input (real Keras 3.15.1: an encoder–decoder whose
 * encoder_inputs [3, 6, 3] and decoder_inputs [3, 4, 2] differ in length and features, heads next_step and category)
 * with the recording python/cellscope_export.py wrote. The whole graph runs on both inputs; the Input card names each
 * input and shows the one the shown layer reads; the gates of both LSTMs are Keras's (the recorded sequences); each
 * output is compared with Keras’s recorded output; Explain shows each input’s gradient (explainPrediction’s numbers) for
 * the input picked. Screenshots: .test-output/screenshots/multi-input-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { loadExpectedBytes, loadModelBytes, type LoadedModel } from '../../src/formats/index';
import { explainPrediction } from '../../src/explain/index';
import { explainRunOf } from '../../src/extension/panel/explain-requests';
import { fmt } from '../../webview/store';
import { FIXTURES } from '../fixtures-path';
import { SHOTS, applyTheme, closeAll, launch, nextFrames, openPanelPage, recordedH, serve, stepTable, type PanelPage, type Served } from './harness';

const DIR = join(FIXTURES, 'panel-multi-input');
type Arr = { shape: number[]; data: number[] };
/** What Keras recorded (the exporter's file, read as JSON: nothing of Cellscope's in between). */
const keras = JSON.parse(readFileSync(join(DIR, 'recording.json'), 'utf8')) as { inputs: Arr[] };
const kerasH = recordedH(join(DIR, 'recording.json'));

let browser: Browser;
let served: Served;
let p: PanelPage;
let session: PanelSession;

const inputTitle = () => p.page.locator('.input .chart-title').first().innerText();
const pick = (label: string, value: string) =>
  p.page.locator(`vscode-dropdown[aria-label="${label}"]`).first().evaluate((d, v) => {
    (d as HTMLElement & { value: string }).value = v;
    d.dispatchEvent(new Event('change'));
  }, value);

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const loaded = await loadModelBytes(readFileSync(join(DIR, 'model.keras')), 'model.keras');
  // As the extension's findInputs reads recording.json beside the model: every input, every output.
  const rec = loadExpectedBytes(readFileSync(join(DIR, 'recording.json')), 'recording.json');
  session = new PanelSession({
    loaded,
    input: rec.input!,
    inputs: rec.inputs,
    expected: rec.output,
    expectedOutputs: rec.outputs,
    predictCalls: rec.predictCalls,
    files: { fileUri: `file://${DIR}/model.keras`, model: 'model.keras', input: 'recording.json', recording: 'recording.json' },
  });
  served = await serve();
  browser = await launch();
  p = await openPanelPage(browser, served, session, { width: 1280, height: 1000 });
  await p.page.waitForFunction(() => document.querySelector('.gate-grid canvas') !== null && /encoder_inputs/.test(document.querySelector('.input .chart-title')?.textContent ?? '') && document.querySelector('.compare-outputs .badge') !== null, null, { timeout: 30000 });
  await nextFrames(p.page, 2);
});

after(() => closeAll(p, browser, served));

describe('the host runs the whole graph on both inputs', () => {
  test('each traced layer names the input it reads; a trace carries the input asked for', () => {
    const init = session.initMessage();
    assert.deepEqual(init.modelInputs.map((m) => [m.name, m.steps, m.features]), [['encoder_inputs', 6, 3], ['decoder_inputs', 4, 2]]);
    assert.deepEqual(init.modelOutputs, ['next_step', 'category']);
    assert.deepEqual(init.layers.map((l) => [l.layerName, l.modelInput, l.steps]), [['encoder', 0, 6], ['decoder', 1, 4]]);
    for (const [layer, k] of [[1, 1], [1, 0], [0, 0]] as const) {
      const t = session.traceMessage(layer, 2, undefined, 0, k);
      const x = keras.inputs[k]!;
      const per = x.data.length / x.shape[0]!;
      assert.equal(t.modelInput, k);
      assert.deepEqual([...t.input].map((v) => Math.fround(v)), x.data.slice(2 * per, 3 * per).map((v) => Math.fround(v)), `batch item 2 of ${['encoder_inputs', 'decoder_inputs'][k]}`);
    }
    assert.throws(() => session.traceMessage(0, 0, undefined, 0, 2), RangeError);
  });
});

describe('the panel', () => {
  test('the Input card names both inputs and shows the encoder’s beside the encoder; the gates are Keras’s', async () => {
    const options = await p.page.locator('.input vscode-dropdown[aria-label="Model input"] vscode-option').allInnerTexts();
    assert.deepEqual(options, ['encoder_inputs [6 × 3]', 'decoder_inputs [4 × 2]']);
    assert.match(await inputTitle(), /^encoder_inputs \(read by encoder\) x — 3 features, batch item 0/);
    assert.match(await p.page.locator('header.header p.muted').first().innerText(), /^inputs encoder_inputs \[6, 3\], decoder_inputs \[4, 2\] · /);
    assert.equal(await p.page.locator('.gate-grid canvas').count() >= 6, true, 'six LSTM charts: i, f, c̃, o, c, h');
    await p.page.locator('details.tables summary').click();
    await p.page.waitForFunction(() => /encoder/.test(document.querySelector('details.tables caption')?.textContent ?? ''));
    const { caption, rows } = await stepTable(p.page);
    assert.match(caption, /step 0 \(encoder, batch item 0\)/);
    rows.h!.forEach((v, k) => assert.ok(Math.abs(v - kerasH('encoder', 0, 0, k)) < 2e-6, `encoder h[0][${k}] = ${v}, Keras ${kerasH('encoder', 0, 0, k)}`));
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
  });

  test('selecting the decoder shows decoder_inputs and the decoder’s own gates (started from the encoder’s states)', async () => {
    await pick('Layer and direction', '1');
    // Only true once the decoder's trace (with decoder_inputs) has come and been drawn.
    await p.page.waitForFunction(() => /^decoder_inputs \(read by decoder\)/.test(document.querySelector('.input .chart-title')?.textContent ?? ''), null, { timeout: 20000 });
    const asked = p.received.filter((m) => m.type === 'requestTrace').at(-1);
    assert.ok(asked?.type === 'requestTrace' && asked.layer === 1 && asked.modelInput === 1);
    await p.page.waitForFunction(() => /decoder/.test(document.querySelector('details.tables caption')?.textContent ?? ''));
    await p.page.locator('body').click({ position: { x: 5, y: 5 } });
    for (let k = 0; k < 3; k++) await p.page.keyboard.press('ArrowRight');
    await p.page.waitForFunction(() => /step 3 \(decoder/.test(document.querySelector('details.tables caption')?.textContent ?? ''));
    const { rows } = await stepTable(p.page);
    rows.h!.forEach((v, k) => assert.ok(Math.abs(v - kerasH('decoder', 0, 3, k)) < 2e-6, `decoder h[3][${k}] = ${v}, Keras ${kerasH('decoder', 0, 3, k)}`));
  });

  test('the other input can be picked: the chart says the shown layer does not read it', async () => {
    await pick('Model input', '0');
    await p.page.waitForFunction(() => /^encoder_inputs \(not read by decoder\)/.test(document.querySelector('.input .chart-title')?.textContent ?? ''), null, { timeout: 20000 });
    assert.equal(await p.page.evaluate(() => (window as unknown as { __state: { modelInput: number | null } }).__state.modelInput), 0);
    await pick('Model input', '1');
    await p.page.waitForFunction(() => /^decoder_inputs \(read by decoder\)/.test(document.querySelector('.input .chart-title')?.textContent ?? ''), null, { timeout: 20000 });
    assert.equal(await p.page.evaluate(() => (window as unknown as { __state: { modelInput: number | null } }).__state.modelInput), null, 'the layer’s own input: follow the layer again');
    for (const theme of ['light', 'dark'] as const) {
      await applyTheme(p.page, theme);
      await nextFrames(p.page, 2);
      await p.page.locator('.input').screenshot({ path: join(SHOTS, `multi-input-input-${theme}.png`) });
    }
  });

  test('each output is compared with Keras’s: both named with their verdict, and the picker switches the chart', async () => {
    const line = await p.page.locator('.compare-outputs').innerText();
    assert.match(line, /2 outputs compared:\s*next_step: matches max \|Δ\| = [\d.e-]+ ·\s*category: matches max \|Δ\| = /);
    const c0 = session.comparisonMessage()!;
    const c1 = session.comparisonMessage(undefined, 0, 1)!;
    // The engine (float64) against Keras's float32 recording: agreement to float32 rounding.
    assert.ok(c0.maxAbs < 1e-6 && c1.maxAbs < 1e-6, `max |Δ| ${c0.maxAbs}, ${c1.maxAbs}`);
    assert.match(await p.page.locator('.compare-text').innerText(), /over 3 × 4 × 2 values/);
    await pick('Model output', '1');
    await p.page.waitForFunction(() => /over 3 × 3 values/.test(document.querySelector('.compare-text')?.textContent ?? ''), null, { timeout: 20000 });
    assert.match(await p.page.locator('.compare .chart-title').last().innerText(), /over the batch/);
    const asked = p.received.filter((m) => m.type === 'requestCompare').at(-1);
    assert.ok(asked?.type === 'requestCompare' && asked.output === 1);
    for (const theme of ['light', 'dark'] as const) {
      await applyTheme(p.page, theme);
      await nextFrames(p.page, 2);
      await p.page.locator('.compare').screenshot({ path: join(SHOTS, `multi-input-compare-${theme}.png`) });
    }
    await p.page.locator('.graph-view').screenshot({ path: join(SHOTS, 'multi-input-graph-dark.png') });
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
  });
});

describe('Explain on the two inputs', () => {
  const summary = () => p.page.locator('.explain-summary').innerText();
  /** The heatmap's value of every cell, read as the user reads it: the tip under the pointer at each cell's centre. */
  async function hoverAll(steps: number, features: number): Promise<string[]> {
    const canvas = p.page.locator('.explain .attribution-box canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    // The plot inside the canvas (webview/attribution.ts: 44 px left for the feature axis, 8 right, 4 top, 20 bottom).
    const [x0, y0, w, h] = [44, 4, box.width - 52, box.height - 24];
    const tips: string[] = [];
    for (let t = 0; t < steps; t++) {
      for (let f = 0; f < features; f++) {
        await p.page.mouse.move(box.x + x0 + ((t + 0.5) * w) / steps, box.y + y0 + ((f + 0.5) * h) / features);
        tips.push(await p.page.locator('.explain .attribution-tip').innerText());
      }
    }
    return tips;
  }
  const expectedTips = (a: Float64Array, steps: number, features: number, label = '∂y/∂x') =>
    Array.from({ length: steps * features }, (_, k) => `step ${Math.floor(k / features)} · feature ${k % features}: ${label} ${a[k]! > 0 ? '+' : ''}${fmt(a[k]!, 5)}`);
  const setMethod = (m: string) =>
    p.page.locator('.explain vscode-dropdown[aria-label="Attribution method"]').evaluate((d, v) => {
      (d as HTMLElement & { value: string }).value = v;
      d.dispatchEvent(new Event('change'));
    }, m);

  test('the gradient of both inputs is shown, the picked input’s in the section, equal to explainPrediction’s; switching the input switches the picture without re-running', async () => {
    const asked = () => p.received.filter((m) => m.type === 'requestExplain').length;
    await p.page.locator('.explain vscode-button', { hasText: 'Explain' }).first().click();
    // The decoder is the shown layer (tests above): its input is the one shown.
    await p.page.waitForFunction(() => /attribution to decoder_inputs/.test(document.querySelector('.explain-summary')?.textContent ?? ''), null, { timeout: 60000 });
    const text = await summary();
    assert.match(text, /gradient \(saliency\)/);
    const target = /\[([\d, ]+)\] = /.exec(text)![1]!.split(', ').map(Number);
    const loaded = session.inputs.loaded as LoadedModel;
    // The engine's function, called here on the same model and both inputs (it is checked against JAX elsewhere).
    const ref = explainPrediction(loaded.model, session.inputs.inputs!, { method: 'gradient', target, output: 0, predictCalls: session.inputs.predictCalls ?? 1, precision: explainRunOf(session)!.precision });
    assert.deepEqual(ref.attributions!.map((a) => a.name), ['encoder_inputs', 'decoder_inputs']);
    const item = (k: number, per: number) => ref.attributions![k]!.attribution.data.slice(target[0]! * per, (target[0]! + 1) * per);
    const dec = item(1, 4 * 2);
    const enc = item(0, 6 * 3);
    assert.ok(enc.some((v) => v !== 0) && dec.some((v) => v !== 0), 'both inputs move the target (the decoder starts from the encoder’s states)');
    assert.deepEqual(await hoverAll(4, 2), expectedTips(dec, 4, 2));
    const requests = asked();
    await pick('Model input', '0');
    await p.page.waitForFunction(() => /attribution to encoder_inputs/.test(document.querySelector('.explain-summary')?.textContent ?? ''), null, { timeout: 20000 });
    await nextFrames(p.page, 2);
    assert.deepEqual(await hoverAll(6, 3), expectedTips(enc, 6, 3));
    let sum = 0;
    for (const v of enc) sum += v;
    let all = sum;
    for (const v of dec) all += v;
    const esc = (x: number) => fmt(x).replace(/[.+]/g, '\\$&');
    assert.match(await summary(), new RegExp(`Σ attribution ${esc(sum)} \\(${esc(all)} over every input\\)`));
    assert.equal(asked(), requests, 'the other input’s attribution came with the first answer: no second request');
    await applyTheme(p.page, 'dark');
    await nextFrames(p.page, 2);
    await p.page.locator('.explain').screenshot({ path: join(SHOTS, 'multi-input-explain-dark.png') });
  });

  test('integrated gradients interpolates both inputs together (in the worker’s two threads): explainPrediction’s numbers, complete over both', async () => {
    await setMethod('integrated-gradients');
    await p.page.waitForFunction(() => /integrated gradients · attribution to encoder_inputs/.test(document.querySelector('.explain-summary')?.textContent ?? ''), null, { timeout: 60000 });
    await nextFrames(p.page, 2);
    const text = await summary();
    const target = /\[([\d, ]+)\] = /.exec(text)![1]!.split(', ').map(Number);
    const loaded = session.inputs.loaded as LoadedModel;
    const ref = explainPrediction(loaded.model, session.inputs.inputs!, { method: 'integrated-gradients', steps: 64, target, output: 0, predictCalls: session.inputs.predictCalls ?? 1, precision: explainRunOf(session)!.precision });
    const enc = ref.attributions![0]!.attribution.data.slice(target[0]! * 18, (target[0]! + 1) * 18);
    assert.deepEqual(await hoverAll(6, 3), expectedTips(enc, 6, 3, 'IG'));
    // Σ over both inputs ≈ f(x) − f(0): the error the panel states is the engine's, and small.
    const err = Number(/completeness error ([-\d.e+]+)/.exec(text)![1]);
    assert.equal(fmt(err), fmt(ref.completenessError!));
    assert.ok(ref.completenessError! < 1e-3 * Math.abs(ref.value) + 1e-6, `completeness error ${ref.completenessError} for f(x) = ${ref.value}`);
  });

  test('occlusion, which the engine refuses for several inputs, says so in the section', async () => {
    await setMethod('occlusion');
    await p.page.locator('.explain .explain-error').filter({ hasText: 'occlusion explains one-input models; this model has 2 inputs (encoder_inputs, decoder_inputs)' }).waitFor({ timeout: 20000 });
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
  });
});
