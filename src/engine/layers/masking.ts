/**
 * Where masks come from. Masking: a step is kept when any feature differs from mask_value, and the output is
 * x · kept. The Keras 3 mask nodes a functional config carries: NotEqual(x, c) and Equal(x, c) (0/1 values), Any /
 * All over an axis, and what Concatenate's mask is made of (ExpandDims, ZerosLike / OnesLike, LogicalOr / LogicalAnd,
 * broadcasting sizes of 1); their outputs reach layers as `mask=`.
 */
import { RunError } from '../errors';
import { broadcast } from './broadcast';
import { alloc, resolveAxis, type Flow, type LayerContext } from './flow';

export interface MaskingLayer {
  kind: 'masking';
  name: string;
  maskValue: number;
}

export type MaskOp = 'not_equal' | 'equal' | 'any' | 'all' | 'cast' | 'logical_or' | 'logical_and' | 'expand_dims' | 'zeros_like' | 'ones_like';

/** A Keras 3 operation node (`keras.src.ops`), of the few kinds Keras writes to compute masks. */
export interface MaskOpLayer {
  kind: 'mask_op';
  name: string;
  op: MaskOp;
  /** NotEqual / Equal: the constant the tensor is compared with (when the second argument is not a tensor). */
  constant: number | null;
  /** Any / All: the reduced axis. */
  axis: number;
  keepDims: boolean;
}

export function applyMasking(layer: MaskingLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  const f = v.shape[v.shape.length - 1]!;
  const rows = v.data.length / f;
  const out = alloc(v.data.length, ctx);
  const mask = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let keep = 0;
    for (let j = 0; j < f; j++) if (v.data[r * f + j] !== layer.maskValue) keep = 1;
    mask[r] = keep;
    for (let j = 0; j < f; j++) out[r * f + j] = v.data[r * f + j]! * keep;
  }
  return { value: { shape: [...v.shape], data: out }, mask };
}

export function applyMaskOp(layer: MaskOpLayer, inputs: Flow[], ctx: LayerContext): Flow {
  const x = inputs[0]!.value;
  switch (layer.op) {
    case 'cast':
      return { value: x, mask: null };
    case 'not_equal':
    case 'equal':
    case 'logical_or':
    case 'logical_and': {
      const other = inputs[1]?.value ?? (layer.constant !== null ? { shape: [1], data: Float64Array.of(layer.constant) } : null);
      if (!other) throw new RunError(`node "${layer.name}" (${layer.op}) has one operand; it needs two`);
      const f = BINARY[layer.op];
      return { value: broadcast(x, other, (a, b) => (f(a, b) ? 1 : 0), layer.name, ctx), mask: null };
    }
    case 'expand_dims': {
      const shape = [...x.shape];
      const at = layer.axis < 0 ? shape.length + 1 + layer.axis : layer.axis;
      shape.splice(at, 0, 1);
      return { value: { shape, data: x.data }, mask: null };
    }
    case 'zeros_like':
    case 'ones_like': {
      const out = alloc(x.data.length, ctx);
      if (layer.op === 'ones_like') out.fill(1);
      return { value: { shape: [...x.shape], data: out }, mask: null };
    }
    case 'any':
    case 'all': {
      const axis = resolveAxis(layer.axis, x.shape.length, layer.name);
      const n = x.shape[axis]!;
      const inner = x.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
      const outer = x.data.length / (n * inner);
      const out = alloc(outer * inner, ctx);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let acc = layer.op === 'all';
          for (let j = 0; j < n; j++) {
            const nz = x.data[(o * n + j) * inner + i] !== 0;
            acc = layer.op === 'any' ? acc || nz : acc && nz;
          }
          out[o * inner + i] = acc ? 1 : 0;
        }
      }
      const shape = [...x.shape];
      if (layer.keepDims) shape[axis] = 1;
      else shape.splice(axis, 1);
      return { value: { shape, data: out }, mask: null };
    }
  }
}

const BINARY: Record<'not_equal' | 'equal' | 'logical_or' | 'logical_and', (a: number, b: number) => boolean> = {
  not_equal: (a, b) => a !== b,
  equal: (a, b) => a === b,
  logical_or: (a, b) => a !== 0 || b !== 0,
  logical_and: (a, b) => a !== 0 && b !== 0,
};
