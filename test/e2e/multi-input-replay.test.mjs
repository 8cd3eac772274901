// Models the panel opens through the graph engine's newer routes, in a real VS Code (code-server + Chromium), opened
// from the palette as a user does: a two-input, two-output encoder–decoder (test/fixtures/panel-multi-input: the
// recording.json beside it carries both inputs and both outputs; Explain shows each input's attribution) and a model holding a custom layer and a Lambda
// (test/fixtures/replay/encdec_custom), which the loader refuses and the panel opens as layer replay on the
// exporter's recording beside it (src/extension/panel/replay-open.ts, through the load worker). Screenshots dark.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCommand, screenshot, webviewFrame } from '../vscode/browser.mjs';
import { REPO_ROOT } from '../vscode/server.mjs';
import { installAndBuild, timing, withWorkbench } from '../vscode/workbench.mjs';

const KEEP = !!process.env.CELLSCOPE_KEEP_VSCODE;
let workspace;

before(async () => {
  await installAndBuild();
  workspace = mkdtempSync(join(tmpdir(), 'cellscope-e2e-multi-'));
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'panel-multi-input'), join(workspace, 'seq2seq'), { recursive: true });
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'replay', 'encdec_custom'), join(workspace, 'custom'), { recursive: true });
});
after(() => {
  if (workspace && !KEEP) rmSync(workspace, { recursive: true, force: true });
});

async function open(page, folder) {
  await runCommand(page, 'Cellscope: Open Visualizer');
  const pick = page.locator('.quick-input-widget .quick-input-box input');
  await pick.waitFor({ state: 'visible', timeout: 30_000 });
  await pick.fill('model.keras');
  await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: folder }).filter({ hasText: 'model.keras' }).first().click();
}

test('a two-input model runs on both inputs and compares both outputs; a model with Python code opens as layer replay', { timeout: 300_000 }, async () => {
  await withWorkbench('multi-input-replay-dark', { workspace, keep: KEEP, colorTheme: 'Default Dark Modern' }, async (page, _server, t0) => {
    await open(page, 'seq2seq');
    let frame = webviewFrame(page);
    await frame.locator('.compare-outputs .badge').nth(1).waitFor({ timeout: 60_000 });
    assert.deepEqual(await frame.locator('.compare-outputs .badge').allInnerTexts(), ['next_step: matches', 'category: matches']);
    assert.deepEqual(await frame.locator('.input vscode-dropdown[aria-label="Model input"] vscode-option').allInnerTexts(), ['encoder_inputs [6 × 3]', 'decoder_inputs [4 × 2]']);
    timing('multi-input panel open', t0);
    await frame.locator('.card.compare').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-multi-input-dark');
    // Explain runs in the extension's engine worker on both inputs: the encoder's (the shown layer reads it) is
    // drawn, and the decoder's, picked in the Input card, replaces it from the same answer.
    await frame.locator('.explain vscode-button', { hasText: 'Explain' }).first().click({ timeout: 30_000 });
    await frame.locator('.explain-summary').filter({ hasText: 'attribution to encoder_inputs' }).waitFor({ timeout: 120_000 });
    await frame.locator('.input vscode-dropdown[aria-label="Model input"]').first().evaluate((d) => {
      d.value = '1';
      d.dispatchEvent(new Event('change'));
    });
    await frame.locator('.explain-summary').filter({ hasText: 'attribution to decoder_inputs' }).waitFor({ timeout: 60_000 });
    await frame.locator('.card.explain').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-multi-input-explain-dark');

    // One panel at a time: the first one closed, so the webview frame is the replay's.
    await runCommand(page, 'View: Close All Editors');
    await page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 30_000 });
    await open(page, 'custom');
    frame = webviewFrame(page);
    await frame.locator('.replay-banner').waitFor({ timeout: 60_000 });
    assert.match(await frame.locator('.replay-banner').innerText(), /^layer replay: inputs as recorded by Keras\n.*Scale layer "scale" holds Python code/s);
    await frame.locator('.compare-outputs .badge').nth(7).waitFor({ timeout: 60_000 });
    const verdicts = await frame.locator('.compare-outputs .badge').allInnerTexts();
    assert.equal(verdicts.length, 8);
    assert.ok(verdicts.every((v) => v.endsWith(': matches')), verdicts.join(', '));
    timing('layer replay panel open', t0);
    await screenshot(page, 'e2e-layer-replay-dark');
  });
});
