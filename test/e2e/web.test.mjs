// VS Code for the Web: Cellscope's `browser` bundle (dist/web/extension.js) in code-server's web worker extension
// host. The extension under test is a copy of the manifest without `main`, so VS Code can only run it there (a web
// extension: workspace.fs, no Node, the engine and its WebAssembly kernels in the worker itself). It opens the
// sine-lstm example, steps, and compares with Keras's recording, as on the desktop.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { canvasVariety, runCommand, screenshot, webviewFrame } from '../vscode/browser.mjs';
import { REPO_ROOT } from '../vscode/server.mjs';
import { installAndBuild, withWorkbench } from '../vscode/workbench.mjs';

let workspace;
let extension;
before(async () => {
  await installAndBuild();
  workspace = mkdtempSync(join(tmpdir(), 'cellscope-e2e-web-ws-'));
  cpSync(join(REPO_ROOT, 'examples', 'sine-lstm'), join(workspace, 'sine-lstm'), { recursive: true });
  extension = mkdtempSync(join(tmpdir(), 'cellscope-e2e-web-ext-'));
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.browser, './dist/web/extension.js');
  delete pkg.main;
  writeFileSync(join(extension, 'package.json'), JSON.stringify(pkg, null, 2));
  for (const f of ['dist', 'media', 'l10n', 'schemas', 'examples', 'package.nls.json']) symlinkSync(join(REPO_ROOT, f), join(extension, f));
});
after(() => {
  for (const d of [workspace, extension]) if (d) rmSync(d, { recursive: true, force: true });
});

test('browser entry in the web worker extension host: open sine-lstm, step, compare with Keras', { timeout: 300_000 }, async () => {
  const fetched = [];
  await withWorkbench(
    'web-worker-host',
    { workspace, extensionDevelopmentPath: extension, colorTheme: 'Default Light Modern' },
    async (page) => {
      await runCommand(page, 'Cellscope: Open Visualizer', { attempts: 40 });
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await input.fill('model.cellscope.json');
      await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'sine-lstm' }).first().click();
      await page.locator('.tab.active', { hasText: 'Cellscope: sine-lstm/model.cellscope.json' }).first().waitFor({ timeout: 60_000 });
      const frame = webviewFrame(page);
      const readout = frame.locator('.readout');
      await readout.filter({ hasText: /^t = 0 \// }).first().waitFor({ timeout: 60_000 });
      await frame.locator('.compare-text .max-error').waitFor({ timeout: 60_000 });
      let gate = 0;
      for (let i = 0; i < 40 && gate <= 8; i++) {
        gate = await canvasVariety(frame, '.gate-grid figure canvas:not(.overlay)');
        if (gate <= 8) await page.waitForTimeout(250);
      }
      assert.ok(gate > 8, `gate chart looks blank (${gate} colours)`);
      await frame.locator('body').click({ position: { x: 2, y: 2 } });
      await page.keyboard.press('ArrowRight');
      await readout.filter({ hasText: /^t = 1 \// }).first().waitFor({ timeout: 30_000 });
      const cmp = await frame.locator('.compare-text').innerText();
      assert.match(cmp, /matches/, `the engine matches the Keras recording in the worker: ${cmp}`);
      await screenshot(page, 'web-worker-host-sine-lstm');
      // Where it ran: the browser fetched the web bundle for its worker extension host (a node extension host reads
      // files from disk, and the copy has no `main` for it anyway).
      assert.ok(fetched.some((u) => u.includes('/dist/web/extension.js')), `dist/web/extension.js never fetched: ${fetched.filter((u) => /cellscope|dist/.test(u)).join(' ')}`);
    },
    { beforeGoto: (page) => page.context().on('request', (r) => fetched.push(decodeURIComponent(r.url()))) },
  );
});
