/**
 * The explained number: one element of one model output, named by indices (`--target b,t,u`; negatives count from
 * the end; as many indices as the output has axes). Its gradient's seed is 1 there and 0 elsewhere.
 */
import { allocate, shapeText, sizeOf, type Tensor } from '../engine/tensor';
import { ExplainError } from './layers';

export interface Target {
  /** Which model output (`--output k`). */
  output: number;
  /** The indices as given, resolved to ≥ 0. */
  index: number[];
  /** Row-major position in the output's data. */
  flat: number;
}

/** "1,-1,2" → [1, -1, 2]. */
export function parseTargetText(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (!parts.length || parts.some((p) => !/^-?\d+$/.test(p))) {
    throw new ExplainError(`--target takes whole numbers separated by commas (b,t,u: batch item, time step, unit; negatives count from the end); got "${text}"`);
  }
  return parts.map(Number);
}

export function resolveTarget(outputs: readonly Tensor[], index: readonly number[], output = 0): Target {
  const out = outputs[output];
  if (!out) throw new ExplainError(`the model has ${outputs.length} output(s); --output ${output} does not exist (counting from 0)`);
  const shape = out.shape;
  if (index.length !== shape.length) {
    throw new ExplainError(
      `output ${output} has shape ${shapeText(shape)}: --target takes ${shape.length} indices (${shape.length === 3 ? 'b,t,u' : shape.length === 2 ? 'b,u' : 'one per axis'}); got ${index.length}`,
    );
  }
  const resolved = index.map((i, k) => {
    const d = shape[k]!;
    const r = i < 0 ? d + i : i;
    if (r < 0 || r >= d) throw new ExplainError(`--target index ${i} is outside axis ${k} of output ${output} (size ${d}, shape ${shapeText(shape)})`);
    return r;
  });
  let flat = 0;
  resolved.forEach((r, k) => (flat = flat * shape[k]! + r));
  return { output, index: resolved, flat };
}

/** One seed per model output: 1 at the target, zeros elsewhere, null for the other outputs. */
export function targetSeeds(outputs: readonly Tensor[], t: Target): (Float64Array | null)[] {
  return outputs.map((o, k) => {
    if (k !== t.output) return null;
    const s = new Float64Array(sizeOf(o.shape));
    s[t.flat] = 1;
    return s;
  });
}

/**
 * Seeds for a batch of n points that all stand for the target's batch item: 1 at (k, rest of the target) for every
 * point k. Items are independent, so one backward gives each point's own gradient.
 */
export function pointSeeds(outputs: readonly Tensor[], t: Target): (Float64Array | null)[] {
  return outputs.map((o, k) => {
    if (k !== t.output) return null;
    // From the engine's allocator: integrated gradients recycles them between chunks.
    const s = allocate(sizeOf(o.shape), 'float64') as Float64Array;
    const n = o.shape[0]!;
    const per = s.length / n;
    const within = t.flat % (sizeOf(o.shape.slice(1)) || 1);
    for (let b = 0; b < n; b++) s[b * per + within] = 1;
    return s;
  });
}
