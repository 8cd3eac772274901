/** Operators that cut tensors into pieces or join them: Concat, Slice, Split, Gather (embedding look-ups). */
import { nodeError } from '../attributes';
import { make, type OnnxTensor } from '../tensor';
import { normalizeAxis, stridedOffsets, strides } from './shape-util';
import { required, runFailure, shapeInts, type OpDef } from './types';

/** Sizes around an axis: `outer` blocks of `dim` rows of `inner` values. */
function around(shape: readonly number[], axis: number): { outer: number; dim: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, dim: shape[axis]!, inner };
}

const concat: OpDef = {
  prepare: (node) => {
    if (!node.attrs.has('axis')) throw nodeError(node.where, 'the attribute axis (Concat has no default)', 'none', undefined, 'axis');
    const axisAttr = node.attrs.int('axis', 0);
    return (inputs) => {
      const parts = inputs.filter((t): t is OnnxTensor => t !== undefined);
      if (!parts.length) throw runFailure(node, 'Concat needs at least one input');
      const first = parts[0]!;
      const axis = normalizeAxis(node, axisAttr, first.shape.length);
      for (const p of parts) {
        if (p.shape.length !== first.shape.length || p.shape.some((d, i) => i !== axis && d !== first.shape[i]) || p.dtype !== first.dtype) {
          throw runFailure(node, `cannot join [${p.shape.join(', ')}] (${p.dtype}) to [${first.shape.join(', ')}] (${first.dtype}) along axis ${axis}`);
        }
      }
      const shape = [...first.shape];
      shape[axis] = parts.reduce((n, p) => n + p.shape[axis]!, 0);
      const out = make(first.dtype, shape);
      const { outer, inner } = around(shape, axis);
      let o = 0;
      for (let b = 0; b < outer; b++) {
        for (const p of parts) {
          const n = p.shape[axis]! * inner;
          out.data.set(p.data.subarray(b * n, (b + 1) * n), o);
          o += n;
        }
      }
      return [out];
    };
  },
};

/** Python-style slice bounds, clamped as the ONNX spec says for positive and negative steps. */
function sliceBounds(dim: number, start: number, end: number, step: number): { start: number; count: number } {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = clamp(s, 0, dim);
    e = clamp(e, 0, dim);
    return { start: s, count: Math.max(0, Math.ceil((e - s) / step)) };
  }
  s = clamp(s, 0, dim - 1);
  e = clamp(e, -1, dim - 1);
  return { start: s, count: Math.max(0, Math.ceil((e - s) / step)) };
}

const slice: OpDef = {
  prepare: (node, opset) => {
    const attrStarts = node.attrs.ints('starts');
    const attrEnds = node.attrs.ints('ends');
    const attrAxes = node.attrs.ints('axes');
    return (inputs) => {
      const x = required(node, inputs, 0, 'data');
      const rank = x.shape.length;
      const starts = opset < 10 ? attrStarts : shapeInts(node, required(node, inputs, 1, 'starts'), 'starts');
      const ends = opset < 10 ? attrEnds : shapeInts(node, required(node, inputs, 2, 'ends'), 'ends');
      if (!starts || !ends || starts.length !== ends.length) throw runFailure(node, 'Slice needs starts and ends of one length');
      const axes = (opset < 10 ? attrAxes : inputs[3] ? shapeInts(node, inputs[3], 'axes') : undefined) ?? starts.map((_, i) => i);
      const steps = opset >= 10 && inputs[4] ? shapeInts(node, inputs[4], 'steps') : starts.map(() => 1);
      if (axes.length !== starts.length || steps.length !== starts.length) throw runFailure(node, 'Slice needs starts, ends, axes and steps of one length');
      const begin = new Array<number>(rank).fill(0);
      const step = new Array<number>(rank).fill(1);
      const shape = [...x.shape];
      axes.forEach((a, i) => {
        const axis = normalizeAxis(node, a, rank);
        if (steps[i] === 0) throw runFailure(node, 'a Slice step of 0');
        const b = sliceBounds(x.shape[axis]!, starts[i]!, ends[i]!, steps[i]!);
        begin[axis] = b.start;
        step[axis] = steps[i]!;
        shape[axis] = b.count;
      });
      const out = make(x.dtype, shape);
      const inStrides = strides(x.shape);
      const offsets = stridedOffsets(shape, inStrides.map((st, k) => st * step[k]!), begin.reduce((o, b, k) => o + b * inStrides[k]!, 0));
      for (let e = 0; e < offsets.length; e++) out.data[e] = x.data[offsets[e]!]!;
      return [out];
    };
  },
};

const split: OpDef = {
  prepare: (node, opset) => {
    const axisAttr = node.attrs.int('axis', 0);
    const splitAttr = node.attrs.ints('split');
    const numOutputs = node.attrs.has('num_outputs') ? node.attrs.int('num_outputs', 0) : undefined;
    return (inputs) => {
      const x = required(node, inputs, 0, 'input');
      const axis = normalizeAxis(node, axisAttr, x.shape.length);
      const dim = x.shape[axis]!;
      const count = node.outputs.length;
      let sizes = opset < 13 ? splitAttr : inputs[1] ? shapeInts(node, inputs[1], 'split') : undefined;
      if (!sizes) {
        // Equal parts; from opset 18 (num_outputs) the last part may be smaller.
        const n = numOutputs ?? count;
        const part = numOutputs !== undefined ? Math.ceil(dim / n) : dim / n;
        if (!Number.isInteger(part)) throw runFailure(node, `axis ${axis} of size ${dim} does not split into ${n} equal parts`);
        sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(part, dim - i * part)));
      }
      if (sizes.length !== count || sizes.reduce((a, b) => a + b, 0) !== dim || sizes.some((s) => s < 0)) {
        throw runFailure(node, `split sizes [${sizes.join(', ')}] for ${count} outputs do not add up to axis ${axis} of size ${dim}`);
      }
      const { outer, inner } = around(x.shape, axis);
      let at = 0;
      return sizes.map((s) => {
        const shape = [...x.shape];
        shape[axis] = s;
        const out = make(x.dtype, shape);
        for (let b = 0; b < outer; b++) out.data.set(x.data.subarray((b * dim + at) * inner, (b * dim + at + s) * inner), b * s * inner);
        at += s;
        return out;
      });
    };
  },
};

const gather: OpDef = {
  prepare: (node) => {
    const axisAttr = node.attrs.int('axis', 0);
    return (inputs) => {
      const data = required(node, inputs, 0, 'data');
      const indices = required(node, inputs, 1, 'indices');
      const axis = normalizeAxis(node, axisAttr, data.shape.length);
      const { outer, dim, inner } = around(data.shape, axis);
      const idx = indices.data;
      for (let k = 0; k < idx.length; k++) {
        const i = idx[k]!;
        if (!(i >= -dim && i < dim) || !Number.isInteger(i)) throw runFailure(node, `index ${i} (at ${k}) is outside axis ${axis} of size ${dim}`, dim > 0 ? `indices (token ids) must be in [${-dim}, ${dim - 1}]` : undefined);
      }
      const out = make(data.dtype, [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)]);
      let o = 0;
      for (let b = 0; b < outer; b++) {
        for (let k = 0; k < idx.length; k++) {
          const i = idx[k]!;
          const row = i < 0 ? i + dim : i;
          out.data.set(data.data.subarray((b * dim + row) * inner, (b * dim + row + 1) * inner), o);
          o += inner;
        }
      }
      return [out];
    };
  },
};

export const PIECE_OPS: Record<string, OpDef> = { Concat: concat, Slice: slice, Split: split, Gather: gather };
