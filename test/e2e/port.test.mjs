// PyTorch and ONNX files in a real VS Code (code-server + Chromium), as a user meets them: a wrapper Net's state dict
// (emb, rnn, lstm, fc; test/fixtures/torch/panel, made by real PyTorch) opened from the palette — the module picker
// (its first module, nn.RNN, then `lstm`), the nn.RNN nonlinearity switch, PyTorch's gate names with Keras's beside
// them, the values in the panel's data tables held against real PyTorch's; "Compare with Another Model…" against the
// Keras twin (agree: B dashed on the gate charts) and against a twin with its gate blocks in ONNX order (differ:
// per-gate |Δ|, first divergence, the diagnosis names the mistake in B); the comparison cleared by a re-run; the
// whole Net as ONNX opened and run, its output against onnxruntime's. Screenshots dark and light.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCommand, screenshot, webviewFrame } from '../vscode/browser.mjs';
import { REPO_ROOT } from '../vscode/server.mjs';
import { installAndBuild, timing, withWorkbench } from '../vscode/workbench.mjs';

const KEEP = !!process.env.CELLSCOPE_KEEP_VSCODE;
let workspace;
let dir;

before(async () => {
  await installAndBuild();
  workspace = mkdtempSync(join(tmpdir(), 'cellscope-e2e-port-'));
  dir = join(workspace, 'torch-net');
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'torch', 'panel'), dir, { recursive: true });
});
after(() => {
  if (workspace && !KEEP) rmSync(workspace, { recursive: true, force: true });
});

/** Opens `file` (a row of Open Visualizer's quick pick whose text has `where`) in the panel; asks again if the pick closes first. */
async function openVisualizer(page, file, where) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(page, 'Cellscope: Open Visualizer');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await input.fill(file);
      await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: file }).filter({ hasText: where }).first().click({ timeout: 30_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw e;
      console.log(`# Open Visualizer for ${file} did not take (attempt ${attempt}); asking again`);
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * VS Code's open dialog (code-server's simple dialog: a quick input holding a path). It fills in its folder a moment
 * after it opens, over anything typed before; a path typed then and accepted with Enter on a folder says "Please
 * select a file". So: type the file's path once the folder is there, check it stayed, Enter; again if the dialog is
 * still open (up to five times), each step waiting for a state, not a fixed time.
 */
async function pickInDialog(page, path) {
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ state: 'visible', timeout: 30_000 });
  await page.waitForFunction(() => /\/$/.test(document.querySelector('.quick-input-widget .quick-input-box input')?.value ?? ''), null, { timeout: 30_000 });
  const name = path.slice(path.lastIndexOf('/') + 1);
  for (let attempt = 1; ; attempt++) {
    await box.fill(path);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30_000 });
    if ((await box.inputValue()) === path) {
      await box.press('Enter');
      try {
        await box.waitFor({ state: 'hidden', timeout: 15_000 });
        return;
      } catch (e) {
        if (attempt === 5) throw e;
      }
    }
    console.log(`# the open dialog did not take ${name} (attempt ${attempt}, its path reads ${await box.inputValue()}); typing it again`);
  }
}

/** The panel's "focus unit over steps" data table: one column (`label`) as numbers, by step. */
async function seriesColumn(frame, label) {
  const table = frame.locator('details.tables table.data').nth(1);
  await table.locator('tbody tr').first().waitFor({ timeout: 30_000 });
  return table.evaluate((t, label) => {
    const head = [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    const col = head.indexOf(label);
    if (col < 0) throw new Error(`no column ${label} in ${head.join(', ')}`);
    return [...t.querySelectorAll('tbody tr')].map((tr) => Number(tr.children[col].textContent.replace(/[\u2212]/g, '-')));
  }, label);
}

/** Unit `unit` of a [1, T, U] PyTorch output as shown in the panel (fixed 6 decimals, or 2 significant digits under 1e-3). */
function assertSeries(shown, ref, unit, what) {
  const [, T, U] = ref.shape;
  assert.equal(shown.length, T, `${what}: ${shown.length} steps shown, PyTorch has ${T}`);
  for (let t = 0; t < T; t++) {
    const want = ref.data[t * U + unit];
    assert.ok(Math.abs(shown[t] - want) <= Math.max(6e-7, 6e-3 * Math.abs(want)), `${what}, step ${t}: panel ${shown[t]} vs PyTorch ${want}`);
  }
}

async function chooseInDropdown(frame, label, value) {
  const dd = frame.locator(`.choices vscode-dropdown[aria-label="${label}"]`);
  // Back at the top of the panel, where the choices sit right above the sticky stepping toolbar: the open list
  // must lie over the toolbar (it opened under it before).
  await dd.evaluate(() => window.scrollTo(0, 0));
  await dd.click({ timeout: 30_000 });
  await dd.locator('vscode-option', { hasText: new RegExp(`^\\s*${value}\\b`) }).first().click({ timeout: 30_000 });
}

test('a PyTorch state dict in the panel: module picker, nonlinearity switch, PyTorch gate names, Compare with Another Model against its Keras twins', { timeout: 480_000 }, async () => {
  const torch = JSON.parse(readFileSync(join(dir, 'torch-outputs.json'), 'utf8'));
  await withWorkbench('port-torch', { workspace, keep: KEEP, colorTheme: 'Default Dark Modern' }, async (page, _server, t0) => {
    await openVisualizer(page, 'net.pt', 'torch-net');
    const frame = webviewFrame(page);
    const picker = frame.locator('.choices vscode-dropdown[aria-label="Recurrent module"]');
    await picker.waitFor({ timeout: 90_000 });
    await frame.locator('.readout').filter({ hasText: /^t = \d+ \/ 15/ }).first().waitFor({ timeout: 60_000 });
    timing('port: net.pt open', t0);
    // The first recurrent module in the state dict opens (rnn); the picker offers both; nn.RNN shows the switch.
    assert.match(await frame.locator('.choices').innerText(), /2 recurrent modules in this state dict/);
    assert.equal(await picker.locator('vscode-option').count(), 2);
    const nonlin = frame.locator('.choices vscode-dropdown[aria-label="nn.RNN nonlinearity"]');
    await nonlin.waitFor({ timeout: 30_000 });
    assert.match(await frame.locator('.header .files').innerText(), /net\.pt/);

    // The data tables: the focus unit (0) over every step. tanh first (the file cannot say relu): PyTorch's tanh numbers.
    await frame.locator('details.tables summary').click();
    assertSeries(await seriesColumn(frame, 'h'), torch.rnn_tanh, 0, 'nn.RNN tanh, h unit 0');
    await chooseInDropdown(frame, 'nn.RNN nonlinearity', 'relu');
    await frame.locator('.choices').filter({ hasText: /relu/ }).waitFor({ timeout: 30_000 });
    let shown = [];
    for (let i = 0; i < 120; i++) {
      shown = await seriesColumn(frame, 'h');
      if (shown.every((v, t) => Math.abs(v - torch.rnn_relu.data[t * 4]) <= Math.max(6e-7, 6e-3 * Math.abs(torch.rnn_relu.data[t * 4])))) break;
      await page.waitForTimeout(250);
    }
    assertSeries(shown, torch.rnn_relu, 0, 'nn.RNN relu, h unit 0');
    timing('port: nonlinearity switched, relu = PyTorch', t0);

    // Pick the lstm: PyTorch's gate names (i, f, g, o) with Keras's beside them; the numbers are PyTorch's.
    await chooseInDropdown(frame, 'Recurrent module', 'lstm');
    await frame.locator('.gates .chart-title').filter({ hasText: /^g — Keras c̃/ }).first().waitFor({ timeout: 60_000 });
    assert.equal(await nonlin.count(), 0, 'no nonlinearity switch for an LSTM');
    const titles = await frame.locator('.gates .chart-title').allInnerTexts();
    for (const g of ['i', 'f', 'g', 'o']) assert.ok(titles.some((t) => t.startsWith(`${g} `) || t.startsWith(`${g} —`)), `gate ${g} charted: ${titles.join(' | ')}`);
    for (let i = 0; i < 120; i++) {
      shown = await seriesColumn(frame, 'h').catch(() => []);
      if (shown.length === 16 && Math.abs(shown[3] - torch.lstm.data[3 * 5]) < 1e-5) break;
      await page.waitForTimeout(250);
    }
    assertSeries(shown, torch.lstm, 0, 'nn.LSTM, h unit 0');
    // The cell diagram names PyTorch's gates too.
    const cell = await frame.locator('.card.cell').innerText();
    assert.match(cell, /\bg\b/, `cell diagram: ${cell}`);
    await frame.locator('.card.gates').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-port-torch-lstm-dark');
    timing('port: lstm picked', t0);

    // Compare with Another Model… from the palette: the correct Keras twin agrees; its gates are dashed on A's charts.
    await runCommand(page, 'Cellscope: Compare with Another Model');
    await pickInDialog(page, join(dir, 'lstm.keras.json'));
    const verdict = frame.locator('.port-verdict');
    await verdict.filter({ hasText: 'lstm.keras.json' }).waitFor({ timeout: 90_000 });
    assert.match(await verdict.innerText(), /agree/);
    await frame.locator('.port-legend').filter({ hasText: 'dashed: lstm.keras.json (Keras)' }).waitFor({ timeout: 30_000 });
    timing('port: compared with the Keras twin', t0);

    // The panel's button, against the twin with its gate blocks in ONNX order: differ, per-gate |Δ|, first
    // divergence, the diagnosis names the order and the file.
    await frame.locator('.card.port vscode-button', { hasText: 'Compare with another model' }).click();
    await pickInDialog(page, join(dir, 'lstm_onnx_order.keras.json'));
    await verdict.filter({ hasText: 'lstm_onnx_order.keras.json' }).waitFor({ timeout: 90_000 });
    assert.match(await verdict.innerText(), /differ/);
    const rows = await frame.locator('table.port-pairs tbody tr').count();
    assert.ok(rows >= 6, `${rows} gate rows`);
    const first = await frame.locator('.port-first').innerText();
    assert.match(first, /First divergence: layer 1 .*gate f, step 0, unit 0/);
    const diagnosis = await frame.locator('.port-diagnosis').innerText();
    assert.match(diagnosis, /i,o,f,c/);
    assert.match(diagnosis, /in B \(lstm_onnx_order\.keras\.json\)/);
    assert.match(diagnosis, /PyTorch → Keras/);
    await frame.locator('.port-first vscode-button').click();
    await frame.locator('.card.port').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-port-compare-diagnosis-dark');
    await frame.locator('.card.gates').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-port-compare-overlay-dark');

    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    await page.waitForFunction(() => document.body.classList.contains('vs') || !!document.querySelector('.monaco-workbench.vs'), null, { timeout: 30_000 });
    await frame.locator('.card.port').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-port-compare-diagnosis-light');
    await frame.locator('.card.gates').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-port-compare-overlay-light');

    // A re-run (back to the rnn module) clears the comparison: it was about the lstm.
    await chooseInDropdown(frame, 'Recurrent module', 'rnn');
    await frame.locator('.choices vscode-dropdown[aria-label="nn.RNN nonlinearity"]').waitFor({ timeout: 60_000 });
    await verdict.waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(await frame.locator('.port-legend').count(), 0, 'no overlay left from the lstm comparison');
  });
});

test('an ONNX graph (the whole Net, torch.onnx.export) opened and run in a real VS Code; its output equals onnxruntime', { timeout: 300_000 }, async () => {
  await withWorkbench('port-onnx', { workspace, keep: KEEP, colorTheme: 'Default Light Modern' }, async (page, _server, t0) => {
    await openVisualizer(page, 'net.onnx', 'onnx');
    const frame = webviewFrame(page);
    await frame.locator('.readout').filter({ hasText: /^t = \d+ \/ 15/ }).first().waitFor({ timeout: 90_000 });
    await frame.locator('.gate-grid figure canvas:not(.overlay)').first().waitFor({ timeout: 60_000 });
    const header = await frame.locator('.header').innerText();
    assert.match(header, /ONNX opset 17/);
    assert.match(header, /LSTM/);
    assert.match(header, /RNN/);
    timing('port: net.onnx open', t0);
    // onnxruntime's logits (test/port/make_panel_e2e.py) as the recorded output.
    await runCommand(page, 'Cellscope: Load Recorded Outputs');
    await pickInDialog(page, join(dir, 'onnx', 'net.expected.json'));
    const text = frame.locator('.compare-text');
    await text.filter({ hasText: /matches/ }).waitFor({ timeout: 60_000 });
    const card = await frame.locator('.card.compare').innerText();
    assert.doesNotMatch(card, /Keras output/, 'an ONNX model is not compared with "Keras output"');
    assert.match(card, /ONNX/);
    await frame.locator('.card.compare').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-port-onnx-compare-light');
    await frame.locator('.card.gates').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-port-onnx-gates-light');
  });
});
