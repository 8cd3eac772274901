/**
 * Integrated gradients (Sundararajan et al. 2017) by the midpoint rule: for the target's batch item x and baseline
 * x₀, attribution = (x − x₀) ⊙ (1/m) Σ_k ∂y/∂x at x₀ + α_k (x − x₀), α_k = (k + ½)/m. All m points run as one batch
 * (in chunks that keep the trace small): one forward and one backward per chunk. Completeness: Σ attribution should
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

export function integratedGradients(m: MethodInput): MethodResult {
  const { space, target } = m;
  const steps = m.steps;
  if (!Number.isInteger(steps) || steps < 1) throw new ExplainError(`--steps takes a whole number ≥ 1; got ${steps}`);
  const b = target.index[0]!;
  const itemShape = space.value.shape.slice(1);
  const per = sizeOf(itemShape);
  const x = space.value.data.subarray(b * per, (b + 1) * per);
  const x0 = baselineOf(m.baseline, space.value, b);
  const sum = new Float64Array(per);
  // Each chunk's trace, outputs and seeds go back to the allocator for the next chunk (same shapes).
  reusingArrays((recycle) => {
    // Chunks of equal sizes (±1), so that all but the first of each size find their arrays in the pool.
    const chunks = Math.ceil(steps / space.chunk);
    for (let c = 0, k0 = 0; c < chunks; c++) {
      const n = Math.floor((steps * (c + 1)) / chunks) - k0;
      const points = new Float64Array(n * per);
      for (let k = 0; k < n; k++) {
        const a = (k0 + k + 0.5) / steps;
        for (let j = 0; j < per; j++) points[k * per + j] = x0[j]! + a * (x[j]! - x0[j]!);
      }
      const fr = space.evaluate({ shape: [n, ...itemShape], data: points }, b);
      const seeds = pointSeeds(fr.run.outputs, target);
      const g = backward(fr, seeds).grad.data;
      for (let k = 0; k < n; k++) for (let j = 0; j < per; j++) sum[j] += g[k * per + j]!;
      recycle(runArrays(fr));
      recycle(seeds);
      k0 += n;
      m.onProgress?.(k0, steps);
    }
  });
  const data = new Float64Array(space.value.data.length);
  let total = 0;
  for (let j = 0; j < per; j++) {
    const v = ((x[j]! - x0[j]!) * sum[j]!) / steps;
    data[b * per + j] = v;
    total += v;
  }
  const ends = space.evaluate({ shape: [2, ...itemShape], data: concat(x, x0) }, b);
  const [fx, f0] = targetValues(ends.run.outputs, m, 2) as unknown as [number, number];
  return { data, completenessError: Math.abs(total - (fx - f0)) };
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export { targetValues };
