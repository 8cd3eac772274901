// Cellscope in a real VS Code (code-server 4.139.1 = VS Code 1.139.1) driven through Debian's chromium.
// Installs code-server/chromium via test/vscode/setup.mjs when missing (apt-get needs root, as on CI); never skips.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  openWorkbench,
  pickQuickItem,
  quickPickRows,
  runCommand,
  runInHostSuite,
  screenshot,
  waitForNotification,
} from '../vscode/browser.mjs';
import { REPO_ROOT, startServer } from '../vscode/server.mjs';
import { ensureVSCode } from '../vscode/setup.mjs';

const SHARED = process.env.CELLSCOPE_SHARED || join(REPO_ROOT, '..', 'shared');
const FIXTURE = join(SHARED, 'fixtures', 'keras3-generated', 'keras3-seed-1.json');
const KEEP = !!process.env.CELLSCOPE_KEEP_VSCODE; // keep throwaway folders (server logs) for debugging
const timing = (name, t0) => console.log(`# timing: ${name} ${((Date.now() - t0) / 1000).toFixed(1)} s`);

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
  writeFileSync(
    join(workspace, 'models', 'broken-lstm.json'),
    JSON.stringify({ format: 'keras-model-fixture/v1', layers: [{ class_name: 'LSTM', config: { units: 'four' } }] }),
  );
});

after(() => {
  if (workspace && !KEEP) rmSync(workspace, { recursive: true, force: true });
});

/** Starts a server + browser, runs fn, always stops both; on failure saves a screenshot and the server log tail. */
async function withWorkbench(name, options, fn) {
  const t0 = Date.now();
  const server = await startServer({ workspace, keep: KEEP, ...options });
  let wb;
  try {
    wb = await openWorkbench(server);
    timing(`${name}: server + workbench up`, t0);
    await fn(wb.page, server);
  } catch (e) {
    if (wb) await screenshot(wb.page, `FAILED-${name}`).catch(() => {});
    const host = server.extensionHostLog().split('\n').filter((l) => /cellscope|error/i.test(l)).slice(-20).join('\n');
    e.message += `\n--- extension host log (filtered) ---\n${host}\n--- browser console (last 20) ---\n${(wb?.consoleLines ?? []).slice(-20).join('\n')}`;
    throw e;
  } finally {
    await wb?.close();
    await server.stop();
    timing(`${name}: total`, t0);
  }
}

test('Open Visualizer: quick pick lists the workspace models; picking one shows its summary (dark theme)', { timeout: 240_000 }, async () => {
  await withWorkbench('open-visualizer-dark', { colorTheme: 'Default Dark Modern' }, async (page) => {
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

    await pickQuickItem(page, 'keras3-seed-1.json');
    const note = await waitForNotification(page, 'Cellscope:');
    timing('open-visualizer-dark: palette → summary notification', t0);
    await screenshot(page, 'open-visualizer-summary-dark');
    // keras3-seed-1: Bidirectional(GRU 8, sum) → Bidirectional(GRU 5, concat), written by Keras 3.15.1
    assert.match(note, /Bidirectional\(GRU\) 8 → Bidirectional\(GRU\) 5/);
    assert.match(note, /Keras 3 semantics/);
    assert.match(note, /[\d,]+ params/);

    // "Show Details" opens the Cellscope output channel with the per-layer table.
    await page.locator('.notification-list-item .monaco-button', { hasText: 'Show Details' }).first().click();
    const output = page.locator('.part.panel .view-lines');
    await output.filter({ hasText: 'total params' }).first().waitFor({ timeout: 15_000 });
    const table = (await output.first().innerText()).replace(/\u00a0/g, ' '); // monaco renders spaces as nbsp
    assert.match(table, /Bidirectional\(GRU\)\s+8\s+/);
    assert.match(table, /Keras 3 semantics \(hard_sigmoid keras3/);
    await screenshot(page, 'open-visualizer-output-dark');
  });
});

test('Open Visualizer on a broken file shows the LoadError, not a stack trace (light theme)', { timeout: 240_000 }, async () => {
  await withWorkbench('open-visualizer-error-light', { colorTheme: 'Default Light Modern' }, async (page) => {
    await runCommand(page, 'Cellscope: Open Visualizer');
    await pickQuickItem(page, 'broken-lstm.json');
    const note = await waitForNotification(page, 'broken-lstm.json');
    // Long messages are collapsed to one line: expand it so the screenshot shows all of it.
    await page.locator('.notification-list-item .codicon-notifications-expand').first().click({ timeout: 5000 }).catch(() => {});
    await screenshot(page, 'open-visualizer-error-light');
    assert.match(note, /expected/);
    assert.doesNotMatch(note, /\bat .*\.js:\d+/, 'no stack trace in the message');
    assert.equal(await page.locator('.notification-list-item .codicon-error, .notification-toast .codicon-error').count() > 0, true, 'shown as an error');
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
