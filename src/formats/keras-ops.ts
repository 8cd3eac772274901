/**
 * keras.ops calls recorded in a Keras 3 functional config as operation nodes (`module` "keras.src.ops.numpy" or
 * "keras.src.ops.nn"): `ops.sum(h * w, axis=1)`, `ops.transpose`, `ops.squeeze`, `ops.concatenate`… → one engine
 * `tensor_op` (or `softmax`) layer with its output shape. The operations Keras writes for masks are keras-mask.ts's.
 * An operation not listed here is refused with its class, its node and a way out.
 */
import type { Layer } from '../engine/model';
import { slicePositions, type BinaryFn, type ItemKey, type ReduceFn, type UnaryFn } from '../engine/layers/tensor-ops';
import { shapeText } from '../engine/tensor';
import { child, fail, isObject, type At } from './json-read';
import { describeValue } from './load-error';
import type { LayerHeader } from './keras-layer-json';
import type { Converted, Flow } from './keras-recurrent';

export const OPS_MODULE = /^keras\.src\.ops\b/;

const UNARY: Record<string, UnaryFn> = {
  Abs: 'abs', Absolute: 'abs', Negative: 'negative', Square: 'square', Sqrt: 'sqrt', Exp: 'exp', Log: 'log', Log1p: 'log1p', Expm1: 'expm1',
  Tanh: 'tanh', Sin: 'sin', Cos: 'cos', Sign: 'sign', Floor: 'floor', Ceil: 'ceil', Reciprocal: 'reciprocal',
  Sigmoid: 'sigmoid', Relu: 'relu', Relu6: 'relu6', Softplus: 'softplus', Silu: 'silu', Selu: 'selu', Softsign: 'softsign',
};
const BINARY: Record<string, BinaryFn> = { Add: 'add', Subtract: 'subtract', Multiply: 'multiply', Divide: 'divide', TrueDivide: 'divide', Maximum: 'maximum', Minimum: 'minimum', Power: 'power' };
const REDUCE: Record<string, ReduceFn> = { Sum: 'sum', Mean: 'mean', Max: 'max', Min: 'min', Prod: 'prod' };
const SHAPE_OPS = ['Transpose', 'Squeeze', 'Reshape', 'Concatenate', 'Stack', 'Softmax', 'Gelu', 'GetItem'];

export const TENSOR_OP_CLASSES: readonly string[] = [...Object.keys(UNARY), ...Object.keys(BINARY), ...Object.keys(REDUCE), ...SHAPE_OPS];

type Dims = (number | null)[];

/**
 * Whether a config entry is an operation node. The .keras and export JSON configs say so in `module`; Keras 3's
 * legacy .h5 writes no module, and an operation there differs from the layer of the same name (Multiply, Add,
 * Concatenate, Reshape, Softmax…) by its config: a layer's always holds `trainable` and `dtype`, an operation's never.
 */
export function isOperationEntry(module: unknown, className: string, config: Record<string, unknown>): boolean {
  if (typeof module === 'string') return OPS_MODULE.test(module);
  return TENSOR_OP_CLASSES.includes(className) && !('trainable' in config) && !('dtype' in config);
}

export interface OpCall {
  constants: unknown[];
  /** A number came before the tensor (`1 - x`). */
  leadingConstant?: boolean;
  rawArgs?: unknown[];
  at: At;
}

/** `flows`' dims have no batch axis; keras.ops axes count it, so `full` puts it back (as null). */
export function convertTensorOp(h: LayerHeader, flows: Flow[], call: OpCall): Converted<Layer> {
  const subject = { subject: `node "${h.name}"` };
  const x = flows[0];
  if (!x) fail(call.at, `a tensor argument for operation ${h.className} "${h.name}"`, 'none', subject);
  const full: Dims | null = x.dims ? [null, ...x.dims] : null;
  const base = { kind: 'tensor_op' as const, name: h.name, className: h.className };
  const done = (layer: Layer, dims: Dims | null): Converted<Layer> => ({ layer, out: { dims: dims ? dims.slice(1) : null, from: `the output of node "${h.name}"` }, consumed: x.dims ?? [] });
  const axisList = (key: string, rank: number | null, nullable: boolean, batchOk = false): number[] | null => {
    const v = h.config[key];
    if ((v === null || v === undefined) && nullable) return null;
    const list = typeof v === 'number' ? [v] : Array.isArray(v) ? v : null;
    if (!list || !list.every((a) => typeof a === 'number' && Number.isInteger(a))) fail(child(h.configAt, key), `an axis or a list of axes for ${h.className} node "${h.name}"`, describeValue(v), subject);
    const axes = list as number[];
    if (rank !== null) {
      const bad = axes.find((a) => a < -rank || a >= rank);
      if (bad !== undefined) fail(child(h.configAt, key), `axes of a rank ${rank} tensor (${x.from}, shape ${shapeText(full!)})`, `axis ${bad}`, subject);
      if (!batchOk && axes.some((a) => (a < 0 ? rank + a : a) === 0)) batchAxis(h, key);
    }
    return axes;
  };
  const rank = full ? full.length : null;
  const unary = UNARY[h.className] ?? (h.className === 'Gelu' ? (h.config.approximate === false ? 'gelu' : 'gelu_approximate') : undefined);
  if (unary) return done({ ...base, op: 'unary', fn: unary }, full);
  const binary = BINARY[h.className];
  if (binary) {
    if (flows.length === 2) {
      const b = flows[1]!.dims ? [null, ...flows[1]!.dims] : null;
      return done({ ...base, op: 'binary', fn: binary, constant: null, constantFirst: false }, full && b ? broadcastDims(full, b, h, call.at) : null);
    }
    const c = call.constants[0];
    if (flows.length !== 1 || typeof c !== 'number') fail(call.at, `two operands for ${h.className} node "${h.name}": two tensors, or a tensor and a number`, `${flows.length} tensor(s)${call.constants.length ? ` and ${describeValue(c)}` : ''}`, subject);
    return done({ ...base, op: 'binary', fn: binary, constant: c, constantFirst: call.leadingConstant === true }, full);
  }
  const reduce = REDUCE[h.className];
  if (reduce) {
    if (h.config.initial !== undefined && h.config.initial !== null) fail(child(h.configAt, 'initial'), `${h.className} without an initial value`, describeValue(h.config.initial), subject);
    const axes = axisList('axis', rank, true);
    if (axes === null) batchAxis(h, 'axis');
    const keepDims = h.config.keepdims === true;
    const set = new Set(axes!.map((a) => (a < 0 ? rank! + a : a)));
    return done({ ...base, op: 'reduce', fn: reduce, axes, keepDims }, full ? full.flatMap((d, i) => (!set.has(i) ? [d] : keepDims ? [1] : [])) : null);
  }
  switch (h.className) {
    case 'Softmax': {
      const axes = axisList('axis', rank, false)!;
      if (axes.length !== 1) fail(child(h.configAt, 'axis'), `one axis for Softmax node "${h.name}"`, describeValue(h.config.axis), subject);
      return done({ kind: 'softmax', name: h.name, axis: axes[0]! }, full);
    }
    case 'Transpose': {
      const axes = axisList('axes', rank, true, true);
      const resolved = axes && rank !== null ? axes.map((a) => (a < 0 ? rank + a : a)) : null;
      if (axes === null || (resolved && resolved[0] !== 0)) batchAxis(h, 'axes');
      if (resolved && (resolved.length !== rank || new Set(resolved).size !== rank)) fail(child(h.configAt, 'axes'), `a permutation of the ${rank} axes for Transpose node "${h.name}"`, describeValue(h.config.axes), subject);
      return done({ ...base, op: 'transpose', axes }, full && resolved ? resolved.map((a) => full[a]!) : null);
    }
    case 'Squeeze': {
      const axes = axisList('axis', rank, true);
      if (axes === null && full?.slice(1).includes(null)) fail(child(h.configAt, 'axis'), `the axes to squeeze for node "${h.name}" (the input shape ${shapeText(full)} has free sizes)`, 'none', subject);
      const set = new Set((axes ?? full?.flatMap((d, i) => (d === 1 ? [i] : [])) ?? []).map((a) => (a < 0 ? rank! + a : a)));
      if (full) for (const a of set) if (full[a] !== 1 && full[a] !== null) fail(child(h.configAt, 'axis'), `axes of size 1 for Squeeze node "${h.name}"`, `axis ${a} of shape ${shapeText(full)} (${x.from})`, subject);
      return done({ ...base, op: 'squeeze', axes }, full ? full.filter((_, i) => !set.has(i)) : null);
    }
    case 'Reshape': {
      const raw = h.config.newshape;
      const shape = Array.isArray(raw) ? raw.map((d) => (d === null ? -1 : d)) : null;
      if (!shape || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= -1) || shape.filter((d) => d === -1).length > 1) {
        fail(child(h.configAt, 'newshape'), `a shape (whole numbers, one -1 at most) for Reshape node "${h.name}"`, describeValue(raw), subject);
      }
      const dims = shape as number[];
      // The batch must stay first: a -1 or the batch size itself there; a fixed number there would mix samples.
      if (dims[0] !== -1) batchAxis(h, 'newshape');
      const known = dims.slice(1).every((d) => d !== -1);
      return done({ ...base, op: 'reshape', shape: dims }, known ? [null, ...dims.slice(1)] : null);
    }
    case 'GetItem':
      return convertGetItem(h, x, call, done);
    case 'Concatenate':
    case 'Stack': {
      const axes = axisList('axis', rank === null ? null : h.className === 'Stack' ? rank + 1 : rank, false)!;
      const axis = axes[0]!;
      const known = flows.map((f) => f.dims);
      let dims: Dims | null = null;
      if (full && known.every((d) => d !== null)) {
        if (h.className === 'Stack') {
          dims = [...full];
          dims.splice(axis < 0 ? full.length + 1 + axis : axis, 0, flows.length);
        } else {
          const a = axis < 0 ? full.length + axis : axis;
          dims = [...full];
          dims[a] = known.some((d) => d![a - 1] === null) ? null : known.reduce((s, d) => s + d![a - 1]!, 0);
        }
      }
      return done({ ...base, op: h.className === 'Stack' ? 'stack' : 'concatenate', axis }, dims);
    }
  }
  return fail(child(h.at, 'class_name'), `a keras.ops operation Cellscope runs (${TENSOR_OP_CLASSES.join(', ')}) or one Keras writes for masks`, `operation ${h.className} "${h.name}"`, {
    ...subject,
    hint: `keras.ops.${h.className.replace(/^./, (c) => c.toLowerCase())} has no implementation in Cellscope; wrap the computation in a layer Cellscope knows, or save the recurrent part alone (keras.Model(its input, the recurrent layer's output)) and open that`,
  });
}

function batchAxis(h: LayerHeader, key: string): never {
  return fail(child(h.configAt, key), 'an operation that keeps the batch axis first and whole', `${h.className} with ${key} ${JSON.stringify(h.config[key] ?? null)}, which reaches across the batch axis`, {
    subject: `node "${h.name}"`,
    hint: 'Cellscope runs each sample of the batch on its own; write the operation over the sample axes (axis ≥ 1)',
  });
}

function broadcastDims(a: Dims, b: Dims, h: LayerHeader, at: At): Dims {
  const rank = Math.max(a.length, b.length);
  const pa = [...new Array<number>(rank - a.length).fill(1), ...a];
  const pb = [...new Array<number>(rank - b.length).fill(1), ...b];
  return pa.map((d, i) => {
    const e = pb[i]!;
    if (d === 1) return e;
    if (e === 1 || d === e || d === null || e === null) return d ?? e;
    return fail(at, `operands that broadcast for ${h.className} node "${h.name}"`, `shapes ${shapeText(a)} and ${shapeText(b)}`, { subject: `node "${h.name}"` });
  });
}

/** `x[:, -1, :]` → GetItem(x, [slice(None), -1, slice(None)]): ints and slices, the batch axis taken whole. */
function convertGetItem(h: LayerHeader, x: Flow, call: OpCall, done: (layer: Layer, dims: Dims | null) => Converted<Layer>): Converted<Layer> {
  const subject = { subject: `node "${h.name}"` };
  const keyAt = child(call.at, 'args', 1);
  const raw = call.rawArgs?.[1];
  const items = Array.isArray(raw) ? raw : [raw];
  const read = (v: unknown, k: number): ItemKey => {
    if (typeof v === 'number' && Number.isInteger(v)) return { index: v };
    const c = isObject(v) && v.class_name === '__slice__' && isObject(v.config) ? v.config : null;
    const part = (p: unknown) => (p === null || p === undefined ? null : typeof p === 'number' && Number.isInteger(p) ? p : undefined);
    const s = c ? { start: part(c.start), stop: part(c.stop), step: part(c.step) } : null;
    if (!s || s.start === undefined || s.stop === undefined || s.step === undefined || s.step === 0) {
      fail(Array.isArray(raw) ? child(keyAt, k) : keyAt, `an index or a slice with whole-number bounds in GetItem node "${h.name}"`, describeValue(v), {
        ...subject,
        hint: 'Cellscope runs x[...] with integers and slices (x[:, -1, :], x[:, 1:3]); for another indexing, save the recurrent part alone and open that',
      });
    }
    return s as ItemKey;
  };
  const key = items.map(read);
  const first = key[0];
  if (!first || 'index' in first || first.start !== null || first.stop !== null || (first.step !== null && first.step !== 1)) batchAxis(h, 'args');
  const rest = key.slice(1);
  if (x.dims && rest.length > x.dims.length) fail(keyAt, `at most ${x.dims.length + 1} indices for a tensor of shape ${shapeText([null, ...x.dims])} (${x.from})`, `${key.length}`, subject);
  const dims = x.dims
    ? [null, ...x.dims.flatMap((n, a) => {
        const k = rest[a];
        if (!k) return [n];
        if ('index' in k) return [];
        return [n === null ? null : slicePositions(n, k).length];
      })]
    : null;
  return done({ kind: 'tensor_op', name: h.name, className: h.className, op: 'get_item', key: rest }, dims);
}

/**
 * The two halves of TimeDistributed around a model (keras-graph.ts): `fold` reads [t, …] samples and gives […] ones
 * (time joins the batch), `unfold` reads the wrapped model's output and the TimeDistributed input and gives [t, …].
 */
export function convertTimeFold(name: string, half: 'fold' | 'unfold', flows: Flow[], at: At): Converted<Layer> {
  const x = flows[0]!;
  const input = half === 'fold' ? x : flows[1]!;
  if (input.dims && input.dims.length < 1) fail(at, `an input with a time axis for TimeDistributed layer "${name}"`, `shape ${shapeText(input.dims)} (${input.from})`, { subject: `layer "${name}"` });
  const dims = half === 'fold' ? (x.dims ? x.dims.slice(1) : null) : x.dims && input.dims ? [input.dims[0]!, ...x.dims] : null;
  const from = half === 'fold' ? `one time step of ${x.from}` : `the output of layer "${name}"`;
  return { layer: { kind: 'tensor_op', name, className: 'TimeDistributed', op: half === 'fold' ? 'fold_time' : 'unfold_time' }, out: { dims, from }, consumed: x.dims ?? [] };
}
