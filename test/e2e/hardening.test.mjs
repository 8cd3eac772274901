// Hardening in a real VS Code (code-server + chromium): the sine-lstm panel survives its model file being broken on
// disk — the webview shows an error banner naming the file and the line, stays usable on the last good trace
// (→ still steps), and the banner clears when the file is restored. Works on a copy in a temp workspace only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { quickOpen, runCommand, screenshot, waitForNotification, webviewFrame } from '../vscode/browser.mjs';
import { REPO_ROOT } from '../vscode/server.mjs';
import { ensureVSCode } from '../vscode/setup.mjs';
import { rng } from '../random.mjs';
import { timing, withWorkbench } from '../vscode/workbench.mjs';

const KEEP = !!process.env.CELLSCOPE_KEEP_VSCODE;
let workspace;

before(async () => {
  await ensureVSCode({ systemDeps: process.getuid?.() === 0 });
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(b.status, 0, `build failed:\n${b.stdout}${b.stderr}`);
  workspace = mkdtempSync(join(tmpdir(), 'cellscope-e2e-hardening-'));
  cpSync(join(REPO_ROOT, 'examples', 'sine-lstm'), join(workspace, 'sine-lstm'), { recursive: true });
  writeSlowModel(join(workspace, 'slow', 'slow-lstm.json'));
});

/** A random LSTM fixture whose run takes seconds (predict_calls repeats it; only the last call is traced). */
function writeSlowModel(file, { units = 64, steps = 2000, calls = 100 } = {}) {
  const rnd = rng(3);
  const F = 8;
  const arr = (n, sc) => Array.from({ length: n }, () => Math.fround(rnd() * sc));
  const w = (name, shape, data) => ({ name, shape, dtype: 'float32', data });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({
      format: 'keras-model-fixture/v1',
      predict_calls: calls,
      layers: [
        {
          class_name: 'LSTM',
          config: { units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, return_sequences: true, go_backwards: false, stateful: false },
          weights: [w('kernel', [F, 4 * units], arr(F * 4 * units, 0.5)), w('recurrent_kernel', [units, 4 * units], arr(units * 4 * units, 1.5 / Math.sqrt(units))), w('bias', [4 * units], arr(4 * units, 0.3))],
        },
      ],
      input: { shape: [1, steps, F], dtype: 'float32', data: Array.from({ length: steps * F }, (_, k) => Math.fround(Math.sin(k * 0.013))) },
    }),
  );
}

after(() => {
  if (workspace && !KEEP) rmSync(workspace, { recursive: true, force: true });
});

test('a model file broken on disk: error banner naming the file and line (then a JSON path), the panel still steps, the banner clears on restore; a long run is cancelled from its progress notification', { timeout: 120_000 }, async () => {
  const modelFile = join(workspace, 'sine-lstm', 'model.cellscope.json');
  assert.ok(modelFile.startsWith(tmpdir()), 'only the temp workspace copy is touched');
  const good = readFileSync(modelFile, 'utf8');
  await withWorkbench('hardening', { workspace, keep: KEEP, colorTheme: 'Default Dark Modern' }, async (page, _server, t0) => {
    await runCommand(page, 'Cellscope: Open Visualizer');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('model.cellscope.json');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'model.cellscope.json' }).first().click({ timeout: 30_000 });
    await page.locator('.tab.active', { hasText: 'Cellscope: sine-lstm/model.cellscope.json' }).first().waitFor({ timeout: 30_000 });
    const frame = webviewFrame(page);
    const readout = frame.locator('.readout').filter({ hasText: /^t = \d+ \// }).first();
    await readout.waitFor({ timeout: 30_000 });
    await frame.locator('.gate-grid figure canvas:not(.overlay)').first().waitFor({ timeout: 30_000 });
    timing('hardening: sine-lstm panel drawn', t0);

    // Broken JSON, pretty-printed so the error has a real line: a stray comma on line 4.
    const lines = JSON.stringify(JSON.parse(good), null, 1).split('\n');
    lines[3] = `${lines[3]},,`;
    writeFileSync(modelFile, lines.join('\n'));
    const banner = frame.locator('.error-banner');
    await banner.waitFor({ state: 'visible', timeout: 20_000 });
    const text = await banner.innerText();
    await screenshot(page, 'hardening-error-banner');
    console.log(`# banner: ${text.replace(/\s+/g, ' ')}`);
    assert.match(text, /model\.cellscope\.json/, 'the banner names the file');
    assert.match(text, /model\.cellscope\.json:4:\d+:/, 'the banner names the line (file:line:column, said once)');
    assert.doesNotMatch(text, /line 4\b/, 'line and column are not repeated in words');
    assert.match(text, /last good run/, 'the banner says the last good run is still shown');
    assert.doesNotMatch(text, /\bat .*\.js:\d+/, 'no stack trace');
    timing('hardening: error banner shown', t0);

    // Still usable on the last good trace: → moves the step readout.
    const before = await readout.innerText();
    await frame.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('ArrowRight');
    await assert.doesNotReject(frame.locator('.readout').filter({ hasNotText: before }).first().waitFor({ timeout: 30_000 }), `→ did not move the step (${before})`);
    const moved = await frame.locator('.readout').first().innerText();
    assert.ok(await banner.isVisible(), 'the banner stays while the file is broken');
    console.log(`# stepping with the banner up: ${before.split('\n')[0]} → ${moved.split('\n')[0]}`);

    // Valid JSON with a wrong value: the banner names the JSON path and its line.
    const doc = JSON.parse(good);
    doc.model.config.layers[1].config.units = 'six';
    writeFileSync(modelFile, JSON.stringify(doc, null, 1));
    await frame.locator('.error-banner', { hasText: 'config.units' }).waitFor({ state: 'visible', timeout: 20_000 });
    const pathText = await banner.innerText();
    console.log(`# banner: ${pathText.replace(/\s+/g, ' ')}`);
    assert.match(pathText, /model\.cellscope\.json:\d+:\d+/, 'file and line');
    assert.match(pathText, /model\.config\.layers\[1\]\.config\.units/, 'the JSON path');
    await screenshot(page, 'hardening-error-banner-json-path');

    // Restored: the re-run succeeds and the banner clears.
    writeFileSync(modelFile, good);
    await banner.waitFor({ state: 'hidden', timeout: 20_000 });
    await frame.locator('.gate-grid figure canvas:not(.overlay)').first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'hardening-restored');
    timing('hardening: banner cleared after restore', t0);

    // A long run: the progress notification shows, its Cancel stops the run, the panel keeps the last good trace.
    const slow = join(workspace, 'slow', 'slow-lstm.json');
    await runCommand(page, 'View: Close All Editors');
    await page.locator('.tab', { hasText: 'Cellscope:' }).first().waitFor({ state: 'detached', timeout: 30_000 });
    await runCommand(page, 'Cellscope: Open Visualizer');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('slow-lstm.json');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'slow-lstm.json' }).first().click({ timeout: 30_000 });
    await frame.locator('.readout').filter({ hasText: /^t = [\d,]+ \/ 1,999/ }).first().waitFor({ timeout: 60_000 });
    timing('hardening: slow model drawn', t0);
    writeSlowModel(slow, { calls: 300 });
    const note = await waitForNotification(page, 'running slow-lstm.json', { timeout: 20_000 });
    await screenshot(page, 'hardening-progress');
    const cancel = page.locator('.notification-list-item, .notification-toast', { hasText: 'running slow-lstm.json' }).locator('.monaco-button', { hasText: 'Cancel' }).first();
    await cancel.click({ timeout: 30_000 });
    const tc = Date.now();
    await frame.locator('.error-banner', { hasText: 'cancelled' }).waitFor({ state: 'visible', timeout: 30_000 });
    const cancelText = await frame.locator('.error-banner').innerText();
    console.log(`# progress: ${note.split('\n')[0]}; cancelled → banner in ${Date.now() - tc} ms: ${cancelText}`);
    assert.match(cancelText, /slow-lstm\.json was cancelled.*last good run/);
    await page.keyboard.press('Escape');
    await frame.locator('body').click({ position: { x: 2, y: 2 } });
    const before2 = await frame.locator('.readout').first().innerText();
    await page.keyboard.press('ArrowRight');
    await frame.locator('.readout').filter({ hasNotText: before2 }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'hardening-cancelled');
    timing('hardening: long run cancelled from its notification', t0);
  });
});

/** Issue 18's worst JSON attack: a custom cell of 10^9 units with an initial state (fatal OOM of the host before). */
function writeAttack(file) {
  mkdirSync(dirname(file), { recursive: true });
  const cell = { class_name: 'CustomCell', config: { name: 'custom', units: 1e9, input_shape: [null, 1], states: [{ name: 'h', initial: 0.5 }], gates: [], updates: { h: 'h' } }, weights: [] };
  writeFileSync(file, JSON.stringify({ format: 'keras-model-fixture/v1', layers: [cell], input: { shape: [1, 2, 1], data: [0, 0] } }, null, 1));
}

test('the worst attack opened while typing in another file and stepping a panel: a located problem, the editor and the panel unaffected', { timeout: 180_000 }, async () => {
  writeAttack(join(workspace, 'attack', 'attack.cellscope-fixture.json'));
  writeFileSync(join(workspace, 'notes.txt'), '');
  await withWorkbench('hardening-attack', { workspace, keep: KEEP }, async (page, _server, t0) => {
    await runCommand(page, 'Cellscope: Open Visualizer');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('model.cellscope.json');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'sine-lstm' }).first().click({ timeout: 30_000 });
    const frame = webviewFrame(page);
    const readout = frame.locator('.readout').filter({ hasText: /^t = \d+ \// }).first();
    await readout.waitFor({ timeout: 30_000 });

    // Keyboard focus out of the webview (it keeps Ctrl+P to itself) before quick open.
    await page.locator('.tab.active').first().click();
    await quickOpen(page, 'notes.txt');
    await page.locator('.editor-instance .view-lines').first().click();
    await page.keyboard.type('typing before ');
    const ta = Date.now();
    await quickOpen(page, 'attack.cellscope-fixture.json');
    await quickOpen(page, 'notes.txt');
    await page.locator('.editor-instance .view-lines', { hasText: /before/ }).first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('and while the attack is checked');
    // The editor renders what was typed (a keystroke lost or held up by a blocked host would never show).
    const lines = page.locator('.editor-instance .view-lines', { hasText: /checked/ }).first();
    await lines.waitFor({ timeout: 30_000 });
    const typed = (await lines.innerText()).replace(/[\s\u00a0]+/g, ' ');
    assert.match(typed, /before and while the attack is checked/, 'every keystroke typed while the attack was checked reached the editor');
    const typingMs = Date.now() - ta;

    // The problem is in Problems, located at the units.
    await page.keyboard.press('Control+Shift+M');
    const marker = page.locator('.markers-panel .monaco-list-row', { hasText: 'allocate more than' }).first();
    await marker.waitFor({ timeout: 30_000 });
    const row = (await marker.innerText()).replace(/\s+/g, ' ');
    console.log(`# attack marker after ${Date.now() - ta} ms (typing took ${typingMs} ms): ${row.slice(0, 200)}`);
    assert.match(row, /units|Ln \d+/);
    await screenshot(page, 'hardening-attack-problem');

    // The panel still steps.
    await page.locator('.tab', { hasText: 'Cellscope:' }).first().click({ timeout: 30_000 });
    await frame.locator('body').click({ position: { x: 2, y: 2 } });
    const before = await readout.innerText();
    await page.keyboard.press('ArrowRight');
    await frame.locator('.readout').filter({ hasNotText: before }).first().waitFor({ timeout: 30_000 });
    timing('hardening: attack refused, typing and stepping unaffected', t0);
  });
});
