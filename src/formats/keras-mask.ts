/**
 * Where masks come from in a config: the Masking layer, and the Keras 3 operation nodes (`keras.src.ops`) that
 * functional configs hold to compute masks (`NotEqual(x, 0)` for Embedding(mask_zero), `NotEqual` + `Any` for
 * Masking). Other operation nodes are refused with what to do.
 */
import type { Layer } from '../engine/model';
import type { MaskOp } from '../engine/layers/masking';
import { child, fail, type At } from './json-read';
import { describeValue } from './load-error';
import { readNumber } from './keras-layer-args';
import type { LayerHeader } from './keras-layer-json';
import type { Converted, Flow } from './keras-recurrent';

export const MASK_OP_CLASSES: Record<string, MaskOp> = {
  NotEqual: 'not_equal',
  Equal: 'equal',
  Any: 'any',
  All: 'all',
  Cast: 'cast',
  ConvertToTensor: 'cast',
  LogicalOr: 'logical_or',
  LogicalAnd: 'logical_and',
  ExpandDims: 'expand_dims',
  ZerosLike: 'zeros_like',
  OnesLike: 'ones_like',
};

export function convertMasking(h: LayerHeader, flow: Flow): Converted<Layer> {
  return { layer: { kind: 'masking', name: h.name, maskValue: readNumber(h, 'mask_value', 0)! }, out: { ...flow, from: `the output of layer "${h.name}"` }, consumed: flow.dims ?? [] };
}

/** A mask operation node; `constants` are its non-tensor positional arguments (NotEqual's 0). */
export function convertMaskOp(h: LayerHeader, flows: Flow[], constants: unknown[], nodeAt: At): Converted<Layer> {
  const op = MASK_OP_CLASSES[h.className]!;
  const x = flows[0];
  if (!x) fail(nodeAt, `a tensor argument for operation "${h.name}" (${h.className})`, 'none', { subject: `node "${h.name}"` });
  let constant: number | null = null;
  if ((op === 'not_equal' || op === 'equal' || op === 'logical_or' || op === 'logical_and') && flows.length < 2) {
    const c = constants[0];
    if (typeof c !== 'number' && typeof c !== 'boolean') fail(child(nodeAt, 'args', 1), `a number to compare with in ${h.className} node "${h.name}"`, describeValue(c), { subject: `node "${h.name}"` });
    constant = Number(c);
  }
  const axis = readNumber(h, 'axis', -1);
  const keepDims = h.config.keepdims === true;
  if (!Number.isInteger(axis)) fail(child(h.configAt, 'axis'), `one axis for ${h.className} node "${h.name}"`, describeValue(h.config.axis), { subject: `node "${h.name}"` });
  const dims = x.dims;
  let out: (number | null)[] | null = dims;
  if ((op === 'any' || op === 'all') && dims) {
    const a = axis! < 0 ? dims.length + 1 + axis! : axis!;
    out = keepDims ? dims.map((d, i) => (i === a - 1 ? 1 : d)) : dims.filter((_, i) => i !== a - 1);
  }
  if (op === 'expand_dims' && dims) {
    out = [...dims];
    out.splice(axis! < 0 ? dims.length + 1 + axis! : axis! - 1, 0, 1);
  }
  if ((op === 'logical_or' || op === 'logical_and' || op === 'not_equal' || op === 'equal') && dims && flows[1]?.dims) {
    const other = flows[1].dims;
    out = dims.length >= other.length ? dims.map((d, i) => (d === 1 ? (other[i - (dims.length - other.length)] ?? d) : d)) : other;
  }
  return { layer: { kind: 'mask_op', name: h.name, op, constant, axis: axis!, keepDims }, out: { dims: out, from: `the output of node "${h.name}"` }, consumed: dims ?? [] };
}
