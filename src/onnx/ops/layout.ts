/**
 * Operators that move or relabel elements without computing new values: Transpose, Reshape, Squeeze, Unsqueeze,
 * Expand, Identity. Axes arrive as attributes in older opsets and as inputs in newer ones (Squeeze/Unsqueeze: 13).
 */
import { make, size, type OnnxTensor } from '../tensor';
import { broadcastOffsets, broadcastShape, normalizeAxis, stridedOffsets, strides } from './shape-util';
import { required, runFailure, shapeInts, type OnnxNode, type OpDef } from './types';

export function transpose(x: OnnxTensor, perm: readonly number[]): OnnxTensor {
  const inStrides = strides(x.shape);
  const out = make(x.dtype, perm.map((p) => x.shape[p]!));
  const offsets = stridedOffsets(out.shape, perm.map((p) => inStrides[p]!));
  for (let e = 0; e < offsets.length; e++) out.data[e] = x.data[offsets[e]!]!;
  return out;
}

const transposeOp: OpDef = {
  prepare: (node) => {
    const perm = node.attrs.ints('perm');
    return (inputs) => {
      const x = required(node, inputs, 0, 'data');
      const p = perm ?? x.shape.map((_, i) => x.shape.length - 1 - i);
      const sorted = [...p].sort((a, b) => a - b);
      if (p.length !== x.shape.length || sorted.some((v, i) => v !== i)) throw runFailure(node, `perm [${p.join(', ')}] is not a permutation of the ${x.shape.length} axes`);
      return [transpose(x, p)];
    };
  },
};

const reshape: OpDef = {
  prepare: (node) => {
    const allowZero = node.attrs.int('allowzero', 0) !== 0;
    return (inputs) => {
      const x = required(node, inputs, 0, 'data');
      const target = shapeInts(node, required(node, inputs, 1, 'shape'), 'the shape');
      const shape = target.map((d, i) => (d === 0 && !allowZero ? x.shape[i] ?? NaN : d));
      const infer = shape.indexOf(-1);
      if (infer >= 0) {
        const known = shape.reduce((n, d, i) => (i === infer ? n : n * d), 1);
        shape[infer] = known ? x.data.length / known : NaN;
      }
      if (shape.some((d) => !Number.isInteger(d) || d < 0) || size(shape) !== x.data.length) {
        throw runFailure(node, `cannot reshape [${x.shape.join(', ')}] to [${target.join(', ')}]`);
      }
      return [{ ...x, shape }];
    };
  },
};

/** Squeeze/Unsqueeze axes: the attribute before opset 13, the optional second input from 13 on. */
function axesOf(node: OnnxNode, opset: number, inputs: readonly (OnnxTensor | undefined)[], attr: number[] | undefined): number[] | undefined {
  if (opset < 13) return attr;
  return inputs[1] ? shapeInts(node, inputs[1], 'axes') : undefined;
}

const squeeze: OpDef = {
  prepare: (node, opset) => {
    const attr = node.attrs.ints('axes');
    return (inputs) => {
      const x = required(node, inputs, 0, 'data');
      const given = axesOf(node, opset, inputs, attr);
      const axes = given ? given.map((a) => normalizeAxis(node, a, x.shape.length)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
      for (const a of axes) if (x.shape[a] !== 1) throw runFailure(node, `cannot squeeze axis ${a} of size ${x.shape[a]} (shape [${x.shape.join(', ')}])`);
      return [{ ...x, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
    };
  },
};

const unsqueeze: OpDef = {
  prepare: (node, opset) => {
    const attr = node.attrs.ints('axes');
    return (inputs) => {
      const x = required(node, inputs, 0, 'data');
      const given = axesOf(node, opset, inputs, attr);
      if (!given) throw runFailure(node, 'Unsqueeze needs axes');
      const rank = x.shape.length + given.length;
      const axes = given.map((a) => normalizeAxis(node, a, rank));
      if (new Set(axes).size !== axes.length) throw runFailure(node, `axes [${given.join(', ')}] repeat an axis`);
      const shape: number[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : x.shape[k++]!);
      return [{ ...x, shape }];
    };
  },
};

const expand: OpDef = {
  prepare: (node) => (inputs) => {
    const x = required(node, inputs, 0, 'input');
    const shape = broadcastShape(node, [x.shape, shapeInts(node, required(node, inputs, 1, 'shape'), 'the shape')]);
    const out = make(x.dtype, shape);
    const off = broadcastOffsets(x.shape, shape);
    for (let i = 0; i < out.data.length; i++) out.data[i] = x.data[off ? off[i]! : i]!;
    return [out];
  },
};

const identity: OpDef = { prepare: (node) => (inputs) => [required(node, inputs, 0, 'input')] };

export const LAYOUT_OPS: Record<string, OpDef> = { Transpose: transposeOp, Reshape: reshape, Squeeze: squeeze, Unsqueeze: unsqueeze, Expand: expand, Identity: identity };
