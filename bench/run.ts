/**
 * `npm run bench`: times the engine on the "Speed" workloads and prints a table. Not a test.
 *
 *   npm run bench                    Cellscope on every workload; TF.js peers for W1 LSTM and W2 only
 *   npm run bench -- --full          also the slow TF.js peers (W1 GRU, W3, W4: minutes each)
 *   npm run bench -- --quick         no TF.js peers, no CLI end to end, no VS Code: the Cellscope engine rows only
 *   npm run bench -- --no-vscode     everything but the real-VS-Code parts (activation + VSIX, the panel under load)
 *   npm run bench -- --only W1,W2    a subset of workloads
 *   npm run bench -- --only explain  explain on W1 only: gradient vs forward, 64-step integrated gradients
 *   npm run bench -- --only imdb     loading the 2.7 M-parameter IMDB BiLSTM (.keras, .h5, export JSON; target ≤ 0.5 s)
 *   npm run bench -- --reference     force the plain TypeScript kernels (no WebAssembly)
 *   npm run bench -- --json FILE     also write the rows as JSON
 *
 * After the engine table, in a real VS Code (code-server + Debian's chromium, as the e2e tests; a few minutes):
 * extension activation and the VSIX size (bench/activation.mjs), then the panel under load: open time, Step key →
 * updated charts and webview memory for W3, 256 × 1000 and 512 × 100 000 (bench/panel.mjs).
 *
 * Each time is the median of several runs after one warm-up run, wall clock and this process's CPU time (on a shared
 * machine the CPU time is the steadier number; the min–max spread tells how noisy the wall clock was).
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { runModel } from '../src/engine';
import { setFastPath } from '../src/engine/recurrent';
import { endToEnd } from './cli-e2e';
import { explainRows } from './explain';
import { imdbLoadRows } from './imdb-load';
import { onnxRows } from './onnx-peer';
import { torchRows } from './torch-peer';
import { tfjsModel, tfjsReady } from './tfjs-peer';
import { WORKLOADS, buildWorkload, flopsOf, label, type Workload } from './workloads';
import type { Timing } from './timing';

const args = process.argv.slice(2);
const full = args.includes('--full');
const quick = args.includes('--quick');
const reference = args.includes('--reference');
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? new Set(args[onlyArg + 1]!.split(',')) : null;
const jsonArg = args.indexOf('--json');
const jsonOut = jsonArg >= 0 ? args[jsonArg + 1]! : null;
const vscode = !quick && !args.includes('--no-vscode') && !only;
if (reference) setFastPath(false);


/** One warm-up, then runs until at least 3 runs and ~2 s, at most 9 runs. */
async function time(fn: () => unknown | Promise<unknown>, budgetMs = 2000, childProcess = false): Promise<Timing> {
  await fn();
  const ts: number[] = [];
  const cpus: number[] = [];
  const start = performance.now();
  while (ts.length < 3 || (ts.length < 9 && performance.now() - start < budgetMs)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  const mid = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  ts.sort((a, b) => a - b);
  return { median: ts[Math.floor(ts.length / 2)]!, cpu: childProcess ? null : mid(cpus), min: ts[0]!, max: ts[ts.length - 1]!, runs: ts.length };
}

interface Row {
  workload: string;
  engine: string;
  precision: string;
  trace: string;
  ms: number;
  cpuMs: number | null;
  spread: string;
  gflops: number;
  target?: number;
  note?: string;
}

const rows: Row[] = [];
const TARGET_MS: Record<string, number> = { 'W1 lstm': 40, 'W1 gru': 40, 'W2 lstm': 15, 'W3 lstm': 500, 'W4 lstm': 2000 };

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

function add(w: Workload, engine: string, precision: string, trace: string, t: Timing, note?: string): void {
  const target = engine === 'cellscope' && precision === 'float32' && trace === 'on' ? TARGET_MS[`${w.id} ${w.cell}`] : undefined;
  const row: Row = {
    workload: label(w),
    engine,
    precision,
    trace,
    ms: t.median,
    cpuMs: t.cpu,
    spread: `${fmt(t.min)}–${fmt(t.max)} (${t.runs})`,
    gflops: flopsOf(w) / (t.median * 1e6),
    ...(target !== undefined ? { target } : {}),
    ...(note ? { note } : {}),
  };
  rows.push(row);
  console.error(
    `  ${row.workload.padEnd(30)} ${engine.padEnd(10)} ${precision} trace ${trace.padEnd(3)} ${fmt(t.median).padStart(9)} (cpu ${t.cpu === null ? '—' : fmt(t.cpu)})  ${row.gflops.toFixed(2)} GFLOP/s`,
  );
}

/** A row that is not a recurrent workload's run (loading a file): its own name, no GFLOP/s, its own target. */
function loadRow(workload: string, engine: string, t: Timing, targetMs: number, note: string): void {
  rows.push({ workload, engine, precision: 'n/a', trace: 'n/a', ms: t.median, cpuMs: t.cpu, spread: `${fmt(t.min)}–${fmt(t.max)} (${t.runs})`, gflops: 0, target: targetMs, note });
  console.error(`  ${workload.padEnd(30)} ${engine.padEnd(16)} ${fmt(t.median).padStart(9)} (cpu ${t.cpu === null ? '—' : fmt(t.cpu)})`);
}

async function engineRows(): Promise<void> {
  for (const w of WORKLOADS) {
    if (only && !only.has(w.id)) continue;
    const d = buildWorkload(w);
    for (const precision of ['float32', 'float64'] as const) {
      for (const record of [true, false]) {
        // 64·200·512·10 values · 8 B = 524 MB of trace: measured, but say it is the memory-heavy one.
        const t = await time(() => runModel(d.model, d.input, { precision, record }), w.steps * w.batch > 10_000 ? 4000 : 2000);
        add(w, 'cellscope', precision, record ? 'on' : 'off', t);
      }
    }
    if (w.id === 'W1' && w.cell === 'lstm') await onnxRows(w, d, time, add, !quick);
    if (w.id === 'W1' && w.cell === 'lstm') await torchRows(w, d, time, add);
    if (quick || (w.slowPeer && !full)) continue;
    await tfjsReady();
    const peer = tfjsModel(w, d, 'float32');
    const t = await time(() => peer.predict(), w.slowPeer ? 1 : 2000);
    add(w, 'tfjs-cpu', 'float32', 'n/a', t, peer.note);
    peer.dispose();
  }
}

function table(): string {
  const head = ['workload', 'engine', 'precision', 'trace', 'median', 'cpu', 'min–max (runs)', 'GFLOP/s', 'target'];
  const body = rows.map((r) => [
    r.workload,
    r.engine,
    r.precision,
    r.trace,
    fmt(r.ms),
    r.cpuMs === null ? '—' : fmt(r.cpuMs),
    r.spread,
    r.gflops.toFixed(2),
    r.target === undefined ? '' : `${r.ms <= r.target ? 'met' : (r.cpuMs ?? Infinity) <= r.target ? 'met in cpu' : 'missed'} (≤ ${fmt(r.target)})`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const notes = [...new Set(rows.filter((r) => r.note).map((r) => `${r.workload} ${r.engine}: ${r.note}`))];
  return [line(head), `|${widths.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...body.map(line), '', ...notes].join('\n');
}

async function main(): Promise<void> {
  console.error(`cellscope bench (${reference ? 'reference TypeScript kernels' : 'default kernels'}; medians after one warm-up)`);
  await engineRows();
  if (!quick && (!only || only.has('W1'))) await endToEnd(time, add);
  if (!only || only.has('W1') || only.has('explain')) await explainRows(time, add);
  if (!only || only.has('imdb')) await imdbLoadRows(time, loadRow);
  console.log(table());
  const inVsCode: Record<string, unknown> = {};
  if (vscode) {
    // Loaded only here: they need code-server (test/vscode/setup.mjs installs it on first use).
    console.log('\n## In VS Code (code-server + chromium)');
    const { benchActivation } = await import('./activation.mjs');
    inVsCode.activation = await benchActivation();
    const { runPanelBench } = await import('./panel.mjs');
    console.log('\n### The panel under load (→: median / p95 from the key event to the drawn frame)');
    inVsCode.panel = await runPanelBench({ build: false });
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rows, ...inVsCode }, null, 1));
}

void main();
