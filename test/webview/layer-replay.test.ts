/**
 * Layer replay in the panel (issue 12 §4), in headless Chromium with the host's own PanelSession: a model only Python
 * can run whole (test/fixtures/replay/encdec_custom: real Keras 3.15.1, a custom Scale layer and a Lambda around an
 * encoder LSTM, a decoder LSTM started from the encoder's states and a backwards SimpleRNN) opens on the exporter's
 * recording as the extension opens it (src/extension/panel/replay-open.ts: the loader's refusal, then
 * layerReplayModel on recording.json). The top says "layer replay: inputs as recorded by Keras" (in French too); each
 * recurrent layer runs on its recorded input and its gates are Keras's recorded sequence; each recorded sequence and
 * final state is compared. Screenshots: .test-output/screenshots/layer-replay-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { loadExpectedBytes, loadModelBytes } from '../../src/formats/index';
import { LoadError } from '../../src/formats/load-error';
import { layerReplayModel } from '../../src/formats/layer-replay-model';
import { FIXTURES } from '../fixtures-path';
import { ROOT, SHOTS, applyTheme, closeAll, launch, nextFrames, openPanelPage, recordedH, serve, stepTable, type PanelPage, type Served } from './harness';

const DIR = join(FIXTURES, 'replay', 'encdec_custom');
/** Keras's recorded sequences, per layer. */
const kerasH = recordedH(join(DIR, 'recording.json'));

let browser: Browser;
let served: Served;
let p: PanelPage;
let session: PanelSession;

async function replaySession(): Promise<PanelSession> {
  // As the extension opens it: the loader refuses the model (Python code), the recording beside it is replayed.
  const refusal = await loadModelBytes(readFileSync(join(DIR, 'model.keras')), 'model.keras').then(
    () => assert.fail('the model holds a custom layer and a Lambda: the loader must refuse it'),
    (e: unknown) => e,
  );
  assert.ok(refusal instanceof LoadError && refusal.details.pythonLayer, String(refusal));
  const rec = loadExpectedBytes(readFileSync(join(DIR, 'recording.json')), 'recording.json');
  const loaded = layerReplayModel(rec, 'recording.json', refusal.details.found!, 'model.keras')!;
  return new PanelSession({ loaded, input: loaded.input, inputs: loaded.inputs, expected: loaded.expectedOutput, expectedOutputs: loaded.expectedOutputs, predictCalls: 1, files: { fileUri: `file://${DIR}/model.keras`, model: 'model.keras', input: 'recording.json', recording: 'recording.json' } });
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  session = await replaySession();
  served = await serve();
  browser = await launch();
  p = await openPanelPage(browser, served, session, { width: 1280, height: 1000 });
  await p.page.waitForFunction(() => document.querySelector('.gate-grid canvas') !== null && document.querySelector('.compare-outputs .badge') !== null, null, { timeout: 30000 });
  await nextFrames(p.page, 2);
});

after(() => closeAll(p, browser, served));

describe('layer replay in the panel', () => {
  test('the top of the panel says it is layer replay, and why', async () => {
    const first = p.page.locator('header.header > *').first();
    assert.equal(await first.getAttribute('class'), 'replay-banner', 'the banner comes before the model’s name');
    const text = await first.innerText();
    assert.match(text, /^layer replay: inputs as recorded by Keras\n/);
    assert.match(text, /The whole model cannot run here: Scale layer "scale" holds Python code\./);
    const layers = await p.page.locator('vscode-dropdown[aria-label="Layer and direction"] vscode-option').allInnerTexts();
    assert.deepEqual(layers.map((l) => l.split(' ')[0]), ['encoder', 'decoder', 'post']);
    for (const theme of ['light', 'dark'] as const) {
      await applyTheme(p.page, theme);
      await nextFrames(p.page, 2);
      await p.page.evaluate(() => window.scrollTo(0, 0));
      await p.page.screenshot({ path: join(SHOTS, `layer-replay-top-${theme}.png`), clip: { x: 0, y: 0, width: 1280, height: 420 } });
    }
  });

  test('each recurrent layer runs on its recorded input: its h is the sequence Keras recorded', async () => {
    await p.page.locator('details.tables summary').click();
    await p.page.waitForFunction(() => /encoder/.test(document.querySelector('details.tables caption')?.textContent ?? ''));
    await p.page.locator('body').click({ position: { x: 5, y: 5 } });
    for (let k = 0; k < 2; k++) await p.page.keyboard.press('ArrowRight');
    await p.page.waitForFunction(() => /step 2 \(encoder/.test(document.querySelector('details.tables caption')?.textContent ?? ''));
    (await stepTable(p.page)).rows.h!.forEach((v, j) => assert.ok(Math.abs(v - kerasH('encoder', 0, 2, j)) < 2e-6, `encoder h[2][${j}] = ${v}, Keras ${kerasH('encoder', 0, 2, j)}`));
    assert.match(await p.page.locator('.input .chart-title').first().innerText(), /^encoder input \(read by encoder\)/);
    // The decoder: its recorded input, started from the encoder's recorded states (its initial_state).
    await p.page.locator('vscode-dropdown[aria-label="Layer and direction"]').evaluate((d) => {
      (d as HTMLElement & { value: string }).value = '1';
      d.dispatchEvent(new Event('change'));
    });
    await p.page.waitForFunction(() => /^decoder input \(read by decoder\)/.test(document.querySelector('.input .chart-title')?.textContent ?? '') && /decoder/.test(document.querySelector('details.tables caption')?.textContent ?? ''), null, { timeout: 20000 });
    const { caption, rows } = await stepTable(p.page);
    assert.match(caption, /step 2 \(decoder, batch item 0\)/);
    rows.h!.forEach((v, j) => assert.ok(Math.abs(v - kerasH('decoder', 0, 2, j)) < 2e-6, `decoder h[2][${j}] = ${v}, Keras ${kerasH('decoder', 0, 2, j)}`));
  });

  test('every recorded sequence and final state is compared with Keras’s', async () => {
    const line = await p.page.locator('.compare-outputs').innerText();
    assert.match(line, /^8 outputs compared:/);
    for (const name of ['encoder: h[t]', 'encoder: h_T', 'encoder: c_T', 'decoder: h[t]', 'decoder: c_T', 'post: h[t]', 'post: h_T']) assert.ok(line.includes(`${name}: matches`), `${name} in ${line}`);
    const outs = session.comparisonMessage()!.outputs;
    assert.ok(outs.every((o) => o.pass && o.maxAbs < 1e-6), JSON.stringify(outs));
    await p.page.locator('.compare').screenshot({ path: join(SHOTS, 'layer-replay-compare-dark.png') });
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
  });

  test('in French, the banner is French', async () => {
    const fr = await serve({ language: 'fr', bundle: JSON.parse(readFileSync(join(ROOT, 'l10n', 'bundle.l10n.fr.json'), 'utf8')) });
    const q = await openPanelPage(browser, fr, await replaySession(), { width: 1280, height: 800 });
    try {
      await q.page.waitForFunction(() => document.querySelector('.replay-banner') !== null, null, { timeout: 30000 });
      const text = await q.page.locator('.replay-banner').innerText();
      assert.match(text, /^rejeu par couche : entrées telles qu’enregistrées par Keras\n/);
      assert.match(text, /Le modèle entier ne peut pas s’exécuter ici : Scale layer "scale" contient du code Python\./);
    } finally {
      await q.page.context().close();
      await fr.close();
    }
  });
});
