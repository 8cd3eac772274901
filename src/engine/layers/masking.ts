/**
 * Where masks come from. Masking: a step is kept when any feature differs from mask_value, and the output is
 * x · kept. The Keras 3 mask nodes a functional config carries: NotEqual(x, c) and Equal(x, c) (0/1 values), and
 * Any / All over an axis; their outputs reach layers as `mask=`.
 */
import { RunError } from '../errors';
import { alloc, resolveAxis, type Flow, type LayerContext } from './flow';

export interface MaskingLayer {
  kind: 'masking';
  name: string;
  maskValue: number;
}

export type MaskOp = 'not_equal' | 'equal' | 'any' | 'all' | 'cast';

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
    case 'equal': {
      const other = inputs[1]?.value;
      if (!other && layer.constant === null) throw new RunError(`node "${layer.name}" (${layer.op}) has nothing to compare with`);
      const out = alloc(x.data.length, ctx);
      const want = layer.op === 'not_equal';
      for (let k = 0; k < out.length; k++) {
        const c = other ? other.data[other.data.length === 1 ? 0 : k]! : layer.constant!;
        out[k] = (x.data[k] !== c) === want ? 1 : 0;
      }
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
