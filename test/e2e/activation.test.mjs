// The lazily loaded half of the extension (dist/host.js) in a real VS Code (code-server + Debian's chromium), driven
// from the UI: a plain JSON file activates Cellscope without offering "Open in Cellscope"; a model JSON gets the
// editor-title button (its context key lives in the host, loaded because the document looks like a model), which
// opens the panel; and after a window reload the panel comes back (restoring it loads the host for its serializer).
// The in-host suites check the rest (test/vscode/suite: command stand-ins; suite-diagnostics: Problems).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { quickOpen, runCommand, screenshot, webviewFrame } from '../vscode/browser.mjs';
import { REPO_ROOT } from '../vscode/server.mjs';
import { installAndBuild, timing, withWorkbench } from '../vscode/workbench.mjs';

let workspace;

before(async () => {
  await installAndBuild();
  workspace = mkdtempSync(join(tmpdir(), 'cellscope-e2e-activation-'));
  writeFileSync(join(workspace, 'plain.json'), JSON.stringify({ name: 'not a model', version: 1 }, null, 2));
  cpSync(join(REPO_ROOT, 'examples', 'sine-lstm'), join(workspace, 'sine-lstm'), { recursive: true });
});

after(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

const openInCellscope = (page) => page.locator('.editor-actions .action-label[aria-label="Open in Cellscope"]');

/** Waits for the panel of `tabName` to show its first step. */
async function waitForPanel(page, tabName) {
  await page.locator('.tab', { hasText: `Cellscope: ${tabName}` }).first().waitFor({ timeout: 60_000 });
  await webviewFrame(page).locator('.readout').filter({ hasText: /^t = \d+ \// }).first().waitFor({ timeout: 60_000 });
}

test('"Open in Cellscope" shows on a model JSON only; the panel it opens is restored after a window reload', { timeout: 240_000 }, async () => {
  await withWorkbench('activation', { workspace }, async (page, _server, t0) => {
    await quickOpen(page, 'plain.json');
    await page.waitForTimeout(1500); // time for a wrongly set context key to show the button
    assert.equal(await openInCellscope(page).count(), 0, 'no "Open in Cellscope" on a JSON file that is not a model');

    await quickOpen(page, 'model.cellscope.json');
    await openInCellscope(page).first().waitFor({ timeout: 30_000 });
    await openInCellscope(page).first().click();
    await waitForPanel(page, 'sine-lstm/model.cellscope.json');
    timing('activation: panel opened from the editor-title button', t0);

    // VS Code's own reload (a page reload skips the shutdown that saves the webview editors).
    const reloaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await waitForPanel(page, 'sine-lstm/model.cellscope.json');
    await screenshot(page, 'panel-restored-after-reload');
    timing('activation: panel restored after reload', t0);
  });
});
