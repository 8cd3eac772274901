// Cellscope's notebook renderer in a real VS Code (code-server + Debian's chromium): the example notebook's saved
// `cellscope.show()` output (examples/notebook, executed with a real Jupyter kernel and real Keras) is opened without
// a kernel; the renderer asks the extension host to run the model, draws the gates and the heatmap, says the engine
// matches Keras's recording, steps with the keyboard, and "Open in Cellscope panel" opens the full panel.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { canvasVariety, quickOpen, screenshot, webviewFrame } from '../vscode/browser.mjs';
import { REPO_ROOT } from '../vscode/server.mjs';
import { installAndBuild, timing, withWorkbench } from '../vscode/workbench.mjs';

let workspace;

before(async () => {
  await installAndBuild();
  workspace = mkdtempSync(join(tmpdir(), 'cellscope-e2e-notebook-'));
  cpSync(join(REPO_ROOT, 'examples', 'notebook', 'cellscope-show.ipynb'), join(workspace, 'cellscope-show.ipynb'));
});

after(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

test('a saved cellscope.show() output renders in the notebook, steps with the keyboard and opens the panel', { timeout: 300_000 }, async () => {
  await withWorkbench('notebook', { workspace }, async (page, _server, t0) => {
    await quickOpen(page, 'cellscope-show.ipynb');
    const frame = webviewFrame(page);
    const out = frame.locator('.cellscope-nb');
    const verdict = out.locator('.nb-verdict');
    await verdict.filter({ hasText: /^matches Keras: max \|Δ\| \d\.\d\de-\d+ \(≤ 1e-5\)$/ }).waitFor({ timeout: 120_000 });
    timing('notebook: output rendered and run by the extension host', t0);
    assert.ok((await canvasVariety(out, '.chart-box canvas:not(.overlay)')) > 5, 'the gate chart is drawn');
    assert.ok((await canvasVariety(out, '.heatmap-box canvas:not(.overlay)')) > 5, 'the heatmap is drawn');
    const readout = out.locator('.nb-controls .nb-muted');
    assert.equal(await readout.textContent(), 'step 0 / 59');
    // The table holds the value of every gate and state at the step; it changes as the step moves.
    const firstRow = () => out.locator('table tr').nth(1).textContent();
    const before = await firstRow();
    await out.click({ position: { x: 5, y: 5 } });
    for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
    await readout.filter({ hasText: 'step 3 / 59' }).waitFor({ timeout: 30_000 });
    assert.notEqual(await firstRow(), before, 'the step table follows the step');
    await page.keyboard.press('End');
    await readout.filter({ hasText: 'step 59 / 59' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'notebook-output-dark');

    await out.getByRole('button', { name: 'Open in Cellscope panel' }).click();
    await page.locator('.tab.active', { hasText: 'Cellscope: wave_lstm/model.cellscope.json' }).first().waitFor({ timeout: 60_000 });
    // The panel is the newest webview; it runs the same model and compares it with the same recording.
    const panel = page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
    await panel.locator('.readout').filter({ hasText: /^t = \d+ \// }).first().waitFor({ timeout: 60_000 });
    timing('notebook: Open in Cellscope panel opened the panel', t0);
    await screenshot(page, 'notebook-opened-panel');
  });
});
