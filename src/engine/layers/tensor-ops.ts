/**
 * The keras.ops calls a Keras 3 functional model records as operation nodes (`module: keras.src.ops.numpy` /
 * `keras.src.ops.nn`) when a user applies `keras.ops.sum(h * w, axis=1)`, `ops.transpose`, `ops.squeeze`… to a
 * symbolic tensor: element-wise functions, arithmetic with numpy broadcasting (a tensor or a number on either side),
 * reductions over axes, and the shape operations. Axes count the batch axis, as keras.ops does. Keras computes no
 * mask for an operation node, so none leaves one.
 */
import { scalarActivation } from '../activations';
import { RunError } from '../errors';
import { shapeText, sizeOf, type Tensor } from '../tensor';
import { broadcast } from './broadcast';
import { alloc, resolveAxis, type Flow, type LayerContext } from './flow';
import { applyMerge } from './merge';

/** One-argument element-wise functions, by the keras.ops names. */
export type UnaryFn =
  | 'abs' | 'negative' | 'square' | 'sqrt' | 'exp' | 'log' | 'log1p' | 'expm1' | 'tanh' | 'sin' | 'cos' | 'sign' | 'floor' | 'ceil' | 'reciprocal'
  | 'sigmoid' | 'relu' | 'relu6' | 'softplus' | 'silu' | 'selu' | 'softsign' | 'gelu' | 'gelu_approximate';
export type BinaryFn = 'add' | 'subtract' | 'multiply' | 'divide' | 'maximum' | 'minimum' | 'power';
export type ReduceFn = 'sum' | 'mean' | 'max' | 'min' | 'prod';

export type TensorOpLayer = { kind: 'tensor_op'; name: string; className: string } & (
  | { op: 'unary'; fn: UnaryFn }
  /** `constant`: the number given instead of a second tensor (`h * 2.0`, `1 - x`); `constantFirst` for `1 - x`. */
  | { op: 'binary'; fn: BinaryFn; constant: number | null; constantFirst: boolean }
  /** `axes` null: over every axis (batch included), as numpy does. */
  | { op: 'reduce'; fn: ReduceFn; axes: number[] | null; keepDims: boolean }
  /** `axes` null: reversed. */
  | { op: 'transpose'; axes: number[] | null }
  /** `axes` null: every axis of size 1. */
  | { op: 'squeeze'; axes: number[] | null }
  /** The whole new shape, batch included; one -1 is inferred. */
  | { op: 'reshape'; shape: number[] }
  | { op: 'concatenate' | 'stack'; axis: number }
  /** `x[:, -1, :]`: one entry per sample axis from axis 1 (the batch is taken whole); later axes are kept whole. */
  | { op: 'get_item'; key: ItemKey[] }
  /**
   * TimeDistributed around a model, as Keras runs it: `fold_time` makes [b, t, …] into [b·t, …] for the wrapped
   * model; `unfold_time` makes its output [b·t, …] into [b, t, …], b and t read from its second input (the
   * TimeDistributed input).
   */
  | { op: 'fold_time' | 'unfold_time' }
);

/** An index (the axis goes) or a Python slice (null: the default). */
export type ItemKey = { index: number } | { start: number | null; stop: number | null; step: number | null };

const GELU_C = Math.sqrt(2 / Math.PI);
const UNARY: Record<UnaryFn, (x: number) => number> = {
  abs: Math.abs,
  negative: (x) => -x,
  square: (x) => x * x,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  tanh: Math.tanh,
  sin: Math.sin,
  cos: Math.cos,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  floor: Math.floor,
  ceil: Math.ceil,
  reciprocal: (x) => 1 / x,
  sigmoid: scalarActivation('sigmoid', 'keras3')!,
  relu: scalarActivation('relu', 'keras3')!,
  relu6: scalarActivation('relu6', 'keras3')!,
  softplus: scalarActivation('softplus', 'keras3')!,
  silu: scalarActivation('silu', 'keras3')!,
  selu: scalarActivation('selu', 'keras3')!,
  softsign: scalarActivation('softsign', 'keras3')!,
  gelu: scalarActivation('gelu', 'keras3')!,
  // keras.ops.gelu's default (approximate=True), jax.nn.gelu's tanh form.
  gelu_approximate: (x) => 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x))),
};

const BINARY: Record<BinaryFn, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  maximum: (a, b) => Math.max(a, b),
  minimum: (a, b) => Math.min(a, b),
  power: (a, b) => a ** b,
};

export function applyTensorOp(layer: TensorOpLayer, inputs: Flow[], ctx: LayerContext): Flow {
  const x = inputs[0]!.value;
  const value = ((): Tensor => {
    switch (layer.op) {
      case 'unary': {
        const f = UNARY[layer.fn];
        const out = alloc(x.data.length, ctx);
        for (let k = 0; k < out.length; k++) out[k] = f(x.data[k]!);
        return { shape: [...x.shape], data: out };
      }
      case 'binary': {
        const f = BINARY[layer.fn];
        const c = layer.constant;
        if (c === null) {
          if (inputs.length !== 2) throw new RunError(`node "${layer.name}" (${layer.className}) needs 2 tensors; got ${inputs.length}`);
          return broadcast(x, inputs[1]!.value, f, layer.name, ctx);
        }
        const out = alloc(x.data.length, ctx);
        for (let k = 0; k < out.length; k++) out[k] = layer.constantFirst ? f(c, x.data[k]!) : f(x.data[k]!, c);
        return { shape: [...x.shape], data: out };
      }
      case 'reduce':
        return reduce(layer, x, ctx);
      case 'get_item':
        return getItem(layer, x, ctx);
      case 'transpose':
        return transpose(layer, x, ctx);
      case 'squeeze': {
        const axes = layer.axes?.map((a) => resolveAxis(a, x.shape.length, layer.name)) ?? x.shape.flatMap((d, i) => (d === 1 && i > 0 ? [i] : []));
        for (const a of axes) if (x.shape[a] !== 1) throw new RunError(`node "${layer.name}" (Squeeze) cannot drop axis ${a} of shape ${shapeText(x.shape)}: its size is not 1`);
        return { shape: x.shape.filter((_, i) => !axes.includes(i)), data: x.data };
      }
      case 'fold_time': {
        const [b, t, ...rest] = x.shape;
        if (b === undefined || t === undefined) throw new RunError(`node "${layer.name}" (TimeDistributed) needs a time axis; got ${shapeText(x.shape)}`);
        return { shape: [b * t, ...rest], data: x.data };
      }
      case 'unfold_time': {
        const [b, t] = inputs[1]!.value.shape as [number, number];
        if (x.shape[0] !== b * t) throw new RunError(`node "${layer.name}" (TimeDistributed) cannot unfold ${shapeText(x.shape)} into ${b} × ${t} steps`);
        return { shape: [b, t, ...x.shape.slice(1)], data: x.data };
      }
      case 'reshape': {
        const known = layer.shape.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
        const shape = layer.shape.map((d) => (d === -1 ? x.data.length / known : d));
        if (sizeOf(shape) !== x.data.length || !shape.every(Number.isInteger)) throw new RunError(`node "${layer.name}" (Reshape) cannot make ${shapeText(x.shape)} into ${shapeText(layer.shape)}`);
        return { shape, data: x.data };
      }
      case 'concatenate':
      case 'stack': {
        // No masks: keras.ops joins values only. Stack = a new axis of size 1 on each, then concatenation along it.
        const parts = inputs.map((f) => {
          const v = f.value;
          if (layer.op === 'concatenate') return { value: v, mask: null };
          const shape = [...v.shape];
          shape.splice(layer.axis < 0 ? shape.length + 1 + layer.axis : layer.axis, 0, 1);
          return { value: { shape, data: v.data }, mask: null };
        });
        if (parts.length === 1) return parts[0]!.value;
        return applyMerge({ kind: 'merge', name: layer.name, op: 'concatenate', axis: layer.axis }, parts, ctx).value;
      }
    }
  })();
  return { value, mask: null };
}

function reduce(layer: Extract<TensorOpLayer, { op: 'reduce' }>, x: Tensor, ctx: LayerContext): Tensor {
  const rank = x.shape.length;
  const axes = new Set(layer.axes === null ? x.shape.map((_, i) => i) : layer.axes.map((a) => resolveAxis(a, rank, layer.name)));
  const outShape = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const n = x.shape.reduce((p, d, i) => (axes.has(i) ? p * d : p), 1);
  const size = sizeOf(outShape);
  const out = alloc(size, ctx);
  const start = layer.fn === 'max' ? -Infinity : layer.fn === 'min' ? Infinity : layer.fn === 'prod' ? 1 : 0;
  out.fill(start);
  // Each input element's output position: its index with the reduced axes pinned at 0.
  const strides = outShape.map((_, i) => outShape.slice(i + 1).reduce((p, d) => p * d, 1));
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < x.data.length; k++) {
    let o = 0;
    for (let i = 0; i < rank; i++) if (!axes.has(i)) o += idx[i]! * strides[i]!;
    const v = x.data[k]!;
    const acc = out[o]!;
    out[o] = layer.fn === 'max' ? Math.max(acc, v) : layer.fn === 'min' ? Math.min(acc, v) : layer.fn === 'prod' ? acc * v : acc + v;
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i]! < x.shape[i]!) break;
      idx[i] = 0;
    }
  }
  if (layer.fn === 'mean') for (let k = 0; k < size; k++) out[k] = out[k]! / n;
  return { shape: layer.keepDims ? outShape : x.shape.filter((_, i) => !axes.has(i)), data: out };
}

function transpose(layer: Extract<TensorOpLayer, { op: 'transpose' }>, x: Tensor, ctx: LayerContext): Tensor {
  const rank = x.shape.length;
  const axes = layer.axes?.map((a) => resolveAxis(a, rank, layer.name)) ?? x.shape.map((_, i) => rank - 1 - i);
  if (axes.length !== rank || new Set(axes).size !== rank) throw new RunError(`node "${layer.name}" (Transpose) has axes ${JSON.stringify(layer.axes)} for a tensor of shape ${shapeText(x.shape)}`);
  const shape = axes.map((a) => x.shape[a]!);
  const inStrides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const out = alloc(x.data.length, ctx);
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < out.length; k++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += idx[i]! * inStrides[axes[i]!]!;
    out[k] = x.data[src]!;
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return { shape, data: out };
}

/** Python's slice.indices: the positions a slice picks from an axis of `n`. */
export function slicePositions(n: number, s: { start: number | null; stop: number | null; step: number | null }): number[] {
  const step = s.step ?? 1;
  const clamp = (v: number | null, lo: number, hi: number, fallback: number) => (v === null ? fallback : v < 0 ? Math.max(v + n, lo) : Math.min(v, hi));
  const start = step > 0 ? clamp(s.start, 0, n, 0) : clamp(s.start, -1, n - 1, n - 1);
  const stop = step > 0 ? clamp(s.stop, 0, n, n) : clamp(s.stop, -1, n - 1, -1);
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

function getItem(layer: Extract<TensorOpLayer, { op: 'get_item' }>, x: Tensor, ctx: LayerContext): Tensor {
  const rank = x.shape.length;
  if (layer.key.length > rank - 1) throw new RunError(`node "${layer.name}" (GetItem) indexes ${layer.key.length} axes after the batch of a tensor of shape ${shapeText(x.shape)}`);
  // Per axis: the positions kept; whether the axis stays in the output.
  const picks = x.shape.map((n, a) => {
    const k = a === 0 ? undefined : layer.key[a - 1];
    if (!k) return { pos: Array.from({ length: n }, (_, i) => i), keep: true };
    if ('index' in k) {
      const i = k.index < 0 ? k.index + n : k.index;
      if (i < 0 || i >= n) throw new RunError(`node "${layer.name}" (GetItem): index ${k.index} is out of range for axis ${a} of shape ${shapeText(x.shape)}`);
      return { pos: [i], keep: false };
    }
    return { pos: slicePositions(n, k), keep: true };
  });
  const strides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const out = alloc(picks.reduce((p, q) => p * q.pos.length, 1), ctx);
  let k = 0;
  const walk = (axis: number, offset: number): void => {
    if (axis === rank) {
      out[k++] = x.data[offset]!;
      return;
    }
    for (const p of picks[axis]!.pos) walk(axis + 1, offset + p * strides[axis]!);
  };
  walk(0, 0);
  return { shape: picks.flatMap((q) => (q.keep ? [q.pos.length] : [])), data: out };
}
