/**
 * Every choice the user makes in the panel lives in the saved panel state and comes back after a reload (VS Code
 * restores a webview with the state it saved): the tolerance typed for the comparison, the output unit, the
 * playback speed and the open data tables, besides the step, units and layer. Headless Chromium, real engine run of
 * the sine example with its recording.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { loadExpectedBytes, loadModelBytes } from '../../src/formats/index';
import { isPanelState, type PanelState } from '../../src/protocol';
import { ROOT, launch, nextFrames, openPanelPage, serve, type PanelPage, type Served } from './harness';

const SINE = join(ROOT, 'examples', 'sine-lstm');

async function sineSession(): Promise<PanelSession> {
  const loaded = await loadModelBytes(readFileSync(join(SINE, 'model.cellscope.json')), 'model.cellscope.json');
  const rec = loadExpectedBytes(readFileSync(join(SINE, 'recording.json')), 'recording.json');
  return new PanelSession({ loaded, input: rec.input!, expected: rec.output, predictCalls: rec.predictCalls, files: { fileUri: `file://${SINE}/model.cellscope.json`, model: 'model.cellscope.json', input: 'recording.json', recording: 'recording.json' } });
}

async function ready(p: PanelPage): Promise<void> {
  await p.page.waitForFunction(() => document.body.dataset.renderMs !== undefined && document.querySelector('.compare-text .badge') !== null, null, { timeout: 30_000 });
  await nextFrames(p.page, 3);
}

const saved = (p: PanelPage) => p.page.evaluate(() => (window as unknown as { __state: unknown }).__state);
const field = (p: PanelPage, cls: string) => p.page.evaluate((cls) => (document.querySelector(`.compare vscode-text-field.${cls}`) as HTMLElement & { value: string }).value, cls);

describe('the panel state survives a reload', () => {
  let browser: Browser;
  let served: Served;
  let session: PanelSession;
  let state: PanelState;
  before(async () => {
    served = await serve();
    browser = await launch();
    session = await sineSession();
  });
  after(async () => {
    await browser.close();
    await served.close();
  });

  test('the user sets a tolerance, an output unit, a speed and opens the tables: all saved', async () => {
    const p = await openPanelPage(browser, served, session);
    await ready(p);
    await p.page.evaluate(() => {
      const f = document.querySelector('.compare vscode-text-field.atol') as HTMLElement & { value: string };
      f.value = '0.25';
      f.dispatchEvent(new Event('change'));
    });
    await p.page.keyboard.press('End');
    await p.page.locator('details.tables summary').click();
    await nextFrames(p.page, 3);
    assert.match(await p.page.locator('.compare-text').innerText(), /matches \(atol 0\.25, rtol 0\)/);
    const s = await saved(p);
    assert.ok(isPanelState(s), `a valid panel state: ${JSON.stringify(s)}`);
    state = s;
    assert.deepEqual(state.tolerance, { atol: 0.25, rtol: 0 });
    assert.equal(state.tablesOpen, true);
    assert.equal(state.step, 4);
    assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
    await p.page.context().close();
  });

  test('a reloaded panel (the saved state, a new page) shows the same tolerance, verdict, step and tables', async () => {
    const p = await openPanelPage(browser, served, session, { state });
    await ready(p);
    assert.equal(await field(p, 'atol'), '0.25');
    assert.equal(await field(p, 'rtol'), '0');
    assert.match(await p.page.locator('.compare-text').innerText(), /matches \(atol 0\.25, rtol 0\)/);
    assert.match(await p.page.locator('.readout').innerText(), /^t = 4 \/ 4/);
    assert.equal(await p.page.locator('details.tables').getAttribute('open'), '');
    assert.deepEqual(await saved(p), state, 'the restored panel saves the same state again');
    // A state saved for another file is not applied.
    await p.page.context().close();
    const q = await openPanelPage(browser, served, session, { state: { ...state, fileUri: 'file:///elsewhere.json' } });
    await ready(q);
    assert.equal(await field(q, 'atol'), '0.00001');
    await q.page.context().close();
  });

  test('a host step command that arrives while the trace loads (a re-run, a revealed panel) is applied when the trace comes', async () => {
    const p = await openPanelPage(browser, served, session, { state: { ...state, step: 1, tolerance: null } });
    await ready(p);
    // A re-run: init again (the webview drops its trace and asks for it), then Step Forward before the answer.
    await p.send(session.initMessage());
    await p.send({ type: 'step', action: 'forward' });
    await p.page.locator('.readout').filter({ hasText: /^t = 2 \/ 4/ }).waitFor({ timeout: 10_000 });
    await p.page.waitForFunction(() => (window as unknown as { __state: { step: number } }).__state.step === 2, null, { timeout: 10_000 });
    assert.ok(p.received.some((m) => m.type === 'stepChanged' && m.step === 2), 'the host hears the new step');
    await p.page.context().close();
  });
});
