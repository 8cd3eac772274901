/** Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum → one engine merge layer, with its output shape. */
import type { Layer } from '../engine/model';
import type { MergeOp } from '../engine/layers/merge';
import { shapeText } from '../engine/tensor';
import { child, fail } from './json-read';
import { readNumber } from './keras-layer-args';
import type { LayerHeader } from './keras-layer-json';
import type { Converted, Flow } from './keras-recurrent';

export const MERGE_CLASSES: Record<string, MergeOp> = {
  Concatenate: 'concatenate',
  Add: 'add',
  Subtract: 'subtract',
  Multiply: 'multiply',
  Average: 'average',
  Maximum: 'maximum',
  Minimum: 'minimum',
};

export function convertMerge(h: LayerHeader, flows: Flow[]): Converted<Layer> {
  const op = MERGE_CLASSES[h.className]!;
  if (flows.length < 2) fail(h.at, `at least 2 input tensors for ${h.className} layer "${h.name}"`, `${flows.length}`, { subject: `layer "${h.name}"` });
  const axis = op === 'concatenate' ? readNumber(h, 'axis', -1)! : -1;
  const known = flows.map((f) => f.dims).filter((d): d is (number | null)[] => d !== null);
  let dims: (number | null)[] | null = known[0] ? [...known[0]] : null;
  if (dims && known.length === flows.length) {
    const rank = dims.length + 1;
    const a = axis < 0 ? rank + axis : axis;
    for (const d of known) {
      const fits = d.length === dims.length && d.every((x, i) => (op === 'concatenate' && i === a - 1) || x === null || dims![i] === null || x === dims![i]);
      if (!fits) {
        fail(h.at, `inputs of ${op === 'concatenate' ? `one shape except on axis ${axis}` : 'one shape'} for ${h.className} layer "${h.name}"`, flows.map((f) => `${shapeText(f.dims ?? [])} (${f.from})`).join(', '), { subject: `layer "${h.name}"` });
      }
    }
    if (op === 'concatenate') dims[a - 1] = known.some((d) => d[a - 1] === null) ? null : known.reduce((s, d) => s + d[a - 1]!, 0);
  }
  return { layer: { kind: 'merge', name: h.name, op, axis }, out: { dims, from: `the output of layer "${h.name}"` }, consumed: dims ?? [] };
}

/** Dot(axes, normalize): `axes` an int or a pair, counted with the batch axis; negative ones from the end. */
export function convertDot(h: LayerHeader, flows: Flow[]): Converted<Layer> {
  if (flows.length !== 2) fail(h.at, `2 input tensors for Dot layer "${h.name}"`, `${flows.length}`, { subject: `layer "${h.name}"` });
  const raw = h.config.axes;
  const pair = Array.isArray(raw) ? raw : [raw, raw];
  const ranks = flows.map((f) => (f.dims ? f.dims.length + 1 : null));
  const axes = pair.map((a, i) => {
    if (typeof a !== 'number' || !Number.isInteger(a)) fail(child(h.configAt, 'axes'), `an axis or a pair of axes for Dot layer "${h.name}"`, JSON.stringify(raw), { subject: `layer "${h.name}"` });
    const rank = ranks[i];
    const axis = a < 0 && rank !== null ? rank + a : a;
    if (axis < 1 || (rank !== null && axis >= rank) || (rank !== null && rank > 3)) {
      fail(child(h.configAt, 'axes'), `an axis of a rank 2 or 3 input other than the batch for Dot layer "${h.name}"`, JSON.stringify(raw), { subject: `layer "${h.name}"` });
    }
    return axis;
  }) as [number, number];
  const normalize = h.config.normalize === true;
  const keep = (f: Flow, axis: number) => (f.dims ? f.dims.filter((_, i) => i + 1 !== axis) : null);
  const a = keep(flows[0]!, axes[0]);
  const b = keep(flows[1]!, axes[1]);
  const dims = a && b ? (a.length + b.length === 0 ? [1] : [...a, ...b]) : null;
  return { layer: { kind: 'dot', name: h.name, axes, normalize }, out: { dims, from: `the output of layer "${h.name}"` }, consumed: flows[0]!.dims ?? [] };
}
