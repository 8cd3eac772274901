/**
 * The Explain, Gradient flow and State trajectory views in headless Chromium, fed by the host's own code (the
 * harness answers with ExplainRequests, which runs src/explain in the real engine worker): click a target → the
 * attribution (token text or heatmap) with values on hover, equal to what `explainPrediction` (the JAX-checked
 * function) gives in this process; method switch and the completeness error; the step cursor linked both ways;
 * cancel. Screenshots light and dark.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { explainPrediction } from '../../src/explain/index';
import { dynamicsOf } from '../../src/explain/dynamics/index';
import { loadExpectedBytes, loadModelBytes, type LoadedModel } from '../../src/formats/index';
import { fmt } from '../../webview/store';
import { gradientVerdict } from '../../src/panel/gradient-verdict';
import { ROOT, SHOTS, applyTheme, canvasVariety, launch, nextFrames, openPanelPage, serve, type PanelPage, type Served } from './harness';
import { syntheticLstm } from '../support/synthetic-lstm';

let browser: Browser;
let served: Served;

before(async () => {
  assert.ok(existsSync(join(ROOT, 'dist', 'host.js')), 'npm run build first (the explanation runs in dist/host.js, started as the engine worker)');
  mkdirSync(SHOTS, { recursive: true });
  served = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await served?.close();
});

async function ready(p: PanelPage): Promise<void> {
  await p.page.waitForFunction(() => document.body.dataset.renderMs !== undefined && document.querySelector('.gate-grid canvas') !== null, null, { timeout: 20000 });
  await nextFrames(p.page, 3);
}

/** Page errors, but the toolkit's one probe the CSP blocks (see panel.test.ts). */
const pageErrors = (p: PanelPage) => p.pageErrors.filter((e) => !/Applying inline style violates/.test(e));
const savedStep = (p: PanelPage) => p.page.evaluate(() => (window as unknown as { __state: { step: number } }).__state.step);
const summary = (p: PanelPage) => p.page.locator('.explain-summary').innerText();

async function explained(p: PanelPage, what: RegExp): Promise<string> {
  await p.page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.explain-summary')?.textContent ?? ''), what.source, { timeout: 60000 });
  await nextFrames(p.page, 3);
  return summary(p);
}

describe('Explain on examples/char-rnn (a token model)', () => {
  let p: PanelPage;
  let session: PanelSession;
  before(async () => {
    const base = join(ROOT, 'examples', 'char-rnn');
    const loaded = await loadModelBytes(readFileSync(join(base, 'model.cellscope.json')), 'model.cellscope.json');
    const rec = loadExpectedBytes(readFileSync(join(base, 'recording.json')), 'recording.json');
    session = new PanelSession({ loaded, input: rec.input!, expected: rec.output, predictCalls: rec.predictCalls, files: { fileUri: `file://${base}/model.cellscope.json`, model: 'model.cellscope.json', input: 'recording.json', recording: 'recording.json' } });
    p = await openPanelPage(browser, served, session, { height: 2400 });
    await ready(p);
  });
  after(async () => p?.page.context().close());

  test('a click on a step of the output chart and on a character explains it: the text coloured by the attribution of explainPrediction', async () => {
    await p.page.locator('.explain .chart canvas').first().scrollIntoViewIfNeeded();
    const box = (await p.page.locator('.explain .chart canvas').first().boundingBox())!;
    // Step 20 of 44: the chart's plot area spans most of the canvas; read back which step the click chose. The
    // caption already names the default target (the last step) before the click, and the click is drawn on the next
    // frame: wait for the caption to change, or a slow frame reads the default back (CI, 2026-12-05: "step 43").
    const caption = () => p.page.locator('.explain-picker > .muted').innerText();
    const before = await caption();
    assert.match(before, /^step 43\b/, 'the default target is the last step');
    await p.page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.4);
    await p.page.waitForFunction((b) => { const t = document.querySelector('.explain-picker > .muted')?.textContent ?? ''; return t.startsWith('step ') && t !== b; }, before, { timeout: 10000 });
    const step = Number(/step (\d+)/.exec(await caption())![1]);
    assert.ok(step > 10 && step < 34, `a middle step was picked (${step})`);
    // The second bar: the second most likely character at that step.
    const bar = p.page.locator('.output-bar').nth(1);
    const unit = Number(await bar.getAttribute('data-unit'));
    await bar.click();
    const text = await explained(p, new RegExp(`y\\[0, ${step}, ${unit}\\]`));
    assert.match(text, /gradient \(saliency\)/);
    const shown = await p.page.locator('.token-text span').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.value)));
    const ref = explainPrediction((session.inputs.loaded as LoadedModel).model, session.inputs.input, { method: 'gradient', target: [0, step, unit], predictCalls: session.inputs.predictCalls ?? 1 });
    assert.equal(shown.length, 44);
    assert.deepEqual(shown, Array.from(ref.attribution.data), 'the panel shows explainPrediction’s numbers, exactly');
    // A later step's token cannot change the prediction at `step` (causal LSTM): exactly zero there.
    assert.ok(shown.slice(step + 1).every((v) => v === 0), 'no attribution after the target step');
    const title = await p.page.locator('.token-text span').nth(step).getAttribute('title');
    assert.ok(title?.includes(`${ref.attribution.data[step]! > 0 ? '+' : ''}${fmt(ref.attribution.data[step]!, 5)}`), `hover names the value: ${title}`);
  });

  test('integrated gradients: the completeness error is shown and small', async () => {
    await p.page.locator('.explain vscode-dropdown[aria-label="Attribution method"]').evaluate((d) => {
      (d as HTMLElement & { value: string }).value = 'integrated-gradients';
      d.dispatchEvent(new Event('change'));
    });
    const text = await explained(p, /integrated gradients.*completeness error/);
    const err = Number(/completeness error ([-\d.e+]+)/.exec(text)![1]);
    assert.ok(err < 1e-2, `completeness error ${err}`);
    for (const theme of ['light', 'dark'] as const) {
      await applyTheme(p.page, theme);
      await p.page.locator('.explain').screenshot({ path: join(SHOTS, `explain-char-rnn-${theme}.png`) });
    }
  });

  test('gradient flow and trajectory: drawn, and linked to the step cursor both ways', async () => {
    assert.ok((await canvasVariety(p.page, '.gradient-flow .chart canvas')) > 3, 'gradient-norm chart drawn');
    assert.ok((await canvasVariety(p.page, '.trajectory canvas')) > 3, 'trajectory drawn');
    // Cursor → views: a click on a character moves the step; both readouts follow.
    await p.page.locator('.token-text span').nth(7).click();
    await nextFrames(p.page, 3);
    assert.equal(await savedStep(p), 7);
    assert.match(await p.page.locator('.flow-readout').innerText(), /^step 7:/);
    assert.match(await p.page.locator('.trajectory-readout').innerText(), /^cursor step 7:/);
    assert.equal(await p.page.locator('.token-text span.at-cursor').getAttribute('data-t'), '7');
    // Views → cursor: a click on the gradient-flow chart and on the trajectory move it.
    const flowCanvas = p.page.locator('.gradient-flow .chart canvas').first();
    const fb = (await flowCanvas.boundingBox())!;
    await flowCanvas.click({ position: { x: fb.width * 0.9, y: fb.height * 0.5 } });
    await nextFrames(p.page, 3);
    const s1 = await savedStep(p);
    assert.ok(s1 > 30, `gradient-flow click moved the cursor to a late step (${s1})`);
    const trajCanvas = p.page.locator('.trajectory canvas');
    const tb = (await trajCanvas.boundingBox())!;
    await trajCanvas.click({ position: { x: tb.width / 2, y: tb.height / 2 } });
    await nextFrames(p.page, 3);
    const s2 = await savedStep(p);
    assert.match(await p.page.locator('.trajectory-readout').innerText(), new RegExp(`^cursor step ${s2}:`));
    // The numbers drawn are dynamicsOf's (the function the CLI and the JAX-checked tests use): the readout at the cursor.
    const idx = await targetIndices(p);
    const s3 = Math.min(5, idx[0]!);
    await p.page.locator('.token-text span').nth(s3).click();
    await nextFrames(p.page, 3);
    const ref = dynamicsOf((session.inputs.loaded as LoadedModel).model, session.inputs.input, { target: { output: 0, index: [0, ...idx], flat: idx[0]! * 25 + idx[1]! }, predictCalls: session.inputs.predictCalls ?? 1 });
    const flow = await p.page.locator('.flow-readout').innerText();
    assert.ok(flow.startsWith(`step ${s3}: lstm h 10^${Math.log10(ref[0]!.gradient[0]!.norm[s3]!).toFixed(2)} · lstm c 10^${Math.log10(ref[0]!.gradient[1]!.norm[s3]!).toFixed(2)}`), flow);
    // The Weights view: no ρ alarm, the run's verdict instead (ρ ≈ 2 in some blocks of this 100 %-accurate model).
    const v = gradientVerdict(ref[0]!.gradient[0]!.norm)!;
    const line = await p.page.locator('.weights-dynamics').innerText();
    assert.equal(v.kind, 'steady');
    assert.ok(line.includes(`lstm: ‖∂y/∂h‖ changes 10^${v.log10Ratio.toFixed(1)}× from step ${v.last} back to step ${v.first}`) && line.includes('neither exploding nor vanishing, whatever ρ says'), line);
    assert.equal(await p.page.locator('.weights .radius.warn').count(), 0, 'no ρ shown as an alarm');
    await p.page.locator('.weights').screenshot({ path: join(SHOTS, 'weights-verdict-char-rnn.png') });
    for (const theme of ['light', 'dark'] as const) {
      await applyTheme(p.page, theme);
      await p.page.locator('.gradient-flow').screenshot({ path: join(SHOTS, `gradient-flow-char-rnn-${theme}.png`) });
      await p.page.locator('.trajectory').screenshot({ path: join(SHOTS, `trajectory-char-rnn-${theme}.png`) });
    }
    assert.deepEqual(pageErrors(p), []);
  });
});

async function targetIndices(p: PanelPage): Promise<number[]> {
  const t = /y\[0, ([\d, ]+)\]/.exec(await summary(p))![1]!;
  return t.split(', ').map(Number);
}

describe('Explain on a synthetic LSTM (8 features): the heatmap', () => {
  let p: PanelPage;
  before(async () => {
    const { model, input } = syntheticLstm(24, 60);
    const session = new PanelSession({ loaded: { model, predictCalls: 1 }, input, files: { fileUri: 'untitled:synthetic', model: 'synthetic', input: 'synthetic', recording: null } });
    p = await openPanelPage(browser, served, session, { height: 2400 });
    await ready(p);
  });
  after(async () => p?.page.context().close());

  test('Explain → a feature × step heatmap with a legend; hovering a cell shows its value', async () => {
    await p.page.locator('.explain vscode-button', { hasText: 'Explain' }).click();
    await explained(p, /y\[0, 59, \d+\]/);
    assert.ok((await canvasVariety(p.page, '.attribution-box canvas')) > 10, 'heatmap drawn');
    assert.match(await p.page.locator(".attribution-legend").innerText(), /−[\d.]+\s+\+[\d.]+/);
    // The panel has grown sections above Explain: bring the heatmap into view before pointing at it.
    await p.page.locator('.attribution-box canvas').scrollIntoViewIfNeeded();
    const box = (await p.page.locator('.attribution-box canvas').boundingBox())!;
    await p.page.mouse.move(box.x + box.width * 0.97, box.y + box.height * 0.1);
    const tip = await p.page.locator('.attribution-tip').innerText();
    assert.match(tip, /^step 5\d · feature 0: ∂y\/∂x [+-]?\d/);
    for (const theme of ['light', 'dark'] as const) {
      await applyTheme(p.page, theme);
      await p.page.mouse.move(box.x + box.width * 0.97, box.y + box.height * 0.1);
      await p.page.locator('.explain').screenshot({ path: join(SHOTS, `explain-heatmap-${theme}.png`) });
    }
    assert.deepEqual(pageErrors(p), []);
  });
});

describe('Explain on examples/sine-lstm (395 sequences, one output each)', () => {
  let p: PanelPage;
  before(async () => {
    const base = join(ROOT, 'examples', 'sine-lstm');
    const loaded = await loadModelBytes(readFileSync(join(base, 'model.cellscope.json')), 'model.cellscope.json');
    const rec = loadExpectedBytes(readFileSync(join(base, 'recording.json')), 'recording.json');
    const session = new PanelSession({ loaded, input: rec.input!, expected: rec.output, predictCalls: rec.predictCalls, files: { fileUri: `file://${base}/model.cellscope.json`, model: 'model.cellscope.json', input: 'recording.json', recording: 'recording.json' } });
    p = await openPanelPage(browser, served, session, { height: 2400 });
    await ready(p);
  });
  after(async () => p?.page.context().close());

  test('the one output value as a bar; occlusion per step; the trajectory of every sequence, high contrast too', async () => {
    await p.page.locator('.explain .output-bar').first().click();
    await explained(p, /^y\[0, 0\] = /);
    await p.page.locator('.explain vscode-dropdown[aria-label="Attribution method"]').evaluate((d) => {
      (d as HTMLElement & { value: string }).value = 'occlusion';
      d.dispatchEvent(new Event('change'));
    });
    await explained(p, /occlusion \(per step\)/);
    assert.ok((await canvasVariety(p.page, '.attribution-box canvas')) > 3, 'one row of 5 steps drawn');
    assert.match(await p.page.locator('.trajectory .card-head').innerText(), /h_t of 395 item\(s\) × 5 steps/);
    assert.ok((await canvasVariety(p.page, '.trajectory canvas')) > 10, 'the 395 paths drawn');
    for (const theme of ['light', 'high-contrast'] as const) {
      await applyTheme(p.page, theme);
      await p.page.locator('.explain').screenshot({ path: join(SHOTS, `explain-sine-lstm-${theme}.png`) });
      await p.page.locator('.trajectory').screenshot({ path: join(SHOTS, `trajectory-sine-lstm-${theme}.png`) });
    }
    assert.deepEqual(pageErrors(p), []);
  });
});
