// Problems panel in a real VS Code (code-server 4.139.1 + Debian's chromium): a broken model file shows a
// `cellscope` diagnostic naming the JSON path, what was expected and what was found, at the right line:column;
// and the in-host diagnostics suite (test/vscode/suite-diagnostics) passes in the real extension host.
// The extension is built into a throwaway folder (package.json + schemas/ + dist/extension.js and dist/host.js), so
// this test neither writes the shared dist/ nor picks up a half-written one.
import assert from 'node:assert/strict';
import { cpSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import { extensionHostTargets } from '../../scripts/build.mjs';
import { runInHostSuite, screenshot } from '../vscode/browser.mjs';
import { REPO_ROOT, startServer } from '../vscode/server.mjs';
import { ensureVSCode } from '../vscode/setup.mjs';
import { timing, withWorkbench } from '../vscode/workbench.mjs';

const KEEP = !!process.env.CELLSCOPE_KEEP_VSCODE;

/** The kernel of the SimpleRNN has the wrong shape ([3, 2] for 2 input features): the first error the loader meets. */
const BROKEN_MODEL = {
  format: 'keras-model-fixture/v1',
  layers: [
    { class_name: 'InputLayer', config: { batch_shape: [null, 3, 2] } },
    {
      class_name: 'SimpleRNN',
      config: { units: 2, activation: 'tanh' },
      weights: [
        { name: 'kernel', shape: [3, 2], data: [1, 2, 3, 4, 5, 6] },
        { name: 'recurrent_kernel', shape: [2, 2], data: [1, 2, 3, 4] },
        { name: 'bias', shape: [2], data: [0, 0] },
      ],
    },
    { class_name: 'Dense', config: { units: 1, activation: 'sigmoid' }, weights: [{ name: 'kernel', shape: [2, 1], data: [1, 2] }, { name: 'bias', shape: [1], data: [0] }] },
  ],
};
/** The same model with its kernel right and its activation typo'd ("tahn"). */
const TYPO_MODEL = structuredClone(BROKEN_MODEL);
TYPO_MODEL.layers[1].config.activation = 'tahn';
TYPO_MODEL.layers[1].weights[0] = { name: 'kernel', shape: [2, 2], data: [1, 2, 3, 4] };

/**
 * Opens the Problems panel from the command palette (`workbench.actions.view.problems`): its title differs between
 * VS Code versions ("View: Focus on Problems View", "View: Toggle Problems", ...), so pick whichever row is there.
 */
async function focusProblems(page) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill('>Problems');
  await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
  const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
  console.log(`# palette rows for "Problems": ${JSON.stringify(texts)}`);
  const i = texts.findIndex((t) => /Focus on Problems View|Toggle Problems|View: Problems|Problems: Focus/i.test(t));
  assert.ok(i >= 0, `no Problems command in the palette: ${JSON.stringify(texts)}`);
  await rows.nth(i).click();
  await page.locator('.markers-panel').first().waitFor({ state: 'visible', timeout: 30_000 });
}

let root;
let extDir;
let workspace;

before(async () => {
  const t0 = Date.now();
  const r = await ensureVSCode({ systemDeps: process.getuid?.() === 0 });
  timing(`setup (installed: ${r.installed.join(', ') || 'nothing'})`, t0);
  root = mkdtempSync(join(tmpdir(), 'cellscope-e2e-problems-'));
  extDir = join(root, 'extension');
  mkdirSync(extDir);
  copyFileSync(join(REPO_ROOT, 'package.json'), join(extDir, 'package.json'));
  cpSync(join(REPO_ROOT, 'schemas'), join(extDir, 'schemas'), { recursive: true });
  await Promise.all(extensionHostTargets(join(extDir, 'dist')).map((t) => esbuild.build({ ...t, absWorkingDir: REPO_ROOT })));
  workspace = join(root, 'workspace');
  mkdirSync(join(workspace, 'models'), { recursive: true });
  writeFileSync(join(workspace, 'models', 'broken-model.json'), JSON.stringify(BROKEN_MODEL, null, 2) + '\n');
  writeFileSync(join(workspace, 'models', 'typo-activation.json'), JSON.stringify(TYPO_MODEL, null, 2) + '\n');
  writeFileSync(join(workspace, 'settings-not-a-model.json'), JSON.stringify({ name: 'x', weights: 3 }));
  timing('extension built, workspace written', t0);
});

after(() => {
  if (root && !KEEP) rmSync(root, { recursive: true, force: true });
});

/** 1-based line and column of the first `needle` in `text`. */
function lineColumn(text, needle) {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1).length + 1 };
}

// The two windows run side by side (~25 s instead of ~45 s); each has its own server and browser.
describe('Problems panel diagnostics', { concurrency: 2 }, () => {
  test('Problems panel: a broken model file is listed with its JSON path, expected/found and line:column (dark theme)', { timeout: 120_000 }, async () => {
    const serverOptions = { workspace, keep: KEEP, extensionDevelopmentPath: extDir, colorTheme: 'Default Dark Modern' };
    // Wide enough that the Problems row shows the whole kernel-shape message (expected and found).
    await withWorkbench('problems-dark', serverOptions, async (page, _server, t0) => {

      // Open both broken files from the explorer (models/ → double-click: pinned tabs, not one preview tab).
      const explorerRow = (name) => page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
      await explorerRow('models').click({ timeout: 20_000 });
      for (const name of ['typo-activation.json', 'broken-model.json']) {
        await explorerRow(name).dblclick({ timeout: 30_000 });
        await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
      }
      timing('problems: files open', t0);

      await focusProblems(page);
      const markerRow = (text) => page.locator('.markers-panel .monaco-list-row', { hasText: text }).first();
      const shapeMarker = markerRow('layers[1].weights[0]');
      const typoMarker = markerRow('layers[1].config.activation');
      await shapeMarker.waitFor({ state: 'visible', timeout: 30_000 });
      await typoMarker.waitFor({ state: 'visible', timeout: 30_000 });
      timing('problems: markers shown', t0);
      // The editor (broken-model.json) underlines the same range.
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 30_000 });
      await page.waitForTimeout(300); // let the panel finish painting before the screenshot
      const shot = await screenshot(page, 'problems-dark');
      console.log(`# screenshot: ${shot}`);

      const rows = {};
      for (const [key, marker] of [['shape', shapeMarker], ['typo', typoMarker]]) {
        rows[key] = (await marker.innerText()).replace(/\s+/g, ' ');
        console.log(`# problems row (${key}): ${rows[key]}`);
        assert.match(rows[key], /cellscope/, 'source cellscope');
        assert.doesNotMatch(rows[key], /\.json:\d/, 'no file:line prefix inside the message');
      }
      const at = (file, needle) => {
        const { line, column } = lineColumn(readFileSync(join(workspace, 'models', file), 'utf8'), needle);
        return `[Ln ${line}, Col ${column}]`;
      };
      // Wrong kernel shape: underlined from the kernel entry's `{`.
      assert.match(rows.shape, /`layers\[1\]\.weights\[0\]` \(kernel of layer "simple_rnn"\) expected shape \[2, 2\]/, 'path and expected shape');
      assert.match(rows.shape, /found shape \[3, 2\]/, 'found shape');
      const kernelAt = at('broken-model.json', '{\n          "name": "kernel"');
      assert.ok(rows.shape.includes(kernelAt), `shape error at ${kernelAt}: ${rows.shape}`);
      // Typo'd activation: underlined on the string.
      assert.match(rows.typo, /`layers\[1\]\.config\.activation`/, 'names the JSON path');
      assert.match(rows.typo, /expected one of the known activations: tanh/, 'says what was expected');
      assert.match(rows.typo, /found the string "tahn"/, 'says what was found');
      const typoAt = at('typo-activation.json', '"tahn"');
      assert.ok(rows.typo.includes(typoAt), `activation error at ${typoAt}: ${rows.typo}`);
      // One problem per broken file; the unrelated JSON has none.
      const panelText = await page.locator('.markers-panel').innerText();
      assert.match(panelText, /broken-model\.json/);
      assert.match(panelText, /typo-activation\.json/);
      assert.doesNotMatch(panelText, /settings-not-a-model/);
      assert.equal(await page.locator('.markers-panel .monaco-list-row', { hasText: /\[Ln \d+, Col \d+\]/ }).count(), 2, 'two markers');
    }, { viewport: { width: 1800, height: 900 } });
  });

  test('in-host suite (test/vscode/suite-diagnostics): diagnostics appear at the right range, follow edits, clear', { timeout: 120_000 }, async () => {
    const t0 = Date.now();
    const server = await startServer({
      workspace,
      keep: KEEP,
      extensionDevelopmentPath: extDir,
      extensionTestsPath: join(REPO_ROOT, 'test', 'vscode', 'suite-diagnostics', 'index.js'),
    });
    try {
      const { code, consoleLines } = await runInHostSuite(server, { timeout: 90_000 });
      const tag = '[cellscope-diagnostics-suite]';
      const suiteLines = consoleLines.filter((l) => l.includes(tag)).map((l) => l.slice(l.indexOf(tag) + tag.length + 1));
      console.log(suiteLines.map((l) => `# ${l.split('\n')[0]}`).join('\n'));
      assert.equal(code, 0, `in-host diagnostics suite failed:\n${suiteLines.join('\n') || consoleLines.slice(-30).join('\n')}`);
      assert.ok(suiteLines.some((l) => l.startsWith('DONE')), 'the suite really ran');
    } finally {
      await server.stop();
      timing('in-host diagnostics suite: total', t0);
    }
  });
});
