/**
 * Normalization (adapted statistics as weights mean, variance, count; or given in the config) and Rescaling → engine
 * layers. The string and lookup preprocessing layers (TextVectorization, StringLookup…) work on strings, outside
 * the numbers a model file's input holds, so they stay unsupported.
 */
import type { Layer } from '../engine/model';
import { shapeText, type Tensor } from '../engine/tensor';
import { child, fail, readBool, type At } from './json-read';
import { describeValue } from './load-error';
import type { LayerHeader } from './keras-layer-json';
import type { Converted, Flow } from './keras-recurrent';
import type { WeightCursor } from './weights';

/** Numbers of a config value that may be one number or (nested) lists of numbers, flattened row-major. */
function numbers(v: unknown, at: At, what: string): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap((x, i) => numbers(x, child(at, i), what));
  return fail(at, what, describeValue(v));
}

/** The kept axes (with the batch axis, ascending) of `axis`: an integer, a list of them, or null (keep none). */
function keptAxes(h: LayerHeader, flow: Flow): number[] {
  const at = child(h.configAt, 'axis');
  const v = h.config.axis === undefined ? [-1] : h.config.axis;
  const list = v === null ? [] : Array.isArray(v) ? v : [v];
  const rank = flow.dims ? flow.dims.length + 1 : null;
  const axes = list.map((a, i) => {
    if (typeof a !== 'number' || !Number.isInteger(a)) fail(child(at, i), 'an axis (an integer)', describeValue(a), { subject: `layer "${h.name}"` });
    if (rank === null) {
      if (a !== -1) fail(at, `axis -1 for Normalization layer "${h.name}" when the input rank is not declared`, String(a), { subject: `layer "${h.name}"`, hint: 'declare the input shape (an Input or batch_shape)' });
      return -1;
    }
    if (a === 0 || a < -rank || a >= rank) fail(at, `an axis of the input (rank ${rank} with the batch; not the batch axis)`, String(a), { subject: `layer "${h.name}"` });
    return a < 0 ? a + rank : a;
  });
  return [...new Set(axes)].sort((a, b) => a - b);
}

export function convertNormalization(h: LayerHeader, flow: Flow, weights: WeightCursor): Converted<Layer> {
  const keepAxes = keptAxes(h, flow);
  const keptDims = keepAxes.map((a) => (a === -1 ? (flow.dims?.at(-1) ?? null) : (flow.dims?.[a - 1] ?? null)));
  if (keptDims.some((d) => d === null)) {
    fail(child(h.configAt, 'axis'), `kept axes of known size for Normalization layer "${h.name}"`, `sizes ${shapeText(keptDims)} (${flow.from})`, { subject: `layer "${h.name}"` });
  }
  const statShape = keptDims as number[];
  const size = statShape.reduce((p, d) => p * d, 1);
  const invert = readBool(h.config.invert, child(h.configAt, 'invert'), false);
  let mean: Tensor;
  let variance: Tensor;
  if (h.config.mean !== undefined && h.config.mean !== null) {
    // Statistics given to the constructor: in the config, one value or one per kept position (aligned from the right).
    const stat = (key: 'mean' | 'variance'): Tensor => {
      const vals = numbers(h.config[key], child(h.configAt, key), `the ${key} (a number or a list of numbers)`);
      if (vals.length !== 1 && vals.length !== size) fail(child(h.configAt, key), `1 or ${size} values (the kept axes ${shapeText(statShape)})`, `${vals.length} values`, { subject: `layer "${h.name}"` });
      return { shape: statShape, data: Float64Array.from({ length: size }, (_, i) => vals[vals.length === 1 ? 0 : i]!) };
    };
    mean = stat('mean');
    variance = stat('variance');
  } else {
    const because = `[${statShape.join(' × ') || 'one value'}: the kept axes ${keepAxes.join(', ') || '(none)'}]`;
    mean = weights.take({ layer: h.name, role: 'mean', shape: statShape, because });
    variance = weights.take({ layer: h.name, role: 'variance', shape: statShape, because });
    // Kept "for backwards compatibility with older saved models" (Keras 3): a count nobody reads at inference.
    weights.take({ layer: h.name, role: 'count', shape: [], because: 'a scalar' });
  }
  return {
    layer: { kind: 'normalization', name: h.name, keepAxes, mean, variance, invert },
    out: { ...flow, from: `the output of layer "${h.name}"` },
    consumed: flow.dims ?? [],
  };
}

export function convertRescaling(h: LayerHeader, flow: Flow): Converted<Layer> {
  const values = (key: 'scale' | 'offset', fallback: number) =>
    h.config[key] === undefined || h.config[key] === null ? [fallback] : numbers(h.config[key], child(h.configAt, key), `the ${key} (a number or one per channel)`);
  const scale = values('scale', 1);
  const offset = values('offset', 0);
  const channels = flow.dims?.at(-1) ?? null;
  for (const [key, p] of [['scale', scale], ['offset', offset]] as const) {
    if (p.length !== 1 && channels !== null && p.length !== channels) {
      fail(child(h.configAt, key), `one value or ${channels} (one per channel of ${flow.from})`, `${p.length} values`, { subject: `layer "${h.name}"` });
    }
  }
  return { layer: { kind: 'rescaling', name: h.name, scale, offset }, out: { ...flow, from: `the output of layer "${h.name}"` }, consumed: flow.dims ?? [] };
}
