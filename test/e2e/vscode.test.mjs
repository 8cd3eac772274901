// Cellscope in a real VS Code (code-server 4.139.1 = VS Code 1.139.1) driven through Debian's chromium.
// Installs code-server/chromium via test/vscode/setup.mjs when missing (apt-get needs root, as on CI); never skips.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  pickQuickItem,
  quickPickRows,
  runCommand,
  runInHostSuite,
  screenshot,
  waitForNotification,
  webviewFrame,
  canvasVariety,
} from '../vscode/browser.mjs';
import { REPO_ROOT, startServer } from '../vscode/server.mjs';
import { ensureVSCode } from '../vscode/setup.mjs';
import { timing, withWorkbench } from '../vscode/workbench.mjs';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'keras3-generated', 'keras3-seed-1.json');
const KEEP = !!process.env.CELLSCOPE_KEEP_VSCODE; // keep throwaway folders (server logs) for debugging

let workspace;

before(async () => {
  const t0 = Date.now();
  // CI runs as root: let setup apt-get chromium when it is missing instead of skipping.
  const r = await ensureVSCode({ systemDeps: process.getuid?.() === 0 });
  timing(`setup (installed: ${r.installed.join(', ') || 'nothing'})`, t0);
  // The extension under test is the built dist/, so build it from the current sources.
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(b.status, 0, `build failed:\n${b.stdout}${b.stderr}`);

  // A workspace with one real model, a file that is JSON but no model, and a model-looking file under
  // node_modules (excluded): the quick pick must list exactly the real one.
  workspace = mkdtempSync(join(tmpdir(), 'cellscope-e2e-ws-'));
  mkdirSync(join(workspace, 'models'));
  copyFileSync(FIXTURE, join(workspace, 'models', 'keras3-seed-1.json'));
  writeFileSync(join(workspace, 'settings-not-a-model.json'), JSON.stringify({ name: 'x', weights: 3 }));
  mkdirSync(join(workspace, 'node_modules', 'pkg'), { recursive: true });
  copyFileSync(FIXTURE, join(workspace, 'node_modules', 'pkg', 'hidden-model.json'));
  // The shipped examples the panel is tried on (a recording.json / input.json next to each model).
  for (const ex of ['sine-lstm', 'char-rnn']) cpSync(join(REPO_ROOT, 'examples', ex), join(workspace, 'examples', ex), { recursive: true });
  writeFileSync(
    join(workspace, 'models', 'broken-lstm.json'),
    JSON.stringify({ format: 'keras-model-fixture/v1', layers: [{ class_name: 'LSTM', config: { units: 'four' } }] }),
  );
});

after(() => {
  if (workspace && !KEEP) rmSync(workspace, { recursive: true, force: true });
});


/** Runs Open Visualizer and picks `<folder>/model.cellscope.json` from the quick pick (other rows share the folder). */
async function openExampleModel(page, folder) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // The quick pick can close between showing and typing: right after a palette command (Step Back) VS Code gives
  // focus back to the panel's webview, and when that lands after the new quick pick opened it closes it (seen in CI
  // twice, 1bcaa77 and 2026-12-05 19:35, the input "inert" then hidden). A user presses again: ask once more; a
  // second failure is real.
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Cellscope: Open Visualizer');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    try {
      await input.fill('model.cellscope.json', { timeout: 10_000 });
      break;
    } catch (e) {
      if (attempt === 2) throw e;
      console.log(`# the quick pick closed before typing (attempt ${attempt}); asking again`);
    }
  }
  const row = page
    .locator('.quick-input-widget .monaco-list-row')
    .filter({ hasText: folder })
    .filter({ hasText: 'model.cellscope.json' })
    .first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
}

/** Waits for the panel's webview to show its first step; returns the webview frame. */
async function waitForPanel(page, tabName) {
  await page.locator('.tab.active', { hasText: `Cellscope: ${tabName}` }).first().waitFor({ timeout: 30_000 });
  const frame = webviewFrame(page);
  await frame.locator('.readout').filter({ hasText: /^t = \d+ \// }).first().waitFor({ timeout: 30_000 });
  return frame;
}

/** sine-lstm in the panel: charts drawn, → moves the step, the comparison with Keras's recording is shown. */
async function checkSinePanel(page, theme) {
  const frame = await waitForPanel(page, 'sine-lstm/model.cellscope.json');
  await frame.locator('.gate-grid figure canvas:not(.overlay)').first().waitFor({ timeout: 30_000 });
  await frame.locator('.compare-text .max-error').waitFor({ timeout: 30_000 });
  // Charts draw in the next frames: poll until the pixels are there.
  let gate = 0;
  let heat = 0;
  for (let i = 0; i < 40 && (gate <= 8 || heat <= 8); i++) {
    gate = await canvasVariety(frame, '.gate-grid figure canvas:not(.overlay)');
    heat = await canvasVariety(frame, '.heatmap-box canvas:not(.overlay)');
    if (gate <= 8 || heat <= 8) await page.waitForTimeout(250);
  }
  assert.ok(gate > 8, `gate chart looks blank (${gate} colours)`);
  assert.ok(heat > 8, `heatmap looks blank (${heat} colours)`);

  const readout = frame.locator('.readout');
  const before = await readout.innerText();
  await frame.locator('.heatmap-box').first().hover(); // focus stays in the webview without clicking a unit
  await frame.locator('body').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('ArrowRight');
  await assert.doesNotReject(
    readout.filter({ hasNotText: before }).waitFor({ timeout: 30_000 }),
    `→ did not change the step readout (${before})`,
  );
  const after = await readout.innerText();
  assert.match(before, /^t = 0 \//);
  assert.match(after, /^t = 1 \//);

  const cmp = await frame.locator('.compare-text').innerText();
  assert.match(cmp, /max \|Δ\| = [-\d.e+]+/);
  assert.match(cmp, /matches/, 'the engine matches the Keras recording');
  await screenshot(page, `panel-sine-lstm-${theme}`);
  // Scroll down to the heatmap, then the comparison, for two more pictures.
  await frame.locator('.heatmap-box').first().scrollIntoViewIfNeeded();
  await screenshot(page, `panel-sine-lstm-${theme}-heatmap`);
  await frame.locator('.compare-text').scrollIntoViewIfNeeded();
  await screenshot(page, `panel-sine-lstm-${theme}-compare`);
  return { gate, heat, before, after, cmp };
}

test('Open Visualizer: quick pick lists the workspace models; sine-lstm and char-rnn open in the panel (dark theme)', { timeout: 240_000 }, async () => {
  await withWorkbench('open-visualizer-dark', { workspace, keep: KEEP, colorTheme: 'Default Dark Modern' }, async (page) => {
    const t0 = Date.now();
    await runCommand(page, 'Cellscope: Open Visualizer');
    // Wait until the file search finished (more than the Browse… row).
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'keras3-seed-1.json' }).first().waitFor({ timeout: 30_000 });
    const rows = await quickPickRows(page);
    await screenshot(page, 'open-visualizer-quick-pick-dark');
    const text = rows.join('\n');
    assert.match(text, /keras3-seed-1\.json/);
    assert.match(text, /broken-lstm\.json/);
    assert.match(text, /Browse/);
    assert.doesNotMatch(text, /settings-not-a-model/, 'a JSON file that is no model is not offered');
    assert.doesNotMatch(text, /hidden-model/, 'node_modules is excluded');
    await page.keyboard.press('Escape');

    await openExampleModel(page, 'sine-lstm');
    const r = await checkSinePanel(page, 'dark');
    timing('open-visualizer-dark: palette → sine-lstm panel checked', t0);
    console.log(`# sine-lstm panel (dark): gate ${r.gate} colours, heatmap ${r.heat}; ${r.before} → ${r.after}; ${r.cmp.split('·')[0]}`);

    // Step Forward through its keybinding (ctrl+alt+right while the panel has focus), Step Back from the palette.
    {
      const frame = webviewFrame(page);
      const readout = frame.locator('.readout');
      assert.match(await readout.innerText(), /^t = 1 \//);
      await frame.locator('body').click({ position: { x: 2, y: 2 } });
      await page.keyboard.press('Control+Alt+ArrowRight');
      await assert.doesNotReject(readout.filter({ hasText: /^t = 2 \// }).waitFor({ timeout: 30_000 }), `ctrl+alt+right did not step forward (${await readout.innerText()})`);
      await runCommand(page, 'Cellscope: Step Back');
      await assert.doesNotReject(readout.filter({ hasText: /^t = 1 \// }).waitFor({ timeout: 30_000 }), `Cellscope: Step Back did not step back (${await readout.innerText()})`);
      timing('open-visualizer-dark: stepping keybinding + palette command', t0);
    }

    // char-rnn: a token model; its panel shows the 44 characters of the input.
    await openExampleModel(page, 'char-rnn');
    const frame = await waitForPanel(page, 'char-rnn/model.cellscope.json');
    await frame.locator('.tok').nth(43).waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('.tok').count(), 44);
    await frame.locator('.compare-text .max-error').waitFor({ timeout: 30_000 });
    await screenshot(page, 'panel-char-rnn-dark');
    timing('open-visualizer-dark: char-rnn panel', t0);
  });
});

test('Open Visualizer on a broken file shows the LoadError, not a stack trace; sine-lstm panel (light theme)', { timeout: 240_000 }, async () => {
  await withWorkbench('open-visualizer-error-light', { workspace, keep: KEEP, colorTheme: 'Default Light Modern' }, async (page) => {
    await runCommand(page, 'Cellscope: Open Visualizer');
    await pickQuickItem(page, 'broken-lstm.json');
    const note = await waitForNotification(page, 'broken-lstm.json');
    // Long messages are collapsed to one line: expand it so the screenshot shows all of it.
    await page.locator('.notification-list-item .codicon-notifications-expand').first().click({ timeout: 5000 }).catch(() => {});
    await screenshot(page, 'open-visualizer-error-light');
    assert.match(note, /expected/);
    assert.doesNotMatch(note, /\bat .*\.js:\d+/, 'no stack trace in the message');
    assert.equal(await page.locator('.notification-list-item .codicon-error, .notification-toast .codicon-error').count() > 0, true, 'shown as an error');
    assert.equal(await page.locator('.tab', { hasText: 'Cellscope:' }).count(), 0, 'no panel for a file that failed to load');

    // Close the notification center, then the panel in the light theme.
    await page.keyboard.press('Escape');
    await page.locator('.notifications-center .codicon-notifications-hide').first().click({ timeout: 3000 }).catch(() => {});
    await openExampleModel(page, 'sine-lstm');
    await checkSinePanel(page, 'light');
  });
});

test('in-host suite (test/vscode/suite) passes inside the real extension host', { timeout: 240_000 }, async () => {
  const t0 = Date.now();
  const server = await startServer({
    workspace,
    keep: KEEP,
    extensionTestsPath: join(REPO_ROOT, 'test', 'vscode', 'suite', 'index.js'),
  });
  try {
    const { code, consoleLines } = await runInHostSuite(server);
    // The suite's console.log reaches the page console (extension host → renderer).
    const suiteLines = consoleLines.filter((l) => l.includes('[cellscope-suite]')).map((l) => l.replace(/^.*\[cellscope-suite\] /, ''));
    console.log(suiteLines.map((l) => `# ${l.split('\n')[0]}`).join('\n'));
    assert.equal(code, 0, `in-host suite failed:\n${suiteLines.join('\n') || consoleLines.slice(-30).join('\n')}`);
    assert.ok(suiteLines.some((l) => l.includes('DONE')), 'the suite really ran');
  } finally {
    await server.stop();
    timing('in-host suite: total', t0);
  }
});

test('setup is idempotent and fast when installed', async () => {
  const t0 = Date.now();
  const r = await ensureVSCode();
  assert.deepEqual(r.installed, []);
  assert.ok(existsSync(r.codeServer) && existsSync(r.node) && existsSync(r.chromium));
  timing('setup when already installed', t0);
});
