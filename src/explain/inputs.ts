/**
 * A model with several inputs is explained in one space: each batch item's point is its inputs (or, for a token
 * input, the vectors its Embedding looked up) flattened and laid end to end, [batch, Σ per-item sizes]. Every method
 * that works on one flat point per item (gradient, gradient × input, integrated gradients, which interpolates all
 * inputs together) then runs unchanged; `unpack` gives each input its own part back.
 */
import { sizeOf, type Tensor } from '../engine/tensor';

/** One model input's share of the packed space. */
export interface InputPart {
  /** The model input's name (Keras's Input name). */
  name: string;
  /** `input`: the input itself; `embedding`: the vectors its Embedding looked up ([batch, time, dim]). */
  space: 'input' | 'embedding';
  /** The part's full-batch shape. */
  shape: number[];
}

/** The parts side by side per batch item: [batch, Σ per-item sizes]. */
export function pack(values: readonly Tensor[]): { shape: number[]; data: Float64Array } {
  const batch = values[0]!.shape[0]!;
  const pers = values.map((v) => sizeOf(v.shape.slice(1)));
  const total = pers.reduce((a, b) => a + b, 0);
  const data = new Float64Array(batch * total);
  for (let b = 0; b < batch; b++) {
    let off = b * total;
    values.forEach((v, i) => {
      const per = pers[i]!;
      for (let j = 0; j < per; j++) data[off + j] = v.data[b * per + j]!;
      off += per;
    });
  }
  return { shape: [batch, total], data };
}

/** The inverse of `pack` for n items (n may differ from the parts' batch: interpolation points). */
export function unpack(packed: Tensor, parts: readonly InputPart[]): { shape: number[]; data: Float64Array }[] {
  const n = packed.shape[0]!;
  const pers = parts.map((p) => sizeOf(p.shape.slice(1)));
  const total = pers.reduce((a, b) => a + b, 0);
  const out = parts.map((p, i) => ({ shape: [n, ...p.shape.slice(1)], data: new Float64Array(n * pers[i]!) }));
  for (let b = 0; b < n; b++) {
    let off = b * total;
    out.forEach((o, i) => {
      const per = pers[i]!;
      for (let j = 0; j < per; j++) o.data[b * per + j] = packed.data[off + j]!;
      off += per;
    });
  }
  return out;
}
