// The panel in headless Chromium on a custom cell (seed 000's LSTM neurone): it draws the cell's own gates and
// states, steps, and logs no errors. Needs the built webview (scripts/build.mjs) like test/webview.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/session';
import { loadModelFile } from '../../src/formats/node-files';
import { REPO } from '../fixtures-path';
import { launch, nextFrames, openPanelPage, serve, type PanelPage, type Served } from '../webview/harness';

let browser: Browser;
let served: Served;
let p: PanelPage;

before(async () => {
  const b = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  served = await serve();
  browser = await launch();
  const file = join(REPO, 'examples', 'custom-cells', 'relu-gated-lstm.json');
  const loaded = await loadModelFile(file);
  const session = new PanelSession({ loaded, input: loaded.input!, expected: loaded.expectedOutput, files: { fileUri: `file://${file}`, model: 'relu-gated-lstm.json', input: null, recording: null } });
  p = await openPanelPage(browser, served, session);
  await p.page.waitForFunction(() => document.body.dataset.renderMs !== undefined && document.querySelector('.gate-grid canvas') !== null, null, { timeout: 20000 });
  await nextFrames(p.page, 3);
});

after(async () => {
  await p?.page.context().close();
  await browser?.close();
  await served?.close();
});

test('the panel draws a custom cell: its gates and states as charts, the step diagram, no page errors', async () => {
  assert.deepEqual(p.malformedFromWebview, []);
  const charts = await p.page.locator('.gate-grid figure').count();
  assert.ok(charts >= 6, `i, f, c̃, o, h, c: ${charts} charts`);
  const text = await p.page.locator('.gate-grid').innerText();
  for (const key of ['i', 'f', 'c_tilde', 'o']) assert.ok(text.includes(key) || text.includes('c̃'), `${key} in the gate grid`);
  await p.page.locator('body').click({ position: { x: 5, y: 5 } });
  const d0 = await p.page.locator('.diagram').textContent();
  await p.page.keyboard.press('ArrowRight');
  await nextFrames(p.page, 2);
  const d1 = await p.page.locator('.diagram').textContent();
  assert.notEqual(d0, d1, 'stepping changes the diagram values');
  // (the inline-style CSP report shows for built-in cells too; test/webview filters it the same way)
  assert.deepEqual(p.pageErrors.filter((e) => !/Applying inline style violates/.test(e)), []);
});
