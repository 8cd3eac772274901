/**
 * Integrated gradients (Sundararajan et al. 2017) by the midpoint rule: for the target's batch item x and baseline
 * x₀, attribution = (x − x₀) ⊙ (1/m) Σ_k ∂y/∂x at x₀ + α_k (x − x₀), α_k = (k + ½)/m. The points run as batches (chunks
 * that keep the trace small): one forward and one backward per chunk; the sum is taken in groups of points (igGroups),
 * which explain/threads.ts gives out to two threads. Completeness: Σ attribution should
 * be f(x) − f(x₀); the error reports how far the m-point sum is from it.
 */
import { reusingArrays, shapeText, sizeOf, type Tensor } from '../../engine/tensor';
import { backward, runArrays } from '../backward';
import { ExplainError } from '../layers';
import { pointSeeds } from '../target';
import type { Baseline, MethodInput, MethodResult } from './types';

/** The baseline of one batch item, in the space's item shape. */
export function baselineOf(baseline: Baseline, value: Tensor, item: number): Float64Array {
  const per = sizeOf(value.shape.slice(1));
  if (baseline === 'zeros') return new Float64Array(per);
  if (baseline === 'mean') {
    const n = value.shape[0]!;
    const out = new Float64Array(per);
    for (let b = 0; b < n; b++) for (let k = 0; k < per; k++) out[k] += value.data[b * per + k]! / n;
    return out;
  }
  const itemShape = value.shape.slice(1);
  if (sizeOf(baseline.shape) === per) return Float64Array.from(baseline.data);
  if (baseline.shape.length === value.shape.length && sizeOf(baseline.shape) === sizeOf(value.shape)) return Float64Array.from(baseline.data.subarray(item * per, (item + 1) * per));
  throw new ExplainError(`the baseline has shape ${shapeText(baseline.shape)}; expected one item ${shapeText(itemShape)} or the whole batch ${shapeText(value.shape)}`, 'for a token model the baseline is in embedding space: [time, dim]');
}

/** y at the target for each of n points of item b (the target's output, every point's row). */
function targetValues(outputs: readonly Tensor[], m: MethodInput, n: number): Float64Array {
  const o = outputs[m.target.output]!;
  const per = sizeOf(o.shape.slice(1)) || 1;
  const within = m.target.flat % per;
  return Float64Array.from({ length: n }, (_, k) => o.data[k * per + within]!);
}

/** Bytes the groups' sums may take together (beyond two groups, which are always allowed). */
const GROUP_SUMS_BYTES = 32 * 1024 * 1024;

/**
 * The m points in groups of consecutive points (sizes equal ±1): each group's gradients are summed in point order,
 * then the groups' sums are added in group order. Always so, whichever thread did which group (explain/threads.ts
 * gives them out to two threads as they come free): the numbers are the same bit for bit on one thread or two. A
 * group is one chunk (W1 in float32: 32 groups of 2 points), so a thread that started late or runs slowly on a
 * shared machine simply does fewer; at most GROUP_SUMS_BYTES of sums (an item of 4 M values: 2 groups). Where m has
 * a divisor between half the chunk and the chunk, every group has that size: a thread's array pool then serves every
 * group after its first (groups of 2 and 3 points made each thread fault in two sets of fresh trace pages).
 */
export function igGroups(m: MethodInput): IgPart[] {
  const steps = m.steps;
  const per = sizeOf(m.space.value.shape.slice(1));
  const chunk = Math.min(m.space.chunk, steps);
  let size = chunk;
  while (steps % size !== 0) size--;
  const wanted = 2 * size >= chunk ? steps / size : Math.ceil(steps / chunk);
  const g = Math.max(1, Math.min(wanted, Math.max(2, Math.floor(GROUP_SUMS_BYTES / (8 * per)))));
  const count = Math.min(g, steps);
  return Array.from({ length: count }, (_, k) => ({ from: Math.floor((steps * k) / count), to: Math.floor((steps * (k + 1)) / count) }));
}

/** Points [from, to) of the m interpolation points. */
export interface IgPart {
  from: number;
  to: number;
}

/** Checks the steps and gives the target item's point x and its baseline x₀. */
export function igEnds(m: MethodInput): { b: number; x: Float64Array; x0: Float64Array } {
  const steps = m.steps;
  if (!Number.isInteger(steps) || steps < 1) throw new ExplainError(`--steps takes a whole number ≥ 1; got ${steps}`);
  const b = m.target.index[0]!;
  const per = sizeOf(m.space.value.shape.slice(1));
  return { b, x: m.space.value.data.subarray(b * per, (b + 1) * per), x0: baselineOf(m.baseline, m.space.value, b) };
}

/**
 * Σ over points k in [from, to) of ∂y/∂x at x₀ + α_k (x − x₀): batches of points (chunks), one forward and one
 * backward each. `onChunk(n)` after each chunk of n points; `stop()`, asked before each chunk, ends the part early
 * (its sum is then incomplete: the caller throws it away).
 */
export function igPartSum(m: MethodInput, part: IgPart, onChunk: (n: number) => void = () => {}, stop: () => boolean = () => false): Float64Array {
  const { space, target } = m;
  const steps = m.steps;
  const { b, x, x0 } = igEnds(m);
  const itemShape = space.value.shape.slice(1);
  const per = sizeOf(itemShape);
  const sum = new Float64Array(per);
  const count = part.to - part.from;
  // Each chunk's trace, outputs and seeds go back to the allocator for the next chunk (same shapes).
  reusingArrays((recycle) => {
    // Chunks of equal sizes (±1), so that all but the first of each size find their arrays in the pool.
    const chunks = Math.ceil(count / space.chunk);
    for (let c = 0, k0 = 0; c < chunks && !stop(); c++) {
      const n = Math.floor((count * (c + 1)) / chunks) - k0;
      const points = new Float64Array(n * per);
      for (let k = 0; k < n; k++) {
        const a = (part.from + k0 + k + 0.5) / steps;
        for (let j = 0; j < per; j++) points[k * per + j] = x0[j]! + a * (x[j]! - x0[j]!);
      }
      const fr = space.evaluate({ shape: [n, ...itemShape], data: points }, b);
      const seeds = pointSeeds(fr.run.outputs, target);
      const g = backward(fr, seeds).grad.data;
      for (let k = 0; k < n; k++) for (let j = 0; j < per; j++) sum[j] += g[k * per + j]!;
      recycle(runArrays(fr));
      recycle(seeds);
      k0 += n;
      onChunk(n);
    }
  });
  return sum;
}

/** The attribution (x − x₀) ⊙ (the groups' sums added in order) / m, and the completeness error. */
export function igFinish(m: MethodInput, sums: readonly Float64Array[]): MethodResult {
  const { space } = m;
  const steps = m.steps;
  const { b, x, x0 } = igEnds(m);
  const itemShape = space.value.shape.slice(1);
  const per = sizeOf(itemShape);
  const data = new Float64Array(space.value.data.length);
  let total = 0;
  for (let j = 0; j < per; j++) {
    let sum = 0;
    for (const s of sums) sum += s[j]!;
    const v = ((x[j]! - x0[j]!) * sum) / steps;
    data[b * per + j] = v;
    total += v;
  }
  const ends = space.evaluate({ shape: [2, ...itemShape], data: concat(x, x0) }, b, true);
  const [fx, f0] = targetValues(ends.run.outputs, m, 2) as unknown as [number, number];
  return { data, completenessError: Math.abs(total - (fx - f0)) };
}

/** Every group on this thread, progress after every chunk. */
export function integratedGradients(m: MethodInput): MethodResult {
  igEnds(m);
  let done = 0;
  const progress = (n: number) => m.onProgress?.((done += n), m.steps);
  // One pool for every group (a group is one chunk: igPartSum's own pool would give each chunk fresh memory).
  return igFinish(m, reusingArrays(() => igGroups(m).map((g) => igPartSum(m, g, progress))));
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export { targetValues };
