/**
 * Explain on W1 (batch 1, 1000 steps, 32 features, LSTM 256): the gradient of one target against the forward run
 * it needs (target ≤ 3×), and 64-step integrated gradients (target ≤ 2 s), in float64 and float32: on one thread
 * (the work: its CPU time), on two (explainPredictionThreaded with the engine worker bundle as the second thread, as
 * the CLI and the panel run it: the wall clock the target is about), and through the CLI (`cellscope explain`,
 * process start to JSON written). Rows join `npm run bench`'s table; ratios and targets are in the notes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runModel } from '../src/engine';
import { explainPrediction, explainPredictionThreaded } from '../src/explain';
import { igThreadHelper } from '../src/explain/threads';
import { writeW1Files } from './cli-e2e';
import type { Timing } from './timing';
import { WORKLOADS, buildWorkload, flopsOf, type Workload } from './workloads';

const REPO = resolve(__dirname, '..');

type Time = (fn: () => unknown, budgetMs?: number, childProcess?: boolean) => Promise<Timing>;
type Add = (w: Workload, engine: string, precision: string, trace: string, t: Timing, note?: string) => void;

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** One timed run, wall clock and this process's CPU (every thread's). */
async function once(fn: () => unknown): Promise<Timing> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { median: ms, cpu: (c.user + c.system) / 1000, min: ms, max: ms, runs: 1 };
}

export async function explainRows(time: Time, add: Add): Promise<void> {
  const w = WORKLOADS[0]!;
  const d = buildWorkload(w);
  const target = [0, w.steps - 1, 0];
  const row = { ...w, id: 'W1 explain' };
  // `npm run bench` builds dist/ first; without the bundle the two-thread rows would be one thread (said in the note).
  const helper = igThreadHelper(join(REPO, 'dist/host.js'));
  // The floor: 64 forwards and 64 backwards, each as many multiply-adds as one forward's two products (the backward
  // needs dh·Uᵀ and dz·Kᵀ, the transposes), at the products' own rate (gemm_packed_f32 alone, 2+ rows: ~45 GFLOP/s here).
  const gflop = (2 * 64 * flopsOf(w)) / 1e9;
  for (const precision of ['float64', 'float32'] as const) {
    const forward = await time(() => runModel(d.model, d.input, { precision }));
    const gradient = await time(() => explainPrediction(d.model, d.input, { method: 'gradient', target, precision }));
    // CPU time when there is one: on a shared machine the wall clock of the two can differ by more than the ratio.
    const cpu = gradient.cpu !== null && forward.cpu !== null;
    const ratio = cpu ? gradient.cpu! / forward.cpu! : gradient.median / forward.median;
    const base = cpu ? forward.cpu! : forward.median;
    add(row, 'gradient', precision, 'on', gradient, `${ratio.toFixed(2)}× the forward (${base.toFixed(0)} ms${cpu ? ' of CPU' : ''}); target ≤ 3×: ${ratio <= 3 ? 'met' : 'missed'}`);
    const options = { method: 'integrated-gradients' as const, target, precision, steps: 64 };
    // One thread, one timed run (after the gradient's warm-up of the same code): it takes seconds.
    const one = await once(() => explainPrediction(d.model, d.input, options));
    add(row, 'IG 64', precision, 'on', one, `64-step integrated gradients on one thread: ${secs(one.cpu!)} of CPU, ${gflop.toFixed(0)} GFLOP of products: ${(gflop / (one.cpu! / 1000)).toFixed(1)} GFLOP/s`);
    // Two threads (CPU: both threads'): float32, the target's precision, the median of 3 after a warm-up; float64 once.
    const threaded = () => explainPredictionThreaded(d.model, d.input, options, helper);
    const two = precision === 'float32' ? await time(threaded, 1) : await once(threaded);
    add(row, 'IG 64 ×2', precision, 'on', two, `${helper ? 'two threads' : 'ONE thread (no dist/host.js: run npm run build)'}: ${secs(two.median)} wall, ${secs(two.cpu!)} CPU of both; target ≤ 2 s: ${two.median <= 2000 ? 'met' : 'missed'}`);
  }
  // The CLI as the held-out checks run it (float32: the W1 target's precision), process start to JSON written.
  const dir = mkdtempSync(join(tmpdir(), 'cellscope-bench-explain-'));
  try {
    const { modelFile, inputFile } = writeW1Files(dir);
    const args = [join(REPO, 'bin/cellscope.js'), 'explain', modelFile, '--input', inputFile, '--target', '0,-1,0', '--method', 'integrated-gradients', '--steps', '64', '--baseline', 'zeros', '--precision', 'float32', '--out', join(dir, 'ig.json'), '--force'];
    const cli = await time(() => execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] }), 1, true);
    add({ ...w, id: 'W1 CLI explain' }, 'IG 64 ×2', 'float32', 'on', cli, `cellscope explain --method integrated-gradients --steps 64 --baseline zeros (process start, load, two threads, write JSON); target ≤ 2 s: ${cli.median <= 2000 ? 'met' : 'missed'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
