/**
 * The preprocessing layers that live inside models, as Keras computes them (float32 rounds after each operation):
 *   Normalization:  y = (x − mean) / max(√variance, 1e-7)      (invert: y = mean + x · max(√variance, 1e-7))
 *   Rescaling:      y = x · scale + offset
 * Normalization's statistics (adapted or given) have one value per position of its kept axes (`axis`, by default
 * the last); Rescaling's scale and offset are one number or one per channel (the last axis). Both pass the mask on.
 */
import { RunError } from '../errors';
import { rounding, shapeText, type Tensor } from '../tensor';
import { alloc, type Flow, type LayerContext } from './flow';

/** Keras's backend.epsilon(): the floor of the standard deviation Normalization divides by. */
export const NORMALIZATION_EPSILON = 1e-7;

export interface NormalizationLayer {
  kind: 'normalization';
  name: string;
  /** The kept axes (counted with the batch axis, ascending; -1: the last, when the rank was not declared); the
   *  statistics have their sizes, in that order. */
  keepAxes: number[];
  mean: Tensor;
  variance: Tensor;
  invert: boolean;
}

export interface RescalingLayer {
  kind: 'rescaling';
  name: string;
  /** One value, or one per channel of the last axis. */
  scale: number[];
  offset: number[];
}

export type PreprocessingLayer = NormalizationLayer | RescalingLayer;

/**
 * For each element of a tensor of `shape`, the index of its statistic: the element's coordinates on the kept axes,
 * row-major over the kept axes' sizes.
 */
export function statisticIndex(shape: readonly number[], axes: readonly number[], statSize: number, layer: string): Uint32Array {
  const keepAxes = axes.map((a) => (a < 0 ? a + shape.length : a));
  const kept = keepAxes.map((a) => {
    if (a >= shape.length) throw new RunError(`layer "${layer}" (Normalization) keeps axis ${a}; the input ${shapeText(shape)} has ${shape.length} axes`);
    return shape[a]!;
  });
  if (kept.reduce((p, d) => p * d, 1) !== statSize) {
    throw new RunError(`layer "${layer}" (Normalization) has ${statSize} statistics; the input ${shapeText(shape)} has ${shapeText(kept)} on its kept axes ${keepAxes.join(', ')}`);
  }
  const n = shape.reduce((p, d) => p * d, 1);
  const out = new Uint32Array(n);
  if (keepAxes.length === 1 && keepAxes[0] === shape.length - 1) {
    for (let k = 0; k < n; k++) out[k] = k % statSize;
    return out;
  }
  // Stride of each input axis in the statistics (0 for reduced axes).
  const statStride = shape.map(() => 0);
  let s = 1;
  for (let i = keepAxes.length - 1; i >= 0; i--) {
    statStride[keepAxes[i]!] = s;
    s *= shape[keepAxes[i]!]!;
  }
  const idx = shape.map(() => 0);
  let at = 0;
  for (let k = 0; k < n; k++) {
    out[k] = at;
    for (let a = shape.length - 1; a >= 0; a--) {
      idx[a]!++;
      at += statStride[a]!;
      if (idx[a]! < shape[a]!) break;
      at -= statStride[a]! * shape[a]!;
      idx[a] = 0;
    }
  }
  return out;
}

/** max(√variance, ε) per statistic, rounded as the run's precision rounds. */
export function normalizationScale(layer: NormalizationLayer, ctx: LayerContext): Float64Array {
  const r = rounding(ctx.precision);
  return Float64Array.from(layer.variance.data, (v) => Math.max(r(Math.sqrt(v)), r(NORMALIZATION_EPSILON)));
}

export function applyNormalization(layer: NormalizationLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  const at = statisticIndex(v.shape, layer.keepAxes, layer.mean.data.length, layer.name);
  const sd = normalizationScale(layer, ctx);
  const mean = layer.mean.data;
  const out = alloc(v.data.length, ctx);
  const r = rounding(ctx.precision);
  for (let k = 0; k < out.length; k++) {
    const i = at[k]!;
    out[k] = layer.invert ? mean[i]! + r(v.data[k]! * sd[i]!) : r(v.data[k]! - mean[i]!) / sd[i]!;
  }
  return { value: { shape: [...v.shape], data: out }, mask: x.mask };
}

export function applyRescaling(layer: RescalingLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  const c = v.shape[v.shape.length - 1]!;
  for (const [what, p] of [['scale', layer.scale], ['offset', layer.offset]] as const) {
    if (p.length !== 1 && p.length !== c) throw new RunError(`layer "${layer.name}" (Rescaling) has ${p.length} ${what} values; the input ${shapeText(v.shape)} has ${c} channels`);
  }
  const r = rounding(ctx.precision);
  const scale = layer.scale.map(r);
  const offset = layer.offset.map(r);
  const out = alloc(v.data.length, ctx);
  for (let k = 0; k < out.length; k++) {
    const j = k % c;
    out[k] = r(v.data[k]! * scale[scale.length === 1 ? 0 : j]!) + offset[offset.length === 1 ? 0 : j]!;
  }
  return { value: { shape: [...v.shape], data: out }, mask: x.mask };
}

export function applyPreprocessing(layer: PreprocessingLayer, x: Flow, ctx: LayerContext): Flow {
  return layer.kind === 'normalization' ? applyNormalization(layer, x, ctx) : applyRescaling(layer, x, ctx);
}
