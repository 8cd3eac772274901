// The input playground in a real VS Code (code-server + Chromium): examples/char-rnn opened from the palette, text
// typed into the panel → the engine worker re-runs → the panel shows the new run (its steps, its next-token
// predictions equal to a real Keras prediction on the typed text); "Save input as…" goes through VS Code's save
// dialog and writes a NEW file next to the model (the example's own files untouched). Screenshots dark and light.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCommand, screenshot, webviewFrame } from '../vscode/browser.mjs';
import { REPO_ROOT } from '../vscode/server.mjs';
import { installAndBuild, timing, withWorkbench } from '../vscode/workbench.mjs';
import { kerasCharOutputs } from '../support/keras-char.ts';

const KEEP = !!process.env.CELLSCOPE_KEEP_VSCODE;
let workspace;

before(async () => {
  await installAndBuild();
  workspace = mkdtempSync(join(tmpdir(), 'cellscope-e2e-playground-'));
  cpSync(join(REPO_ROOT, 'examples', 'char-rnn'), join(workspace, 'char-rnn'), { recursive: true });
});
after(() => {
  if (workspace && !KEEP) rmSync(workspace, { recursive: true, force: true });
});

test('playground: typed text re-runs the model in the engine worker; save input as writes a new file', { timeout: 300_000 }, async () => {
  const vocab = JSON.parse(readFileSync(join(workspace, 'char-rnn', 'vocabulary.json'), 'utf8'));
  const text = 'Deep Learning LSTM';
  const ids = [...text].map((c) => vocab.indexOf(c));
  assert.ok(ids.every((i) => i >= 0));
  const keras = kerasCharOutputs(REPO_ROOT, [ids]).out[0];
  const before = readFileSync(join(workspace, 'char-rnn', 'input.json'), 'utf8');

  await withWorkbench('playground-dark', { workspace, keep: KEEP, colorTheme: 'Default Dark Modern' }, async (page, _server, t0) => {
    await runCommand(page, 'Cellscope: Open Visualizer');
    const pick = page.locator('.quick-input-widget .quick-input-box input');
    await pick.waitFor({ state: 'visible', timeout: 30_000 });
    await pick.fill('model.cellscope.json');
    await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'char-rnn' }).filter({ hasText: 'model.cellscope.json' }).first().click();
    const frame = webviewFrame(page);
    await frame.locator('.tok').nth(43).waitFor({ timeout: 60_000 });
    await frame.locator('.pred').first().waitFor({ timeout: 30_000 });
    timing('playground: char-rnn panel open', t0);

    const box = frame.locator('.pg-text');
    await box.fill(text);
    await frame.locator('.pg-status').filter({ hasText: `ran on the edited input (${ids.length} steps` }).waitFor({ timeout: 60_000 });
    await frame.locator('.tok').nth(ids.length - 1).waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('.tok').count(), ids.length);
    timing('playground: typed text re-run shown', t0);

    // The last step's next-token predictions against Keras on the same text.
    await frame.locator('.tok').nth(ids.length - 1).click();
    await frame.locator('.pred-caption').filter({ hasText: `t = ${ids.length - 1}` }).waitFor({ timeout: 30_000 });
    const shown = await frame.locator('.pred').evaluateAll((els) => els.map((e) => ({ id: Number(e.dataset.id), p: Number(e.dataset.p) })));
    const want = keras[ids.length - 1].map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).slice(0, shown.length);
    assert.deepEqual(shown.map((s) => s.id), want.map((w) => w[1]));
    for (let r = 0; r < shown.length; r++) assert.ok(Math.abs(shown[r].p - want[r][0]) < 1e-6, `rank ${r}: ${shown[r].p} vs Keras ${want[r][0]}`);
    await frame.locator('.card.playground').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-playground-char-rnn-dark');

    // Save input as…: VS Code's save dialog proposes a new file beside the model; Enter accepts it.
    await frame.locator('.pg-actions vscode-button', { hasText: 'Save input as' }).click();
    const path = page.locator('.quick-input-widget .quick-input-box input');
    await path.waitFor({ state: 'visible', timeout: 30_000 });
    // The simple dialog fills its path in a moment after it opens.
    let proposed = '';
    for (let i = 0; i < 100 && !/\.json$/.test(proposed); i++) {
      proposed = await path.inputValue();
      await page.waitForTimeout(100);
    }
    assert.match(proposed, /char-rnn\/model\.input-edited\.json$/);
    await path.press('Enter');
    await frame.locator('.pg-status').filter({ hasText: 'saved as' }).waitFor({ timeout: 30_000 });
    const written = join(workspace, 'char-rnn', 'model.input-edited.json');
    assert.ok(existsSync(written));
    assert.deepEqual(JSON.parse(readFileSync(written, 'utf8')), { shape: [1, ids.length], dtype: 'int32', data: ids });
    assert.equal(readFileSync(join(workspace, 'char-rnn', 'input.json'), 'utf8'), before, 'the example’s input is untouched');

    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    await page.waitForTimeout(1500);
    await frame.locator('.card.playground').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-playground-char-rnn-light');
  });
});
