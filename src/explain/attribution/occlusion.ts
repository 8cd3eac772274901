/**
 * Occlusion per time step: for every window of `window` consecutive steps of the target's item, the drop
 * f(x) − f(x with those steps set to `fill`) (for a token model: every component of those steps' vectors). A step's
 * attribution is the mean drop of the windows that cover it. All windows run as one batch (in chunks).
 */
import { reusingArrays, sizeOf } from '../../engine/tensor';
import { runArrays } from '../backward';
import { ExplainError } from '../layers';
import { targetValues } from './integrated-gradients';
import type { MethodInput, MethodResult } from './types';

export function occlusion(m: MethodInput): MethodResult {
  const { space, target } = m;
  const b = target.index[0]!;
  const [batch, steps] = space.value.shape as [number, number];
  const itemShape = space.value.shape.slice(1);
  const per = sizeOf(itemShape);
  const perStep = per / steps;
  const w = m.window;
  if (!Number.isInteger(w) || w < 1 || w > steps) throw new ExplainError(`--window takes a whole number of steps in 1..${steps}; got ${w}`);
  const x = space.value.data.subarray(b * per, (b + 1) * per);
  const windows = steps - w + 1;
  const drops = new Float64Array(windows);
  const base = space.evaluate({ shape: [1, ...itemShape], data: Float64Array.from(x) }, b);
  const fx = targetValues(base.run.outputs, m, 1)[0]!;
  // Each chunk's trace and outputs go back to the allocator for the next (as integrated gradients' chunks).
  reusingArrays((recycle) => {
    for (let s0 = 0; s0 < windows; s0 += space.chunk) {
      const n = Math.min(space.chunk, windows - s0);
      const points = new Float64Array(n * per);
      for (let k = 0; k < n; k++) {
        points.set(x, k * per);
        points.fill(m.fill, k * per + (s0 + k) * perStep, k * per + (s0 + k + w) * perStep);
      }
      const fr = space.evaluate({ shape: [n, ...itemShape], data: points }, b);
      const ys = targetValues(fr.run.outputs, m, n);
      for (let k = 0; k < n; k++) drops[s0 + k] = fx - ys[k]!;
      recycle(runArrays(fr));
      m.onProgress?.(s0 + n, windows);
    }
  });
  const data = new Float64Array(batch * steps);
  for (let t = 0; t < steps; t++) {
    let sum = 0;
    let count = 0;
    for (let s = Math.max(0, t - w + 1); s <= Math.min(t, windows - 1); s++) {
      sum += drops[s]!;
      count++;
    }
    data[b * steps + t] = sum / count;
  }
  return { data, perStep: true };
}
