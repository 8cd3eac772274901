/**
 * Explain on W1 (batch 1, 1000 steps, 32 features, LSTM 256): the gradient of one target against the forward run
 * it needs (target ≤ 3×), and 64-step integrated gradients (target ≤ 2 s), in float64 and float32. Rows join
 * `npm run bench`'s table; the ratio and the target are in the note.
 */
import { performance } from 'node:perf_hooks';
import { runModel } from '../src/engine';
import { explainPrediction } from '../src/explain';
import type { Timing } from './timing';
import { WORKLOADS, buildWorkload, flopsOf, type Workload } from './workloads';


type Time = (fn: () => unknown, budgetMs?: number) => Promise<Timing>;
type Add = (w: Workload, engine: string, precision: string, trace: string, t: Timing, note?: string) => void;

export async function explainRows(time: Time, add: Add): Promise<void> {
  const w = WORKLOADS[0]!;
  const d = buildWorkload(w);
  const target = [0, w.steps - 1, 0];
  for (const precision of ['float64', 'float32'] as const) {
    const forward = await time(() => runModel(d.model, d.input, { precision }));
    const gradient = await time(() => explainPrediction(d.model, d.input, { method: 'gradient', target, precision }));
    // CPU time when there is one: on a shared machine the wall clock of the two can differ by more than the ratio.
    const cpu = gradient.cpu !== null && forward.cpu !== null;
    const ratio = cpu ? gradient.cpu! / forward.cpu! : gradient.median / forward.median;
    const base = cpu ? forward.cpu! : forward.median;
    add({ ...w, id: 'W1 explain' }, 'gradient', precision, 'on', gradient, `${ratio.toFixed(2)}× the forward (${base.toFixed(0)} ms${cpu ? ' of CPU' : ''}); target ≤ 3×: ${ratio <= 3 ? 'met' : 'missed'}`);
    // One timed run (after the gradient's warm-up of the same code): each takes seconds.
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    explainPrediction(d.model, d.input, { method: 'integrated-gradients', target, precision, steps: 64 });
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const ig: Timing = { median: ms, cpu: (c.user + c.system) / 1000, min: ms, max: ms, runs: 1 };
    // The floor: 64 forwards and 64 backwards, each as many multiply-adds as one forward's two products (the backward
    // needs dh·Uᵀ and dz·Kᵀ, the transposes), at the products' own rate (gemm_packed_f32 alone: ~25–33 GFLOP/s here).
    const floor = (2 * 64 * flopsOf(w)) / 1e9;
    add({ ...w, id: 'W1 explain' }, 'IG 64', precision, 'on', ig, `64-step integrated gradients, ${(ig.cpu! / 1000).toFixed(1)} s of CPU (${floor.toFixed(0)} GFLOP of products: ${(floor / ((ig.cpu ?? ig.median) / 1000)).toFixed(1)} GFLOP/s); target ≤ 2 s: ${ig.median <= 2000 ? 'met' : (ig.cpu ?? Infinity) <= 2000 ? 'met in CPU' : 'missed'}`);
  }
}
