/**
 * Test harness for the panel in headless Chromium: a tiny HTTP server serving the real panel HTML (built by the
 * host's own panelHtml, strict CSP included) plus dist/ and media/, a fake `acquireVsCodeApi` that records what the
 * webview posts and saves, and a fake host that answers with messages built by the host's PanelSession.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { panelHtml } from '../../src/extension/panel/html';
import { PanelSession } from '../../src/extension/panel/session';
import { ExplainRequests, isExplainMessage } from '../../src/extension/panel/explain-requests';
import type { Tensor } from '../../src/engine/index';
import { applyEdit, inputFileText } from '../../src/panel/playground';
import { isFromWebview, type FromWebview } from '../../src/protocol';
import { fromWire, toWire } from '../../src/transport';
import { loadExpectedBytes, loadModelBytes, type LoadedModel } from '../../src/formats/index';

// Tests run from the repository root (npm test).
export const ROOT = resolve(process.cwd());
export const OUT = join(ROOT, '.test-output');
export const SHOTS = join(OUT, 'screenshots');
const WORKER = join(ROOT, 'dist', 'host.js');

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.map': 'application/json', '.html': 'text/html' };

export interface Served {
  server: Server;
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves `/` (the panel HTML, CSP and nonce as the host builds them), /dist/* and /media/*. `l10n`: the display
 * language and its bundle, as the host writes them into the page (src/extension/l10n.ts pageWords).
 */
export async function serve(l10n?: { language: string; bundle: Record<string, unknown> }): Promise<Served> {
  let origin = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/' || url.pathname === '/harness.html') {
      const html = panelHtml({ cspSource: origin, scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/panel.css`, nonce: 'testnonce' + Math.random().toString(36).slice(2), title: 'Cellscope test', ...(l10n ? { l10n } : {}) });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
      return;
    }
    const m = /^\/(dist|media)\/([\w.-]+)$/.exec(url.pathname);
    const file = m ? join(ROOT, m[1]!, m[2]!) : '';
    if (!m || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, origin, close: () => new Promise((r) => server.close(() => r())) };
}

/** A panel session on one of the shipped examples (its model, the recording's input and output), run in-process. */
/** A shipped example against its recording; `change` alters the loaded model first (a mistake for the diagnosis to find). */
export async function exampleSession(dir: string, change?: (loaded: LoadedModel) => LoadedModel): Promise<PanelSession> {
  const base = join(ROOT, 'examples', dir);
  const read = await loadModelBytes(readFileSync(join(base, 'model.cellscope.json')), 'model.cellscope.json');
  const loaded = change ? change(read) : read;
  const rec = loadExpectedBytes(readFileSync(join(base, 'recording.json')), 'recording.json');
  return new PanelSession({
    loaded,
    input: rec.input!,
    expected: rec.output,
    predictCalls: rec.predictCalls,
    files: { fileUri: `file://${base}/model.cellscope.json`, model: 'model.cellscope.json', input: 'recording.json', recording: 'recording.json' },
  });
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What JSON makes of the plain numbers VS Code's postMessage serialises: NaN and ±Infinity become null. */
function asJson(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map(asJson);
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asJson(x)]));
  return v;
}

/**
 * A message as VS Code's postMessage carries it: JSON (see asJson) except typed arrays, which cross page.evaluate as
 * base64 and are rebuilt in the page before window.postMessage.
 */
export function encode(v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (ArrayBuffer.isView(v)) {
    return { __typed: v.constructor.name, b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  }
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

// Runs in the page before any of its scripts (not subject to the page's CSP).
function fakeVsCode(initialState: unknown): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  let state = initialState;
  w.__posted = posted;
  w.__csp = [] as string[];
  document.addEventListener('securitypolicyviolation', (e) => (w.__csp as string[]).push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`));
  w.acquireVsCodeApi = () => ({
    postMessage: (m: unknown) => {
      posted.push(m);
      const toHost = w.__toHost as ((m: unknown) => void) | undefined;
      toHost?.(m);
    },
    getState: () => state,
    setState: (s: unknown) => {
      state = s;
      w.__state = s;
    },
  });
  const decode = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.__typed === 'string' && typeof o.b64 === 'string') {
        const bin = atob(o.b64);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        const C = (globalThis as unknown as Record<string, new (b: ArrayBuffer) => unknown>)[o.__typed]!;
        return new C(bytes.buffer);
      }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
    }
    return v;
  };
  w.__send = (m: unknown) => window.postMessage(decode(m), '*');
}

export interface PanelPage {
  page: Page;
  /** Messages the webview posted, in order (validated on the host side as the extension does). */
  received: FromWebview[];
  malformedFromWebview: unknown[];
  pageErrors: string[];
  send(m: unknown): Promise<void>;
  /** The session the fake host answers from now (a playground run replaces it). */
  session(): PanelSession | null;
  /** Files the fake host's "save input as" wrote (name → text). */
  saved: Map<string, string>;
}

/** The host's answer to `raw` from `session`, as the extension's CellscopePanel gives it. */
export async function answer(session: PanelSession, raw: FromWebview, send: (m: unknown) => Promise<void>): Promise<void> {
  if (raw.type === 'ready') {
    await send(session.initMessage());
    const c = session.comparisonMessage();
    if (c) await send(c);
  } else if (raw.type === 'requestTrace') {
    await send(session.traceMessage(raw.layer, raw.batch, raw.view, raw.id, raw.modelInput));
  } else if (raw.type === 'requestSeries') {
    await send(session.seriesMessage(raw.layer, raw.batch, raw.units, raw.buckets, raw.id));
  } else if (raw.type === 'requestHeat') {
    await send(session.heatMessage(raw.layer, raw.batch, raw.quantity, raw.t0, raw.t1, raw.cols, raw.id));
  } else if (raw.type === 'requestWindow') {
    await send(session.windowMessage(raw.layer, raw.batch, raw.start, raw.count, raw.id));
  } else if (raw.type === 'requestCompare') {
    await send(session.comparisonMessage({ atol: raw.atol, rtol: raw.rtol }, raw.id, raw.output));
  } else if (raw.type === 'requestCompareSeries') {
    await send(session.compareSeriesMessage(raw.batch, raw.unit, raw.id, raw.output));
  } else if (raw.type === 'requestCompareHeat') {
    await send(session.compareHeatMessage(raw.batch, raw.t0, raw.t1, raw.cols, raw.id, raw.output));
  }
}

/** What the fake host answers besides the session's requests (a test's own host part: new choices, a comparison). */
export type HostPart = (m: FromWebview, send: (m: unknown) => Promise<void>) => Promise<void>;

/** Opens the panel and plays the host: answers `ready` with init (+ comparison), and the trace, series, heat and window requests. */
export async function openPanelPage(browser: Browser, served: Served, first: PanelSession | null, opts: { width?: number; height?: number; state?: unknown; host?: HostPart } = {}): Promise<PanelPage> {
  let session = first;
  /** The playground's edited input (null: the file's), as the host keeps it. */
  let edited: Tensor | null = null;
  const saved = new Map<string, string>();
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const received: FromWebview[] = [];
  const malformedFromWebview: unknown[] = [];
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    // (favicon requests are the server's 404s, not the panel's)
    if (m.type() === 'error' && !/status of 404/.test(m.text())) pageErrors.push(m.text());
  });
  let explainer: ExplainRequests | undefined;
  const send = async (m: unknown) => {
    await page.evaluate((x) => (window as unknown as { __send(m: unknown): void }).__send(x), encode(toWire(m)));
  };
  await page.exposeFunction('__toHost', async (wire: unknown) => {
    const raw = fromWire(asJson(wire));
    if (!isFromWebview(raw)) {
      malformedFromWebview.push(raw);
      return;
    }
    received.push(raw);
    await opts.host?.(raw, send);
    if (!session) return;
    // Explanations run in the real engine worker when it is built (dist/host.js as the engine worker), as in the extension.
    if (isExplainMessage(raw)) return (explainer ??= new ExplainRequests((m) => void send(m), existsSync(WORKER) ? WORKER : undefined)).handle(session, raw);
    if (raw.type === 'run') {
      // As the host's playground run (CellscopePanel.playRun), in-process: the edit applied to the input as it is,
      // no recording for an edited input, the precision asked for.
      const file = first!.inputs;
      try {
        edited = raw.reset ? null : raw.edit ? applyEdit(edited ?? session.inputs.input, raw.edit) : edited;
        session = new PanelSession({ ...file, ...(edited ? { input: edited, expected: undefined, edited: true, files: { ...file.files, input: 'edited in the panel', recording: null } } : {}), precision: raw.precision });
      } catch (e) {
        await send({ type: 'error', message: `The edited input cannot run: ${e instanceof Error ? e.message : String(e)}` });
        return;
      }
      await send(session.initMessage(raw.id));
      const c = session.comparisonMessage();
      if (c) await send(c);
    } else if (raw.type === 'saveInput') {
      const name = `edited-${saved.size + 1}.json`;
      const loaded = session.inputs.loaded;
      saved.set(name, inputFileText(session.inputs.input, 'model' in loaded && loaded.model.inputIsTokens));
      await send({ type: 'saved', re: raw.id, name });
    } else await answer(session, raw, send);
  });
  // tsx (esbuild keepNames) wraps functions in __name(); functions shipped into the page need it defined there.
  await page.addInitScript('window.__name = (f) => f;');
  await page.addInitScript(fakeVsCode, opts.state ?? null);
  await page.goto(served.origin + '/');
  return { page, received, malformedFromWebview, pageErrors, send, session: () => session, saved };
}

/** Theme variables as VS Code sets them (a representative subset), on <html>, plus the body class. */
export const THEMES: Record<'light' | 'dark' | 'high-contrast' | 'high-contrast-light', { bodyClass: string; vars: Record<string, string> }> = {
  light: {
    bodyClass: 'vscode-light',
    vars: {
      '--vscode-font-family': '-apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace',
      '--vscode-foreground': '#3b3b3b',
      '--vscode-editor-foreground': '#3b3b3b',
      '--vscode-editor-background': '#ffffff',
      '--vscode-editorWidget-background': '#f8f8f8',
      '--vscode-widget-border': '#e5e5e5',
      '--vscode-panel-border': '#e5e5e5',
      '--vscode-descriptionForeground': '#616161',
      '--vscode-focusBorder': '#005fb8',
      '--vscode-errorForeground': '#c72e0f',
      '--vscode-editorWarning-foreground': '#bf8803',
      '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-red': '#e51400',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#388a34',
      '--vscode-charts-purple': '#652d90',
      '--vscode-charts-yellow': '#bf8803',
      '--vscode-testing-iconPassed': '#388a34',
      '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-secondaryBackground': '#e5e5e5',
      '--vscode-button-secondaryForeground': '#3b3b3b',
      '--vscode-input-background': '#ffffff',
      '--vscode-input-foreground': '#3b3b3b',
      '--vscode-input-border': '#cecece',
      '--vscode-dropdown-background': '#ffffff',
      '--vscode-dropdown-foreground': '#3b3b3b',
      '--vscode-dropdown-border': '#cecece',
      '--vscode-checkbox-background': '#f8f8f8',
      '--vscode-checkbox-border': '#cecece',
      '--vscode-editorCursor-foreground': '#000000',
      '--vscode-editor-inactiveSelectionBackground': '#e5ebf1',
    },
  },
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      '--vscode-font-family': '-apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace',
      '--vscode-foreground': '#cccccc',
      '--vscode-editor-foreground': '#cccccc',
      '--vscode-editor-background': '#1f1f1f',
      '--vscode-editorWidget-background': '#202020',
      '--vscode-widget-border': '#313131',
      '--vscode-panel-border': '#2b2b2b',
      '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-focusBorder': '#0078d4',
      '--vscode-errorForeground': '#f85149',
      '--vscode-editorWarning-foreground': '#cca700',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-testing-iconPassed': '#73c991',
      '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-secondaryBackground': '#313131',
      '--vscode-button-secondaryForeground': '#cccccc',
      '--vscode-input-background': '#313131',
      '--vscode-input-foreground': '#cccccc',
      '--vscode-input-border': '#3c3c3c',
      '--vscode-dropdown-background': '#313131',
      '--vscode-dropdown-foreground': '#cccccc',
      '--vscode-dropdown-border': '#3c3c3c',
      '--vscode-checkbox-background': '#313131',
      '--vscode-checkbox-border': '#3c3c3c',
      '--vscode-editorCursor-foreground': '#aeafad',
      '--vscode-editor-inactiveSelectionBackground': '#3a3d41',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    vars: {
      '--vscode-font-family': '-apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace',
      '--vscode-foreground': '#ffffff',
      '--vscode-editor-foreground': '#ffffff',
      '--vscode-editor-background': '#000000',
      '--vscode-editorWidget-background': '#0c141f',
      '--vscode-widget-border': '#6fc3df',
      '--vscode-panel-border': '#6fc3df',
      '--vscode-contrastBorder': '#6fc3df',
      '--vscode-contrastActiveBorder': '#f38518',
      '--vscode-descriptionForeground': '#ffffff',
      '--vscode-focusBorder': '#f38518',
      '--vscode-errorForeground': '#f48771',
      '--vscode-editorWarning-foreground': '#ffd370',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-testing-iconPassed': '#73c991',
      '--vscode-button-background': '#000000',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-border': '#6fc3df',
      '--vscode-input-background': '#000000',
      '--vscode-input-foreground': '#ffffff',
      '--vscode-input-border': '#6fc3df',
      '--vscode-dropdown-background': '#000000',
      '--vscode-dropdown-foreground': '#ffffff',
      '--vscode-dropdown-border': '#6fc3df',
      '--vscode-checkbox-background': '#000000',
      '--vscode-checkbox-border': '#6fc3df',
      '--vscode-editorCursor-foreground': '#ffffff',
      // VS Code's editor.selectionBackground (#f3f518) at 0.7: the colour behind the graph's unreadable HC node (#16).
      '--vscode-editor-inactiveSelectionBackground': 'rgba(243, 245, 24, 0.7)',
    },
  },
  /** VS Code's "Light High Contrast" (its webviews get both classes). */
  'high-contrast-light': {
    bodyClass: 'vscode-high-contrast vscode-high-contrast-light',
    vars: {
      '--vscode-font-family': '-apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace',
      '--vscode-foreground': '#292929',
      '--vscode-editor-foreground': '#292929',
      '--vscode-editor-background': '#ffffff',
      '--vscode-editorWidget-background': '#ffffff',
      '--vscode-widget-border': '#0f4a85',
      '--vscode-panel-border': '#0f4a85',
      '--vscode-contrastBorder': '#0f4a85',
      '--vscode-contrastActiveBorder': '#006bbd',
      '--vscode-descriptionForeground': '#292929',
      '--vscode-focusBorder': '#006bbd',
      '--vscode-errorForeground': '#b5200d',
      '--vscode-editorWarning-foreground': '#895503',
      '--vscode-charts-blue': '#0063d3',
      '--vscode-charts-red': '#b5200d',
      '--vscode-charts-orange': '#895503',
      '--vscode-charts-green': '#374e06',
      '--vscode-charts-purple': '#652d90',
      '--vscode-charts-yellow': '#895503',
      '--vscode-testing-iconPassed': '#374e06',
      '--vscode-button-background': '#0f4a85',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-border': '#0f4a85',
      '--vscode-input-background': '#ffffff',
      '--vscode-input-foreground': '#292929',
      '--vscode-input-border': '#0f4a85',
      '--vscode-dropdown-background': '#ffffff',
      '--vscode-dropdown-foreground': '#292929',
      '--vscode-dropdown-border': '#0f4a85',
      '--vscode-checkbox-background': '#ffffff',
      '--vscode-checkbox-border': '#0f4a85',
      '--vscode-editorCursor-foreground': '#0f4a85',
      '--vscode-editor-inactiveSelectionBackground': 'rgba(15, 74, 133, 0.5)',
    },
  },
};

export async function applyTheme(page: Page, name: keyof typeof THEMES): Promise<void> {
  const t = THEMES[name];
  await page.evaluate((t) => {
    const root = document.documentElement;
    for (let i = root.style.length - 1; i >= 0; i--) {
      const p = root.style.item(i);
      if (p.startsWith('--vscode-')) root.style.removeProperty(p);
    }
    for (const [k, v] of Object.entries(t.vars)) root.style.setProperty(k, v);
    document.body.className = t.bodyClass;
    document.body.dataset.vscodeThemeKind = t.bodyClass;
  }, t);
  await nextFrames(page, 3);
}

export async function nextFrames(page: Page, n = 2): Promise<void> {
  await page.evaluate(async (n) => {
    for (let i = 0; i < n; i++) await new Promise((r) => requestAnimationFrame(() => r(null)));
  }, n);
}

/** Distinct colours among ~2000 sampled pixels of a canvas (1 = blank). */
export async function canvasVariety(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel) as HTMLCanvasElement | null;
    if (!c || !c.width || !c.height) return 0;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    const stride = Math.max(1, Math.floor(c.width * c.height / 2000));
    for (let p = 0; p < c.width * c.height; p += stride) seen.add((d[p * 4]! << 24) | (d[p * 4 + 1]! << 16) | (d[p * 4 + 2]! << 8) | d[p * 4 + 3]!);
    return seen.size;
  }, selector);
}

/** A cheap fingerprint of a canvas's pixels, to tell whether it changed. */
export async function canvasHash(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let hsh = 0;
    for (let i = 0; i < d.length; i += 7) hsh = (hsh * 31 + d[i]!) | 0;
    return hsh;
  }, selector);
}

export { isFromWebview };

/** The data table of the current step (the Data tables fold-out open): its caption and, per quantity label, the values shown for the charted units. */
export async function stepTable(page: Page): Promise<{ caption: string; rows: Record<string, number[]> }> {
  const t = page.locator('details.tables table').first();
  const caption = await t.locator('caption').innerText();
  const rows: Record<string, number[]> = {};
  for (const r of await t.locator('tbody tr').all()) {
    const cells = await r.locator('th, td').allInnerTexts();
    rows[cells[0]!] = cells.slice(1).map(Number);
  }
  return { caption, rows };
}

/** Closes what a test file opened (any of them may be missing when its `before` failed). */
export async function closeAll(p: PanelPage | undefined, browser: Browser | undefined, served: Served | undefined): Promise<void> {
  await p?.page.context().close();
  await browser?.close();
  await served?.close();
}

/**
 * The hidden sequences an exporter recording holds (read as plain JSON: nothing of Cellscope's in between): h of
 * recorded layer `layer` at batch item b, step t, unit j.
 */
export function recordedH(recordingPath: string): (layer: string, b: number, t: number, j: number) => number {
  type Arr = { shape: number[]; data: number[] };
  const rec = JSON.parse(readFileSync(recordingPath, 'utf8')) as { layers: { name: string; output: Arr }[] };
  return (layer, b, t, j) => {
    const o = rec.layers.find((l) => l.name === layer)!.output;
    return o.data[(b * o.shape[1]! + t) * o.shape[2]! + j]!;
  };
}
