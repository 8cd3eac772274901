/**
 * Keras's merge layers: Concatenate along an axis, and the element-wise Add, Subtract, Multiply, Average, Maximum,
 * Minimum, folded left to right as Keras does (`out = x0; out = op(out, xi)`), so float32 rounds where Keras's does.
 * Masks: Concatenate keeps a step when any input keeps it (an unmasked input keeps all); the others keep a step only
 * when every masked input keeps it.
 */
import { RunError } from '../errors';
import { sameShape, shapeText } from '../tensor';
import { alloc, resolveAxis, type Flow, type LayerContext } from './flow';

export type MergeOp = 'concatenate' | 'add' | 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum';

export interface MergeLayer {
  kind: 'merge';
  name: string;
  op: MergeOp;
  /** Concatenate only; Keras's default -1. */
  axis: number;
}

const FOLD: Record<Exclude<MergeOp, 'concatenate'>, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  average: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  maximum: (a, b) => Math.max(a, b),
  minimum: (a, b) => Math.min(a, b),
};

export function applyMerge(layer: MergeLayer, inputs: Flow[], ctx: LayerContext): Flow {
  if (inputs.length < 2) throw new RunError(`layer "${layer.name}" (${layer.op}) merges at least 2 tensors; got ${inputs.length}`);
  return layer.op === 'concatenate' ? concatenate(layer, inputs, ctx) : elementwise(layer, inputs, ctx);
}

function elementwise(layer: MergeLayer, inputs: Flow[], ctx: LayerContext): Flow {
  const op = layer.op as Exclude<MergeOp, 'concatenate'>;
  const shape = inputs[0]!.value.shape;
  for (const f of inputs) {
    if (!sameShape(f.value.shape, shape)) {
      throw new RunError(`layer "${layer.name}" (${op}) needs inputs of one shape; got ${inputs.map((i) => shapeText(i.value.shape)).join(' and ')}`);
    }
  }
  if (op === 'subtract' && inputs.length !== 2) throw new RunError(`layer "${layer.name}" (Subtract) takes exactly 2 inputs; got ${inputs.length}`);
  const out = alloc(inputs[0]!.value.data.length, ctx);
  out.set(inputs[0]!.value.data);
  const f = FOLD[op];
  for (const x of inputs.slice(1)) for (let k = 0; k < out.length; k++) out[k] = f(out[k]!, x.value.data[k]!);
  if (op === 'average') for (let k = 0; k < out.length; k++) out[k] = out[k]! / inputs.length;
  return { value: { shape: [...shape], data: out }, mask: andMasks(inputs) };
}

/** Keras's Merge.compute_mask: every given mask must keep the step. */
function andMasks(inputs: Flow[]): Uint8Array | null {
  const masks = inputs.map((i) => i.mask).filter((m): m is Uint8Array => m !== null);
  if (!masks.length) return null;
  const out = masks[0]!.slice();
  for (const m of masks.slice(1)) for (let k = 0; k < out.length; k++) out[k] = out[k]! & m[k]!;
  return out;
}

function concatenate(layer: MergeLayer, inputs: Flow[], ctx: LayerContext): Flow {
  const rank = inputs[0]!.value.shape.length;
  const axis = resolveAxis(layer.axis, rank, layer.name);
  if (axis === 0) throw new RunError(`layer "${layer.name}" (Concatenate) cannot join along the batch axis`);
  for (const f of inputs) {
    const s = f.value.shape;
    if (s.length !== rank || s.some((d, i) => i !== axis && d !== inputs[0]!.value.shape[i])) {
      throw new RunError(`layer "${layer.name}" (Concatenate, axis ${layer.axis}) needs shapes that differ only on that axis; got ${inputs.map((i) => shapeText(i.value.shape)).join(', ')}`);
    }
  }
  const shape = [...inputs[0]!.value.shape];
  const widths = inputs.map((f) => f.value.shape[axis]!);
  shape[axis] = widths.reduce((a, b) => a + b, 0);
  // Blocks: everything after `axis` is contiguous, so each input contributes widths[i]·inner values per outer row.
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const out = alloc(outer * shape[axis]! * inner, ctx);
  let off = 0;
  for (let o = 0; o < outer; o++) {
    inputs.forEach((f, i) => {
      const n = widths[i]! * inner;
      out.set(f.value.data.subarray(o * n, (o + 1) * n), off);
      off += n;
    });
  }
  return { value: { shape, data: out }, mask: concatMask(inputs, axis, rank, widths) };
}

/**
 * Concatenate.compute_mask: each input's mask broadcast over its last axis (an unmasked input counts as all ones),
 * joined along `axis`, then `any` over the last axis.
 */
function concatMask(inputs: Flow[], axis: number, rank: number, widths: number[]): Uint8Array | null {
  if (inputs.every((f) => f.mask === null)) return null;
  const lead = inputs[0]!.value.shape.slice(0, rank - 1);
  if (axis === rank - 1) {
    const n = lead.reduce((a, b) => a * b, 1);
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k++) out[k] = inputs.some((f) => f.mask === null || f.mask[k] === 1) ? 1 : 0;
    return out;
  }
  // Along an earlier axis the masks themselves are joined there.
  const inner = lead.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = lead.slice(0, axis).reduce((a, b) => a * b, 1);
  const total = widths.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(outer * total * inner);
  let off = 0;
  for (let o = 0; o < outer; o++) {
    inputs.forEach((f, i) => {
      const n = widths[i]! * inner;
      if (f.mask) out.set(f.mask.subarray(o * n, (o + 1) * n), off);
      else out.fill(1, off, off + n);
      off += n;
    });
  }
  return out;
}
