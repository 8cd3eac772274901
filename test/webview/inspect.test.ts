/**
 * The debugging views in headless Chromium, fed by the host's own PanelSession: Weights, Gate saturation and the
 * richer Compare view (|Δ| heatmap, tolerance inputs re-evaluating the match, jump to the first divergence, the
 * diagnosis of a mismatching recording). Screenshots in dark and light.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { loadExpectedBytes, loadModelBytes } from '../../src/formats/index';
import { runModel, type Tensor } from '../../src/engine/index';
import { phrase, verbatim } from '../../src/phrase';
import { lstmModel } from '../support/synthetic-lstm';
import { ROOT, SHOTS, applyTheme, canvasVariety, launch, nextFrames, openPanelPage, serve, type PanelPage, type Served } from './harness';

const SINE = join(ROOT, 'examples', 'sine-lstm');

async function sineSession(perturb: boolean): Promise<PanelSession> {
  const loaded = await loadModelBytes(readFileSync(join(SINE, 'model.cellscope.json')), 'model.cellscope.json');
  const rec = loadExpectedBytes(readFileSync(join(SINE, 'recording.json')), 'recording.json');
  let expected: Tensor = rec.output;
  if (perturb) {
    // A "recording" made with the input fed in reverse time order: the diagnosis should name the time order.
    const inp = rec.input!;
    const [B, T] = [inp.shape[0]!, inp.shape[1]!];
    const per = inp.data.length / (B * T);
    const rev = new Float64Array(inp.data.length);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) rev.set(inp.data.subarray((b * T + t) * per, (b * T + t + 1) * per), (b * T + (T - 1 - t)) * per);
    expected = runModel(loaded.model, { shape: inp.shape, data: rev }, { record: false }).output;
  }
  return new PanelSession({
    loaded,
    input: rec.input!,
    expected,
    predictCalls: rec.predictCalls,
    files: { fileUri: `file://${SINE}/model.cellscope.json${perturb ? '#perturbed' : ''}`, model: 'model.cellscope.json', input: 'recording.json', recording: perturb ? 'perturbed.json' : 'recording.json' },
  });
}

/** An LSTM returning sequences (batch 2, 12 steps, 5 units) whose "recording" differs by 1e-3 at batch 1, step 7, unit 2. */
function sequenceSession(): PanelSession {
  const [U, T] = [5, 12];
  const model = lstmModel({ units: U, features: 3, steps: T, returnSequences: true, scales: [0.8, 0.6, 0.3], seed: 7 });
  const input = { shape: [2, T, 3], data: Float64Array.from({ length: 2 * T * 3 }, (_, k) => Math.sin(k * 0.3)) };
  const out = runModel(model, input, { record: false }).output;
  const data = Float64Array.from(out.data);
  data[(1 * T + 7) * U + 2]! += 1e-3;
  return new PanelSession({ loaded: { model, predictCalls: 1 }, input, expected: { shape: out.shape, data }, files: { fileUri: 'untitled:sequence', model: 'sequence', input: 'sequence', recording: 'sequence-recording' } });
}

async function ready(p: PanelPage): Promise<void> {
  await p.page.waitForFunction(() => document.body.dataset.renderMs !== undefined && document.querySelector('.gate-grid canvas') !== null, null, { timeout: 20000 });
  await p.page.waitForFunction(() => document.querySelector('.compare-text .badge') !== null, null, { timeout: 20000 });
  await nextFrames(p.page, 3);
}

/** A card's screenshot from a full-page capture (the sticky toolbar stays at the top of the page, off the card). */
async function shoot(p: PanelPage, selector: string, name: string): Promise<void> {
  await p.page.evaluate(() => window.scrollTo(0, 0));
  const box = (await p.page.locator(selector).boundingBox())!;
  await p.page.screenshot({ path: join(SHOTS, name), fullPage: true, clip: box });
}

async function setField(p: PanelPage, cls: string, value: string): Promise<void> {
  await p.page.evaluate(
    ([cls, value]) => {
      const f = document.querySelector(`.compare vscode-text-field.${cls}`) as HTMLElement & { value: string };
      f.value = value;
      f.dispatchEvent(new Event('change'));
    },
    [cls, value] as const,
  );
  await nextFrames(p.page, 3);
}

const state = (p: PanelPage) => p.page.evaluate(() => (window as unknown as { __state: { step: number; batch: number } }).__state);

let browser: Browser;
let served: Served;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  served = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await served?.close();
});

describe('weights, saturation and compare on examples/sine-lstm', () => {
  let p: PanelPage;
  let session: PanelSession;
  before(async () => {
    session = await sineSession(false);
    p = await openPanelPage(browser, served, session);
    await applyTheme(p.page, 'dark');
    await ready(p);
  });
  after(() => p.page.context().close());

  test('Weights: one tile per gate of kernel, recurrent kernel and bias; images and histograms drawn; ρ with a hint', async () => {
    const tiles = p.page.locator('.weights .weight-tile');
    // LSTM: 3 arrays × 4 gates; Dense: kernel + bias.
    assert.equal(await tiles.count(), 14);
    assert.ok((await canvasVariety(p.page, '.weights .weight-image')) > 3);
    assert.ok((await canvasVariety(p.page, '.weights .weight-hist')) > 1);
    const radii = await p.page.locator('.weights .radius').allInnerTexts();
    assert.equal(radii.length, 4);
    const init = session.initMessage();
    const rk = init.analysis!.weights[0]!.blocks.filter((b) => b.weight === 'recurrent_kernel');
    radii.forEach((t, k) => {
      assert.match(t, /ρ = [\d.]+ (≤ 1|< 0\.5 \(small\)|> 1 \(weights only: see Gradient flow\))$/);
      assert.ok(Math.abs(Number(/ρ = ([\d.]+)/.exec(t)![1]) - rk[k]!.radius!) < 1e-3);
    });
    assert.equal(await p.page.locator('.weights .alert').count(), 0);
  });

  test('Gate saturation: one chart per gate, non-blank, dead-unit line', async () => {
    assert.equal(await p.page.locator('.saturation .sat-chart').count(), 3);
    assert.ok((await canvasVariety(p.page, '.saturation .sat-chart')) > 2);
    assert.match(await p.page.locator('.saturation .dead-units').innerText(), /dead unit|No dead units/);
  });

  test('Compare: summary «max |Δ| = … over … values — matches», |Δ| heatmap drawn, tolerance flips the verdict', async () => {
    const text = () => p.page.locator('.compare-text').innerText();
    assert.match(await text(), /max \|Δ\| = \S+ over \d+ × \d+ values — matches/);
    assert.ok((await canvasVariety(p.page, '.compare-heat canvas:not(.overlay)')) > 1);
    const c = session.comparisonMessage()!;
    assert.ok(c.maxAbs > 0, 'the recording differs by rounding');
    await setField(p, 'atol', String(c.maxAbs / 10));
    assert.match(await text(), /differ beyond atol/);
    assert.equal(await p.page.locator('.compare .jump').isVisible(), true);
    await setField(p, 'atol', '1e-5');
    assert.match(await text(), /— matches/);
    assert.equal(await p.page.locator('.compare .jump').isVisible(), false);
  });

  test('screenshots, dark and light', async () => {
    for (const theme of ['dark', 'light'] as const) {
      await applyTheme(p.page, theme);
      await nextFrames(p.page, 3);
      await shoot(p, '.card.weights', `inspect-weights-${theme}.png`);
      await shoot(p, '.card.saturation', `inspect-saturation-${theme}.png`);
      await shoot(p, '.card.compare', `inspect-compare-${theme}.png`);
    }
    await applyTheme(p.page, 'dark');
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
  });
});

describe('weight tiles with long scale labels (weights near ±0.0625, as a 256-unit layer has)', () => {
  let p: PanelPage;
  before(async () => {
    const model = lstmModel({ units: 6, features: 3, steps: 4, returnSequences: false, scales: [0.0625, 0.0625, 0.0625], seed: 11 });
    const input = { shape: [1, 4, 3], data: Float64Array.from({ length: 12 }, (_, k) => Math.sin(k)) };
    p = await openPanelPage(browser, served, new PanelSession({ loaded: { model, predictCalls: 1 }, input, files: { fileUri: 'untitled:small-weights', model: 'small-weights', input: 'small-weights', recording: null } }));
    await applyTheme(p.page, 'dark');
    await p.page.waitForFunction(() => document.querySelectorAll('.weights .weight-tile .legend').length > 0, null, { timeout: 20000 });
  });
  after(() => p.page.context().close());

  test('each tile’s colour scale keeps its two ends on the bar’s line, inside the tile', async () => {
    const legends = await p.page.locator('.weights .weight-tile').evaluateAll((tiles) =>
      tiles.map((tile) => {
        const legend = tile.querySelector('.legend')!;
        const parts = [...legend.children].filter((c) => getComputedStyle(c).display !== 'none').map((c) => c.getBoundingClientRect());
        const t = tile.getBoundingClientRect();
        return { text: (legend as HTMLElement).innerText.replace(/\s+/g, ' '), tops: parts.map((r) => Math.round(r.top + r.height / 2)), right: Math.max(...parts.map((r) => r.right)), tileRight: t.right };
      }),
    );
    assert.ok(legends.length >= 12, `tiles with a legend: ${legends.length}`);
    assert.ok(legends.some((l) => /0\.06\d\d/.test(l.text)), `long labels shown: ${legends.map((l) => l.text).join(' | ')}`);
    for (const l of legends) {
      assert.ok(Math.max(...l.tops) - Math.min(...l.tops) <= 2, `"${l.text}" is on one line (centres ${l.tops.join(', ')})`);
      assert.ok(l.right <= l.tileRight, `"${l.text}" ends inside its tile (${l.right.toFixed(0)} ≤ ${l.tileRight.toFixed(0)})`);
    }
    await shoot(p, '.card.weights', 'inspect-weights-long-labels-dark.png');
  });
});

describe('examples/char-rnn (Embedding → LSTM → Dense)', () => {
  let p: PanelPage;
  before(async () => {
    const base = join(ROOT, 'examples', 'char-rnn');
    const loaded = await loadModelBytes(readFileSync(join(base, 'model.cellscope.json')), 'model.cellscope.json');
    const rec = loadExpectedBytes(readFileSync(join(base, 'recording.json')), 'recording.json');
    const session = new PanelSession({ loaded, input: rec.input!, expected: rec.output, predictCalls: rec.predictCalls, files: { fileUri: `file://${base}/model.cellscope.json`, model: 'model.cellscope.json', input: 'recording.json', recording: 'recording.json' } });
    p = await openPanelPage(browser, served, session);
    await applyTheme(p.page, 'dark');
    await ready(p);
  });
  after(() => p.page.context().close());

  test('weights of every layer (embeddings too), saturation per gate with a table fallback', async () => {
    assert.ok((await p.page.locator('.weights .weight-layer').count()) >= 3);
    assert.ok((await p.page.locator('.weights .weight-name', { hasText: 'embeddings' }).count()) === 1);
    assert.equal(await p.page.locator('.saturation .sat-chart').count(), 3);
    assert.ok((await canvasVariety(p.page, '.saturation .sat-chart')) > 2);
    await p.page.locator('.saturation details summary').click();
    assert.ok((await p.page.locator('.saturation details table tbody tr').count()) > 1);
    for (const theme of ['dark', 'light'] as const) {
      await applyTheme(p.page, theme);
      await nextFrames(p.page, 3);
      await shoot(p, '.card.saturation', `inspect-saturation-char-rnn-${theme}.png`);
      await shoot(p, '.card.weights', `inspect-weights-char-rnn-${theme}.png`);
    }
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
  });
});

describe('a mismatching recording of the sine example (input reversed in time)', () => {
  let p: PanelPage;
  before(async () => {
    p = await openPanelPage(browser, served, await sineSession(true));
    await applyTheme(p.page, 'dark');
    await ready(p);
  });
  after(() => p.page.context().close());

  test('shows «differ» and the diagnosis text from diagnose()', async () => {
    assert.match(await p.page.locator('.compare-text').innerText(), /differ/);
    const d = p.page.locator('.compare .diagnosis');
    assert.equal(await d.isVisible(), true);
    assert.match(await d.innerText(), /diagnosis/i);
    assert.match(await d.innerText(), /time|revers|backward/i);
    for (const theme of ['dark', 'light'] as const) {
      await applyTheme(p.page, theme);
      await nextFrames(p.page, 3);
      await shoot(p, '.card.compare', `inspect-diagnosis-${theme}.png`);
    }
  });
  test("the worker's later diagnosis replaces «diagnosing…» and keeps the tolerance the user typed", async () => {
    const d = p.page.locator('.compare .diagnosis');
    await setField(p, 'atol', '0.001');
    // The lines as src/extension/panel/session.ts and the worker send them: a kind and a phrase (message + arguments).
    await p.send({ type: 'diagnosis', diagnosis: [{ kind: 'note', text: phrase('diagnosing — the engine worker re-runs the model under each hypothesis…') }] });
    await nextFrames(p.page, 3);
    assert.match(await d.innerText(), /diagnosing/);
    await p.send({ type: 'diagnosis', diagnosis: [{ kind: 'diagnosis', text: verbatim('input reversed in time (a line from the worker)') }] });
    await nextFrames(p.page, 3);
    assert.match(await d.innerText(), /a line from the worker/);
    assert.doesNotMatch(await d.innerText(), /diagnosing/);
    const atol = await p.page.evaluate(() => (document.querySelector('.compare vscode-text-field.atol') as HTMLElement & { value: string }).value);
    assert.equal(atol, '0.001');
    assert.deepEqual(p.malformedFromWebview, []);
  });
});

describe('compare over time: an LSTM returning sequences, one value off', () => {
  let p: PanelPage;
  before(async () => {
    p = await openPanelPage(browser, served, sequenceSession());
    await applyTheme(p.page, 'light');
    await ready(p);
  });
  after(() => p.page.context().close());

  test('the first divergence is named; "jump to" moves the batch item and the step', async () => {
    assert.match(await p.page.locator('.compare-text').innerText(), /1 differ beyond atol 0\.00001|1 differ beyond atol 1e-5/);
    assert.match(await p.page.locator('.compare-text').innerText(), /first at batch 1, step 7, unit 2/);
    const before = await state(p);
    assert.equal(before.step, 0);
    await p.page.locator('.compare .jump').click();
    await p.page.waitForFunction(() => (window as unknown as { __state: { step: number; batch: number } }).__state.batch === 1, null, { timeout: 10000 });
    await p.page.waitForFunction(() => document.body.dataset.renderMs !== undefined && (window as unknown as { __state: { step: number } }).__state.step === 7, null, { timeout: 10000 });
    const s = await state(p);
    assert.deepEqual([s.batch, s.step], [1, 7]);
    assert.match(await p.page.locator('.readout').innerText(), /7/);
    await nextFrames(p.page, 3);
    await shoot(p, '.card.compare', `inspect-compare-time-light.png`);
  });
});

describe("examples/hand-built/count-lstm (a bias of +Infinity), as VS Code's JSON postMessage delivers it", () => {
  let p: PanelPage;
  before(async () => {
    const file = join(ROOT, 'examples', 'hand-built', 'count-lstm.json');
    const loaded = await loadModelBytes(readFileSync(file), 'count-lstm.json');
    const files = { fileUri: `file://${file}`, model: 'count-lstm.json', input: 'count-lstm.json', recording: 'count-lstm.json' };
    const session = new PanelSession({ loaded, input: loaded.input!, expected: loaded.expectedOutput, predictCalls: loaded.predictCalls, files });
    p = await openPanelPage(browser, served, session);
    await applyTheme(p.page, 'dark');
    await ready(p);
  });
  after(() => p.page.context().close());

  test('the panel opens (no message dropped), flags the infinite bias and matches the seed', async () => {
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
    assert.ok(!p.received.some((m) => m.type === 'log' && /malformed/.test(m.message)), 'no message dropped as malformed');
    const alerts = await p.page.locator('.weights .alert').allInnerTexts();
    assert.ok(alerts.some((t) => /1 ±Inf/.test(t)), `an alert names the infinite bias: ${alerts.join(' | ')}`);
    assert.match(await p.page.locator('.compare-text').innerText(), /matches/);
  });
});
