/**
 * The activation layers with parameters (Keras 3 formulas; masks pass through):
 *   ReLU:      x ≥ max_value → max_value;  x ≥ threshold → x;  else negative_slope · (x − threshold)
 *   LeakyReLU: x ≥ 0 → x, else negative_slope · x          ELU: x > 0 → x, else alpha · (eˣ − 1)
 *   PReLU:     x ≥ 0 → x, else alpha[position] · x (alpha learned, shared along `shared_axes`)
 *   Softmax:   over `axis` (the last by default).
 */
import type { Tensor } from '../tensor';
import { alloc, resolveAxis, type Flow, type LayerContext } from './flow';

export type ActivationFnLayer =
  | { kind: 'relu'; name: string; maxValue: number | null; negativeSlope: number; threshold: number }
  | { kind: 'leaky_relu'; name: string; negativeSlope: number }
  | { kind: 'elu'; name: string; alpha: number }
  /** alpha has the sample shape with 1 on the shared axes. */
  | { kind: 'prelu'; name: string; alpha: Tensor }
  | { kind: 'softmax'; name: string; axis: number };

export function applyActivationFn(layer: ActivationFnLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  const out = alloc(v.data.length, ctx);
  switch (layer.kind) {
    case 'relu': {
      const { maxValue, negativeSlope: a, threshold: th } = layer;
      for (let k = 0; k < out.length; k++) {
        const y = v.data[k]!;
        out[k] = maxValue !== null && y >= maxValue ? maxValue : y >= th ? y : a * (y - th);
      }
      break;
    }
    case 'leaky_relu':
      for (let k = 0; k < out.length; k++) out[k] = v.data[k]! >= 0 ? v.data[k]! : layer.negativeSlope * v.data[k]!;
      break;
    case 'elu':
      for (let k = 0; k < out.length; k++) out[k] = v.data[k]! > 0 ? v.data[k]! : layer.alpha * Math.expm1(v.data[k]!);
      break;
    case 'prelu': {
      const sample = v.shape.slice(1);
      const aShape = layer.alpha.shape;
      const idx = new Array<number>(sample.length).fill(0);
      const per = sample.reduce((p, d) => p * d, 1);
      for (let k = 0; k < out.length; k++) {
        const s = k % per;
        // Position in alpha: the sample index with shared axes (size 1) pinned at 0.
        let rem = s;
        for (let a = sample.length - 1; a >= 0; a--) {
          idx[a] = rem % sample[a]!;
          rem = Math.floor(rem / sample[a]!);
        }
        let ai = 0;
        for (let a = 0; a < sample.length; a++) ai = ai * aShape[a]! + (aShape[a] === 1 ? 0 : idx[a]!);
        const y = v.data[k]!;
        out[k] = y >= 0 ? y : layer.alpha.data[ai]! * y;
      }
      break;
    }
    case 'softmax':
      softmaxAlong(v, resolveAxis(layer.axis, v.shape.length, layer.name), out);
      break;
  }
  return { value: { shape: [...v.shape], data: out }, mask: x.mask };
}

function softmaxAlong(v: Tensor, axis: number, out: Float32Array | Float64Array): void {
  const n = v.shape[axis]!;
  const inner = v.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const outer = v.data.length / (n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => (o * n + j) * inner + i;
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, v.data[at(j)]!);
      let sum = 0;
      for (let j = 0; j < n; j++) {
        out[at(j)] = Math.exp(v.data[at(j)]! - max);
        sum += out[at(j)]!;
      }
      for (let j = 0; j < n; j++) out[at(j)] = out[at(j)]! / sum;
    }
  }
}
