/**
 * Normalization at inference, in Keras's own order of operations (so float32 rounds where Keras's does):
 *   inv = 1/√(var + ε) · γ,  y = x · inv + (β − mean · inv)
 * BatchNormalization takes mean and var from its moving statistics, per channel of `axis`; LayerNormalization from
 * each sample's values over the last axis (var = mean of (x − mean)², as jnp.var). Masks pass through.
 */
import { RunError } from '../errors';
import type { Tensor } from '../tensor';
import { alloc, resolveAxis, type Flow, type LayerContext } from './flow';
import { rounding } from '../tensor';

export interface BatchNormLayer {
  kind: 'batch_norm';
  name: string;
  axis: number;
  epsilon: number;
  gamma: Tensor | null;
  beta: Tensor | null;
  movingMean: Tensor;
  movingVariance: Tensor;
}

export interface LayerNormLayer {
  kind: 'layer_norm';
  name: string;
  epsilon: number;
  gamma: Tensor | null;
  beta: Tensor | null;
  /** RMSNorm variant: x / √(var + ε) · γ, no centring. */
  rmsScaling: boolean;
}

/** UnitNormalization: x · min(1/√(Σ x² over `axes`), 1e12), keras.ops.normalize's L2 form. */
export interface UnitNormLayer {
  kind: 'unit_norm';
  name: string;
  /** Counting the batch axis; negative ones from the end. */
  axes: number[];
}

export function applyBatchNorm(layer: BatchNormLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  const axis = resolveAxis(layer.axis, v.shape.length, layer.name);
  const n = v.shape[axis]!;
  if (n !== layer.movingMean.data.length) throw new RunError(`layer "${layer.name}" (BatchNormalization) normalizes ${layer.movingMean.data.length} channels; axis ${layer.axis} has ${n}`);
  const inv = alloc(n, ctx);
  const res = alloc(n, ctx);
  for (let c = 0; c < n; c++) {
    inv[c] = 1 / Math.sqrt(roundTo(ctx, layer.movingVariance.data[c]! + layer.epsilon));
    if (layer.gamma) inv[c] = inv[c]! * layer.gamma.data[c]!;
    res[c] = -layer.movingMean.data[c]! * inv[c]!;
    if (layer.beta) res[c] = res[c]! + layer.beta.data[c]!;
  }
  const inner = v.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const out = alloc(v.data.length, ctx);
  for (let k = 0; k < out.length; k++) {
    const c = Math.floor(k / inner) % n;
    out[k] = roundTo(ctx, v.data[k]! * inv[c]!) + res[c]!;
  }
  return { value: { shape: [...v.shape], data: out }, mask: x.mask };
}

export function applyLayerNorm(layer: LayerNormLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  const n = v.shape[v.shape.length - 1]!;
  const out = alloc(v.data.length, ctx);
  const round = (y: number) => roundTo(ctx, y);
  for (let off = 0; off < v.data.length; off += n) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum = round(sum + v.data[off + j]!);
    const mean = round(sum / n);
    let sq = 0;
    for (let j = 0; j < n; j++) {
      const d = round(v.data[off + j]! - mean);
      sq = round(sq + round(d * d));
    }
    const variance = round(sq / n);
    const inv0 = round(1 / Math.sqrt(round(variance + layer.epsilon)));
    for (let j = 0; j < n; j++) {
      const inv = layer.gamma ? round(inv0 * layer.gamma.data[j]!) : inv0;
      if (layer.rmsScaling) {
        out[off + j] = round(v.data[off + j]! * inv0) * (layer.gamma ? layer.gamma.data[j]! : 1);
        continue;
      }
      let res = round(-mean * inv);
      if (layer.beta) res = round(res + layer.beta.data[j]!);
      out[off + j] = round(v.data[off + j]! * inv) + res;
    }
  }
  return { value: { shape: [...v.shape], data: out }, mask: x.mask };
}

function roundTo(ctx: LayerContext, y: number): number {
  return ctx.precision === 'float32' ? Math.fround(y) : y;
}

/** Each element's group (its index over the axes not normalized), where its sum of squares and inverse norm live. */
export function unitNormGroups(shape: readonly number[], axes: ReadonlySet<number>): { pos: Int32Array; groups: number } {
  const rank = shape.length;
  const pos = new Int32Array(shape.reduce((p, d) => p * d, 1));
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d, j) => (axes.has(i + 1 + j) ? p : p * d), 1));
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < pos.length; k++) {
    for (let i = 0; i < rank; i++) if (!axes.has(i)) pos[k] += idx[i]! * strides[i]!;
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return { pos, groups: shape.reduce((p, d, i) => (axes.has(i) ? p : p * d), 1) };
}

export function applyUnitNorm(layer: UnitNormLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  const rank = v.shape.length;
  const axes = new Set(layer.axes.map((a) => resolveAxis(a, rank, layer.name)));
  if (axes.has(0)) throw new RunError(`layer "${layer.name}" (UnitNormalization) cannot normalize across the batch axis`);
  const { pos, groups } = unitNormGroups(v.shape, axes);
  const round = rounding(ctx.precision);
  const sums = new Float64Array(groups);
  for (let k = 0; k < pos.length; k++) sums[pos[k]!] = round(sums[pos[k]!]! + round(v.data[k]! * v.data[k]!));
  const inv = alloc(sums.length, ctx);
  for (let i = 0; i < sums.length; i++) inv[i] = Math.min(1 / Math.sqrt(sums[i]!), 1e12);
  const out = alloc(v.data.length, ctx);
  for (let k = 0; k < out.length; k++) out[k] = v.data[k]! * inv[pos[k]!]!;
  return { value: { shape: [...v.shape], data: out }, mask: x.mask };
}
