/**
 * Keras merge layers backwards (src/engine/layers/merge.ts), one gradient per input. Concatenate splits the
 * gradient back into each input's block along the axis; the element-wise ones are folded left to right as the
 * forward does (out = x0; out = op(out, xi)), so the backward walks the folds in reverse: add passes dy, subtract
 * negates it for the second, multiply scales by the other factor, average divides by n, maximum / minimum send it to
 * the larger / smaller operand (half to each on a tie, as JAX does).
 */
import type { MergeLayer } from '../../engine/layers/merge';
import type { Tensor } from '../../engine/tensor';
import { ExplainError } from './layer';

export function mergeBackward(layer: MergeLayer, inputs: readonly Tensor[], dy: Float64Array): Float64Array[] {
  if (layer.op === 'concatenate') return concatenateBackward(layer, inputs, dy);
  const n = dy.length;
  if (inputs.some((t) => t.data.length !== n)) throw new ExplainError(`layer "${layer.name}" (${layer.op}): explain differentiates merges of equal shapes only`);
  const grads = inputs.map(() => new Float64Array(n));
  // The running value before each fold: acc[i] = op(… op(x0, x1) …, x_{i}).
  const acc: Float64Array[] = [Float64Array.from(inputs[0]!.data)];
  for (let i = 1; i < inputs.length; i++) {
    const prev = acc[i - 1]!;
    const x = inputs[i]!.data;
    acc.push(prev.map((a, k) => fold(layer.op, a, x[k]!)));
  }
  const d = Float64Array.from(dy);
  if (layer.op === 'average') for (let k = 0; k < n; k++) d[k] = d[k]! / inputs.length;
  for (let i = inputs.length - 1; i >= 1; i--) {
    const a = acc[i - 1]!;
    const x = inputs[i]!.data;
    for (let k = 0; k < n; k++) {
      const [da, dx] = foldGrad(layer.op, a[k]!, x[k]!);
      grads[i]![k] = d[k]! * dx;
      d[k] = d[k]! * da;
    }
  }
  grads[0]!.set(d);
  return grads;
}

function fold(op: MergeLayer['op'], a: number, b: number): number {
  switch (op) {
    case 'add':
    case 'average':
      return a + b;
    case 'subtract':
      return a - b;
    case 'multiply':
      return a * b;
    case 'maximum':
      return Math.max(a, b);
    case 'minimum':
      return Math.min(a, b);
    default:
      return NaN;
  }
}

/** ∂op(a, b)/∂a and ∂op(a, b)/∂b. */
function foldGrad(op: MergeLayer['op'], a: number, b: number): [number, number] {
  switch (op) {
    case 'add':
    case 'average':
      return [1, 1];
    case 'subtract':
      return [1, -1];
    case 'multiply':
      return [b, a];
    case 'maximum':
      return a > b ? [1, 0] : a < b ? [0, 1] : [0.5, 0.5];
    case 'minimum':
      return a < b ? [1, 0] : a > b ? [0, 1] : [0.5, 0.5];
    default:
      return [NaN, NaN];
  }
}

function concatenateBackward(layer: MergeLayer, inputs: readonly Tensor[], dy: Float64Array): Float64Array[] {
  const rank = inputs[0]!.shape.length;
  const axis = layer.axis < 0 ? rank + layer.axis : layer.axis;
  const widths = inputs.map((t) => t.shape[axis]!);
  const total = widths.reduce((a, b) => a + b, 0);
  const inner = inputs[0]!.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = inputs[0]!.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const grads = inputs.map((t) => new Float64Array(t.data.length));
  for (let o = 0; o < outer; o++) {
    let off = o * total * inner;
    inputs.forEach((_, i) => {
      const len = widths[i]! * inner;
      grads[i]!.set(dy.subarray(off, off + len), o * len);
      off += len;
    });
  }
  return grads;
}
