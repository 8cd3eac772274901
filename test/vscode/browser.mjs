// Drives the workbench served by server.mjs in Debian's chromium through playwright-core (no browser download).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { REPO_ROOT } from './server.mjs';
import { CHROMIUM, CODE_SERVER_DIR } from './setup.mjs';

export const SCREENSHOT_DIR = join(REPO_ROOT, '.test-output', 'screenshots');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Opens `server.workbenchUrl` (or `url`) in a fresh chromium profile and waits until the workbench and its
 * extension host are up. Returns { page, context, close, consoleLines }.
 * @param {object} server result of startServer()
 * @param {object} [o]
 * @param {{width:number,height:number}} [o.viewport]
 * @param {boolean} [o.waitForStatusBar] default true
 * @param {(page: import('playwright-core').Page) => Promise<void>} [o.beforeGoto] e.g. page.exposeFunction
 * @param {(line: string) => void} [o.onConsole]
 */
export async function openWorkbench(server, o = {}) {
  const dirs = server.dirs;
  const context = await chromium.launchPersistentContext(join(dirs.root, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: o.viewport ?? { width: 1400, height: 900 },
    // chromium's crashpad otherwise writes into the real ~/.config/chromium
    env: { ...process.env, HOME: dirs.home, XDG_CONFIG_HOME: dirs.xdg, XDG_CACHE_HOME: dirs.xdg },
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLines = [];
  page.on('console', (m) => {
    const line = `[${m.type()}] ${m.text()}`;
    consoleLines.push(line);
    o.onConsole?.(line);
  });
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  const close = () => context.close().catch(() => {});
  try {
    if (o.beforeGoto) await o.beforeGoto(page);
    // Under load (CI, a shared machine) the first load of the workbench's bundles can take well over 30 s.
    await page.goto(o.url ?? server.workbenchUrl, { timeout: 120_000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // The status bar fills once the remote connection and the extension host are up.
    if (o.waitForStatusBar !== false) await page.waitForSelector('.statusbar-item', { timeout: 60_000 });
    if (server.colorTheme && o.waitForStatusBar !== false) await ensureColorTheme(page, server.colorTheme);
  } catch (e) {
    await close();
    throw e;
  }
  return { page, context, close, consoleLines };
}

/** A built-in theme of the VS Code under test: its settings id, picker label and base class on the workbench. */
function builtinTheme(settingsId) {
  const dir = join(CODE_SERVER_DIR, 'lib', 'vscode', 'extensions', 'theme-defaults');
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const nls = JSON.parse(readFileSync(join(dir, 'package.nls.json'), 'utf8'));
  // VS Code renamed 'Default Dark Modern' to 'Dark Modern' (and so on); settings with the old id are migrated.
  const t = pkg.contributes.themes.find((x) => x.id === settingsId || `Default ${x.id}` === settingsId);
  if (!t) throw new Error(`no built-in colour theme "${settingsId}" in ${dir}`);
  const label = t.label.replace(/^%(.*)%$/, (_, key) => nls[key]);
  return { label, baseClass: t.uiTheme, migrated: t.id !== settingsId };
}

/**
 * Makes sure the workbench shows the colour theme the server's settings ask for. The web workbench picks its theme
 * before the user settings have arrived (it starts in its default, Light 2026) and switches later only when a theme
 * setting changes: 'Default Dark Modern' gets there because VS Code migrates that id (a settings write), but
 * 'Default High Contrast' stays light (seen in CI and here, about one start in two). So, as a user would, the theme is
 * chosen with Preferences: Color Theme when it has not shown up by itself.
 */
export async function ensureColorTheme(page, settingsId, { timeout = 30_000 } = {}) {
  const { label, baseClass, migrated } = builtinTheme(settingsId);
  const shown = page.locator(`.monaco-workbench.${baseClass}`);
  // An old id is migrated a few seconds after start, and the theme then shows by itself.
  if (await shown.waitFor({ state: 'attached', timeout: migrated ? 15_000 : 3000 }).then(() => true, () => false)) return;
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(label);
  await acceptFocusedRow(page, label, { timeout });
  await shown.waitFor({ state: 'attached', timeout });
}

/**
 * Presses Enter in the open quick input once its *focused* row shows `text`. A row with `text` being visible is not
 * enough: under load the list still shows the previous (unfiltered, recently-opened) rows for a moment after the
 * filter was typed, and Enter then picks whatever row is first (seen in CI: Quick Open of notes.txt opened the
 * attack file, the first of the recently opened). When the filtered list ranks another row first (typing
 * "Preferences: Color Theme" focuses "Preferences: Browse Color Themes in Marketplace"), the arrow keys move the
 * focus down to the row, as a user would.
 */
export async function acceptFocusedRow(page, text, { timeout = 30_000 } = {}) {
  const focused = page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: text }).first();
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  const deadline = Date.now() + timeout;
  while (!(await focused.isVisible().catch(() => false))) {
    if (Date.now() > deadline) {
      await focused.waitFor({ state: 'visible', timeout: 1 }); // throws playwright's own timeout error
    }
    const labels = await rows.allInnerTexts().catch(() => []);
    const at = labels.findIndex((l) => l.includes(text));
    const focusedAt = await rows.evaluateAll((els) => els.findIndex((e) => e.classList.contains('focused'))).catch(() => -1);
    if (at > 0 && focusedAt >= 0 && focusedAt < at) await page.keyboard.press('ArrowDown');
    else await page.waitForTimeout(100);
  }
  await page.keyboard.press('Enter');
}

/**
 * Runs a command from the command palette by its full title ('Cellscope: Open Visualizer'). Retries because
 * contributed commands show up only once the extension host has registered them.
 */
export async function runCommand(page, title, { attempts = 15 } = {}) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(`>${title}`);
    try {
      await acceptFocusedRow(page, title, { timeout: 3000 });
      return;
    } catch (e) {
      if (attempt >= attempts) throw new Error(`command "${title}" never appeared in the command palette (${attempts} tries)`);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
}

/** Opens a workspace file by name through Quick Open (Ctrl+P) and waits for its editor tab. */
export async function quickOpen(page, fileName, { timeout = 30_000 } = {}) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(fileName);
  await acceptFocusedRow(page, fileName, { timeout });
  await page.locator('.tab.active', { hasText: fileName }).first().waitFor({ timeout });
}

/** The rows of the open quick pick (labels as shown). */
export async function quickPickRows(page, { timeout = 30_000 } = {}) {
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout });
  return rows.allInnerTexts();
}

/** Selects the quick pick row containing `text` (types it into the filter box first so it is in view). */
export async function pickQuickItem(page, text, { filter = text, timeout = 30_000 } = {}) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout });
  if (filter) await input.fill(filter);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout });
  await row.click();
}

/**
 * Waits for a notification whose text contains `text` (string or RegExp) and returns its full text. Development
 * mode needs code-server's smoke-test driver, and VS Code shows no toasts with it on: notifications only go to the
 * notification center. So this opens the center (status bar bell) and reads it there; a toast is taken too.
 */
export async function waitForNotification(page, text, { timeout = 30_000 } = {}) {
  const center = page.locator('.notifications-center.visible');
  const item = page.locator('.notifications-center.visible .notification-list-item, .notification-toast', { hasText: text }).first();
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await item.isVisible().catch(() => false)) return item.innerText();
    if (!(await center.isVisible().catch(() => false))) {
      await page.locator('[id="status.notifications"]').first().click({ timeout: 5000 }).catch(() => {});
    }
    if (Date.now() > deadline) {
      const all = await page.locator('.notification-list-item, .notification-toast').allInnerTexts().catch(() => []);
      throw new Error(`no notification containing ${text} within ${timeout / 1000} s; notifications: ${JSON.stringify(all)}`);
    }
    await page.waitForTimeout(250);
  }
}

/** Distinct colours among ~2000 sampled pixels of the first canvas matching `selector` in `frame` (1 = blank). */
export function canvasVariety(frame, selector) {
  return frame.locator(selector).first().evaluate((c) => {
    if (!c.width || !c.height) return 0;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    const stride = Math.max(1, Math.floor((c.width * c.height) / 2000));
    for (let p = 0; p < c.width * c.height; p += stride) seen.add((d[p * 4] << 24) | (d[p * 4 + 1] << 16) | (d[p * 4 + 2] << 8) | d[p * 4 + 3]);
    return seen.size;
  });
}

/** The webview's own document: two iframes deep (outer host page, inner `active-frame`). */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** Saves a PNG into .test-output/screenshots/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * Runs the in-host suite the server was started with (`extensionTestsPath`): opens the workbench and waits for
 * VS Code to call window.codeAutomationExit(code) when the suite's run() settles. Returns { code, seconds,
 * consoleLines, during }: `during` is what `whileRunning(page)` (driving the workbench meanwhile) resolved to.
 */
export async function runInHostSuite(server, { timeout = 180_000, whileRunning } = {}) {
  const t0 = Date.now();
  let resolveExit;
  const exit = new Promise((r) => (resolveExit = r));
  const wb = await openWorkbench(server, {
    waitForStatusBar: false,
    beforeGoto: (page) => page.exposeFunction('codeAutomationExit', (code) => resolveExit(code)),
  });
  let timer;
  // Settled as { value } or { error } so that a failure while the suite still runs is not an unhandled rejection.
  const during = whileRunning?.(wb.page).then((value) => ({ value }), (error) => ({ error }));
  try {
    const code = await Promise.race([
      exit,
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new Error(`in-host suite did not finish within ${timeout / 1000} s`)), timeout);
      }),
    ]);
    const d = await during;
    if (d?.error) throw d.error;
    return { code, seconds: (Date.now() - t0) / 1000, consoleLines: wb.consoleLines, during: d?.value };
  } finally {
    clearTimeout(timer);
    await wb.close();
  }
}
