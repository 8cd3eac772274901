// The panel under load, measured in a real VS Code (code-server + Debian's chromium, the e2e harness):
// for W3 (LSTM batch 1, 100 000 steps, 8 features, 64 units), LSTM 256 × 1000 and LSTM 512 × 100 000 it prints
//   - open: Open Visualizer's model pick → gate charts and heatmap drawn with the trace's numbers,
//   - step → render: median and p95 over ~30 presses of → and of ctrl+alt+→ from step 497 on, across the window
//     boundary at 512 (measured in the webview: the key event's time → the next animation frame after the step
//     was drawn with its values),
//   - webview memory: the renderer's JS heap growth since before any panel (CDP; in code-server the webview shares
//     the workbench's renderer) and the bytes of trace data the webview holds; the extension host's RSS and peak.
// Usage: node bench/panel.mjs [--only W3,256x1000,512x100000] [--steps 30] [--keep] [--shots] [--no-build]
// Exported: runPanelBench(options) → results (also printed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCommand, screenshot, webviewFrame } from '../test/vscode/browser.mjs';
import { REPO_ROOT } from '../test/vscode/server.mjs';
import { ensureVSCode } from '../test/vscode/setup.mjs';
import { rng } from '../test/random.mjs';
import { withWorkbench } from '../test/vscode/workbench.mjs';

export const PANEL_WORKLOADS = [
  { id: 'W3', units: 64, steps: 100_000, features: 8 },
  { id: '256x1000', units: 256, steps: 1000, features: 8 },
  { id: '512x100000', units: 512, steps: 100_000, features: 8 },
];

const list = (n, f) => {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = Number(f().toFixed(6));
  return out;
};

/** A keras-model-fixture/v1 LSTM with seeded random weights. */
function lstmFixture(w, seed = 1) {
  const next = rng(seed);
  const g = 4 * w.units;
  const weight = (name, shape, scale) => ({ name, shape, dtype: 'float32', data: list(shape.reduce((a, b) => a * b, 1), () => next() * scale) });
  return {
    format: 'keras-model-fixture/v1',
    id: `bench/panel/${w.id}`,
    predict_calls: 1,
    layers: [
      {
        class_name: 'LSTM',
        config: { name: 'lstm', units: w.units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, return_sequences: true, go_backwards: false, stateful: false },
        weights: [weight('kernel', [w.features, g], 1 / Math.sqrt(w.features)), weight('recurrent_kernel', [w.units, g], 1 / Math.sqrt(w.units)), weight('bias', [g], 0.1)],
      },
    ],
  };
}

/** The input (batch 1): a slow wave per feature plus noise, so the charts show structure, not just a band. */
function waveInput(w, seed = 2) {
  const next = rng(seed);
  let k = 0;
  const f = () => {
    const t = Math.floor(k / w.features);
    const j = k++ % w.features;
    return Math.sin(t * 0.0007 * (j + 1) + j) + 0.3 * next();
  };
  return { shape: [1, w.steps, w.features], dtype: 'float32', data: list(w.steps * w.features, f) };
}

/** Writes each workload's model into `<dir>/<id>/model.cellscope.json` and its input beside it (`input.json`). */
export function writeWorkspace(dir, workloads = PANEL_WORKLOADS) {
  for (const w of workloads) {
    mkdirSync(join(dir, w.id), { recursive: true });
    writeFileSync(join(dir, w.id, 'model.cellscope.json'), JSON.stringify(lstmFixture(w)));
    writeFileSync(join(dir, w.id, 'input.json'), JSON.stringify(waveInput(w)));
  }
}

const START_STEP = 497;

const quantile = (a, q) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};

async function perfData(frame) {
  const raw = await frame.locator('html').getAttribute('data-cellscope-perf');
  return raw ? JSON.parse(raw) : { samples: [], heapBytes: null, traceBytes: 0 };
}

/**
 * JS heap in use after a garbage collection (CDP Runtime.getHeapUsage). The webview's frame has the workbench's
 * origin in code-server, so both share one renderer heap: the panel's share is this minus the figure before it opened.
 */
async function rendererHeap(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Presses `key` n times, each after the previous step was drawn; returns the webview's samples for them. */
async function pressAndTime(page, frame, key, n) {
  await frame.locator('html').evaluate(() => window.postMessage({ type: 'perf', action: 'start' }, '*'));
  await frame.locator('body').click({ position: { x: 2, y: 2 } });
  for (let i = 1; i <= n; i++) {
    await page.keyboard.press(key);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const p = await perfData(frame);
      if (p.samples.length >= i) break;
      if (Date.now() > deadline) throw new Error(`${key} #${i}: the step was not drawn within 30 s (readout ${await frame.locator('.readout').innerText()})`);
      await page.waitForTimeout(5);
    }
  }
  const p = await perfData(frame);
  await frame.locator('html').evaluate(() => window.postMessage({ type: 'perf', action: 'stop' }, '*'));
  return p;
}

/** RSS and peak RSS (MB) of the extension host under the code-server process `root` (Linux /proc). */
export function extensionHostMemory(root) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {}
  }
  const under = (pid) => {
    for (let p = pid, k = 0; p > 1 && k < 20; p = parent.get(p) ?? 0, k++) if (p === root) return true;
    return false;
  };
  for (const pid of parent.keys()) {
    if (!under(pid)) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {}
    if (!/extensionHost/.test(cmd)) continue;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
  }
  return null;
}

/** The Cellscope Panel output channel's lines (engine run, slow replies), from the server's log folder. */
function panelLog(server) {
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/Cellscope Panel/.test(e.name)) out.push(...readFileSync(p, 'utf8').split('\n').filter(Boolean));
    }
  };
  walk(join(server.dirs.userData, 'logs'));
  return out;
}

async function openModel(page, id) {
  await runCommand(page, 'Cellscope: Open Visualizer');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill('model.cellscope.json');
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: id }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  const t0 = Date.now();
  await row.click();
  const frame = webviewFrame(page);
  // Drawn: the gate charts hold the trace's series, the heatmap has pixels and the step values are here.
  const deadline = Date.now() + 600_000;
  for (;;) {
    const ok = await frame
      .locator('body')
      .evaluate((b) => {
        const heat = b.querySelector('.heatmap-box canvas:not(.overlay)');
        if (!b.dataset.charts || !heat || !heat.width) return false;
        const d = heat.getContext('2d').getImageData(0, 0, heat.width, heat.height).data;
        const seen = new Set();
        for (let p = 0; p < d.length; p += 4 * 97) seen.add(d[p] * 65536 + d[p + 1] * 256 + d[p + 2]);
        return seen.size > 8 && !/loading/.test(b.querySelector('.readout')?.textContent ?? 'loading');
      }, null, { timeout: 5000 })
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${id}: the panel did not draw within 10 min`);
    await page.waitForTimeout(20);
  }
  const openMs = Date.now() - t0;
  const marks = (await perfData(frame)).marks ?? {};
  const at = Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, Math.round(v - t0)]));
  return { openMs, at, frame };
}

/**
 * Runs the benchmark in a fresh code-server + chromium. Options: only (ids), steps (presses per key, default 30),
 * keep (keep the workspace), shots (screenshots of each panel into .test-output/screenshots), build (default true:
 * build dist/ first), log.
 */
export async function runPanelBench(o = {}) {
  const log = o.log ?? ((s) => console.log(s));
  const workloads = PANEL_WORKLOADS.filter((w) => !o.only || o.only.includes(w.id));
  const n = o.steps ?? 30;
  await ensureVSCode({ systemDeps: process.getuid?.() === 0 });
  if (o.build !== false) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, `build failed:\n${b.stdout}${b.stderr}`);
  }
  const workspace = mkdtempSync(join(tmpdir(), 'cellscope-bench-panel-'));
  const t0 = Date.now();
  writeWorkspace(workspace, workloads);
  log(`# panel bench: models written in ${((Date.now() - t0) / 1000).toFixed(1)} s (${workspace})`);
  const results = [];
  try {
    await withWorkbench('bench-panel', { workspace, keep: !!o.keep, colorTheme: 'Default Dark Modern' }, async (page, server) => {
      let logged = 0;
      const heap0 = await rendererHeap(page);
      log(`# renderer JS heap before any panel: ${(heap0 / 2 ** 20).toFixed(1)} MB`);
      for (const w of workloads) {
        const { openMs, at, frame } = await openModel(page, w.id);
        const header = await frame.locator('header p.muted').first().innerText();
        if (o.shots) await screenshot(page, `bench-panel-${w.id}`);
        // Start 15 steps before step 512, a window boundary of every workload here (windows are 128 or 512 steps), so
        // the presses cross one (the next window is prefetched).
        await frame.locator('.slider').evaluate((el, t) => {
          el.value = String(t);
          el.dispatchEvent(new Event('input'));
        }, START_STEP);
        await frame.locator('.readout').filter({ hasText: new RegExp(`^t = ${START_STEP} /(?!.*loading)`) }).waitFor({ timeout: 60_000 });
        const right = await pressAndTime(page, frame, 'ArrowRight', n);
        const ctrl = await pressAndTime(page, frame, 'Control+Alt+ArrowRight', n);
        const readout = await frame.locator('.readout').innerText();
        const heap = await rendererHeap(page);
        const host = extensionHostMemory(server.pid);
        const r = {
          id: w.id,
          shape: `LSTM ${w.units} units × ${w.steps} steps`,
          header,
          openMs,
          /** ms after the pick: init received (model loaded and run), trace received, charts drawn, heatmap drawn. */
          openAt: at,
          right: { medianMs: quantile(right.samples, 0.5), p95Ms: quantile(right.samples, 0.95), n: right.samples.length },
          ctrlAltRight: { medianMs: quantile(ctrl.samples, 0.5), p95Ms: quantile(ctrl.samples, 0.95), n: ctrl.samples.length },
          /** Renderer JS heap (workbench + webview) minus the figure before any panel opened. */
          webviewHeapMB: (heap - heap0) / 2 ** 20,
          /** Typed arrays of trace data the webview holds (windows, series, heat columns, input). */
          webviewTraceMB: ctrl.traceBytes / 2 ** 20,
          /** The extension host process (holds the trace): RSS now and its peak so far. */
          hostRssMB: host?.rssMB ?? null,
          hostPeakMB: host?.peakMB ?? null,
          readout,
        };
        results.push(r);
        const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : String(x));
        log(
          `${w.id.padEnd(11)} ${r.shape.padEnd(30)} open ${(openMs / 1000).toFixed(2)} s · → median ${f(r.right.medianMs)} ms p95 ${f(r.right.p95Ms)} ms · ctrl+alt+→ median ${f(r.ctrlAltRight.medianMs)} ms p95 ${f(r.ctrlAltRight.p95Ms)} ms · webview: JS heap +${f(r.webviewHeapMB)} MB, trace data ${f(r.webviewTraceMB)} MB`,
        );
        log(`#   header: ${header}; ${readout}`);
        log(`#   open: ${Object.entries(at).map(([k, v]) => `${k} +${v} ms`).join(', ')}; extension host RSS ${f(r.hostRssMB)} MB (peak so far ${f(r.hostPeakMB)} MB)`);
        const lines = panelLog(server);
        for (const l of lines.slice(logged)) log(`#   host log: ${l}`);
        logged = lines.length;
        if (o.shots) {
          await frame.locator('.heatmap-box').first().scrollIntoViewIfNeeded();
          await screenshot(page, `bench-panel-${w.id}-heatmap`);
        }
        // Close the panel before the next one (its trace is freed on the host and in the webview).
        await runCommand(page, 'View: Close All Editors');
        await page.waitForTimeout(1000);
      }
    });
  } finally {
    if (!o.keep) rmSync(workspace, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const val = (k) => {
    const i = args.indexOf(k);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const only = val('--only')?.split(',');
  const steps = val('--steps') ? Number(val('--steps')) : undefined;
  runPanelBench({ only, steps, keep: args.includes('--keep'), shots: args.includes('--shots'), build: !args.includes('--no-build') }).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
