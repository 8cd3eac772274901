/**
 * Layers that only move values: RepeatVector (x[b, f] → [b, n, f]), Reshape (row-major, one -1 inferred), Permute
 * (axes 1-based, batch fixed), ZeroPadding1D and Cropping1D (time axis), UpSampling1D (each step repeated `size` times).
 * None of them carries a mask on in Keras.
 */
import { RunError } from '../errors';
import { shapeText, sizeOf } from '../tensor';
import { alloc, requireRank, type Flow, type LayerContext } from './flow';

export type ShapeLayer =
  | { kind: 'repeat_vector'; name: string; n: number }
  | { kind: 'reshape'; name: string; targetShape: number[] }
  | { kind: 'permute'; name: string; dims: number[] }
  | { kind: 'zero_padding1d'; name: string; left: number; right: number }
  | { kind: 'cropping1d'; name: string; left: number; right: number }
  | { kind: 'up_sampling1d'; name: string; size: number };

export function applyShapeLayer(layer: ShapeLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  switch (layer.kind) {
    case 'repeat_vector': {
      requireRank(v, 2, layer.name, 'a 2-D input [batch, features] (RepeatVector)');
      const [b, f] = v.shape as [number, number];
      const out = alloc(b * layer.n * f, ctx);
      for (let i = 0; i < b; i++) for (let t = 0; t < layer.n; t++) out.set(v.data.subarray(i * f, (i + 1) * f), (i * layer.n + t) * f);
      return { value: { shape: [b, layer.n, f], data: out }, mask: null };
    }
    case 'reshape': {
      const sample = sizeOf(v.shape.slice(1));
      const known = layer.targetShape.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
      const shape = layer.targetShape.map((d) => (d === -1 ? sample / known : d));
      if (sizeOf(shape) !== sample || !shape.every(Number.isInteger)) {
        throw new RunError(`layer "${layer.name}" (Reshape) cannot make ${shapeText(v.shape.slice(1))} into ${shapeText(layer.targetShape)}`);
      }
      return { value: { shape: [v.shape[0]!, ...shape], data: v.data }, mask: null };
    }
    case 'up_sampling1d': {
      requireRank(v, 3, layer.name, 'a 3-D input [batch, time steps, features] (UpSampling1D)');
      const [b, t, f] = v.shape as [number, number, number];
      const out = alloc(b * t * layer.size * f, ctx);
      for (let s = 0; s < b * t; s++) {
        const row = v.data.subarray(s * f, (s + 1) * f);
        for (let r = 0; r < layer.size; r++) out.set(row, (s * layer.size + r) * f);
      }
      return { value: { shape: [b, t * layer.size, f], data: out }, mask: null };
    }
    case 'permute':
      return { value: permute(v.data, v.shape, [0, ...layer.dims], ctx), mask: null };
    case 'zero_padding1d':
    case 'cropping1d': {
      requireRank(v, 3, layer.name, 'a 3-D input [batch, time steps, features]');
      const [b, t, f] = v.shape as [number, number, number];
      const pad = layer.kind === 'zero_padding1d';
      const steps = pad ? t + layer.left + layer.right : t - layer.left - layer.right;
      if (steps < 1) throw new RunError(`layer "${layer.name}" (Cropping1D) crops ${layer.left + layer.right} of ${t} steps`);
      const out = alloc(b * steps * f, ctx);
      for (let i = 0; i < b; i++) {
        if (pad) out.set(v.data.subarray(i * t * f, (i + 1) * t * f), (i * steps + layer.left) * f);
        else out.set(v.data.subarray((i * t + layer.left) * f, (i * t + layer.left + steps) * f), i * steps * f);
      }
      return { value: { shape: [b, steps, f], data: out }, mask: null };
    }
  }
}

/** out[i_perm[0], i_perm[1], …] = x[i_0, i_1, …]: axis k of the output is axis order[k] of the input. */
function permute(data: Float32Array | Float64Array, shape: readonly number[], order: number[], ctx: LayerContext) {
  if (order.length !== shape.length) throw new RunError(`Permute needs ${shape.length - 1} axes; got ${order.length - 1}`);
  const outShape = order.map((a) => shape[a]!);
  const inStrides = shape.map((_, i) => sizeOf(shape.slice(i + 1)));
  const out = alloc(data.length, ctx);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let k = 0; k < out.length; k++) {
    let src = 0;
    for (let a = 0; a < order.length; a++) src += idx[a]! * inStrides[order[a]!]!;
    out[k] = data[src]!;
    for (let a = outShape.length - 1; a >= 0; a--) {
      if (++idx[a]! < outShape[a]!) break;
      idx[a] = 0;
    }
  }
  return { shape: outShape, data: out };
}
