// Explain in a real VS Code (code-server + chromium): open examples/char-rnn in the panel, click an output value,
// and the extension host runs the explanation in its engine worker (dist/host.js): the input text comes back
// coloured by the attribution, the gradient-flow charts and the state trajectory are drawn. Dark and light themes.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { canvasVariety, runCommand, screenshot, webviewFrame } from '../vscode/browser.mjs';
import { REPO_ROOT } from '../vscode/server.mjs';
import { installAndBuild, timing, withWorkbench } from '../vscode/workbench.mjs';

let workspace;
before(async () => {
  await installAndBuild();
  workspace = mkdtempSync(join(tmpdir(), 'cellscope-e2e-explain-'));
  cpSync(join(REPO_ROOT, 'examples', 'char-rnn'), join(workspace, 'char-rnn'), { recursive: true });
});
after(() => workspace && rmSync(workspace, { recursive: true, force: true }));

for (const [theme, colorTheme] of [['dark', 'Default Dark Modern'], ['light', 'Default Light Modern']]) {
  test(`Explain on char-rnn in the real VS Code (${theme}): a click on an output value → attribution, gradient flow, trajectory`, { timeout: 240_000 }, async () => {
    await withWorkbench(`explain-${theme}`, { workspace, colorTheme }, async (page, _server, t0) => {
      await runCommand(page, 'Cellscope: Open Visualizer');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await input.fill('model.cellscope.json');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'model.cellscope.json' }).first().click();
      const frame = webviewFrame(page);
      await frame.locator('.readout').filter({ hasText: /^t = \d+ \// }).first().waitFor({ timeout: 60_000 });
      // The output over time is charted and the last step's values listed: click the second most likely character.
      const bar = frame.locator('.explain .output-bar').nth(1);
      await bar.waitFor({ timeout: 30_000 });
      await bar.scrollIntoViewIfNeeded();
      const unit = await bar.getAttribute('data-unit');
      await bar.click();
      const summary = frame.locator('.explain-summary').filter({ hasText: new RegExp(`^y\\[0, 43, ${unit}\\] = `) });
      await summary.waitFor({ timeout: 60_000 });
      timing(`explain-${theme}: click → explanation`, t0);
      assert.match(await summary.innerText(), /gradient \(saliency\)/);
      assert.equal(await frame.locator('.token-text span').count(), 44, 'the 44 characters of the input, coloured');
      const values = await frame.locator('.token-text span').evaluateAll((els) => els.map((e) => Number(e.dataset.value)));
      assert.ok(values.every(Number.isFinite) && values.some((v) => v !== 0), 'real attributions arrived');
      await frame.locator('.explain').scrollIntoViewIfNeeded();
      await screenshot(page, `explain-vscode-${theme}`);
      // Gradient flow and trajectory: drawn; a click on a character moves the step cursor, both views follow.
      let flow = 0;
      for (let i = 0; i < 40 && flow <= 3; i++) {
        flow = await canvasVariety(frame, '.gradient-flow .chart canvas:not(.overlay)');
        if (flow <= 3) await page.waitForTimeout(250);
      }
      assert.ok(flow > 3, `gradient-flow chart looks blank (${flow} colours)`);
      // Canvases out of view wait for the viewport (webview/on-screen.ts): bring the trajectory near it first.
      await frame.locator('.trajectory').scrollIntoViewIfNeeded();
      let path = 0;
      for (let i = 0; i < 40 && path <= 3; i++) {
        path = await canvasVariety(frame, '.trajectory canvas');
        if (path <= 3) await page.waitForTimeout(250);
      }
      assert.ok(path > 3, `trajectory looks blank (${path} colours)`);
      await frame.locator('.token-text span').nth(9).click();
      await frame.locator('.flow-readout').filter({ hasText: /^step 9:/ }).waitFor({ timeout: 30_000 });
      await frame.locator('.trajectory-readout').filter({ hasText: /^cursor step 9:/ }).waitFor({ timeout: 30_000 });
      await frame.locator('.gradient-flow').scrollIntoViewIfNeeded();
      await screenshot(page, `explain-vscode-${theme}-flow`);
    });
  });
}
