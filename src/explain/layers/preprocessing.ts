/**
 * Normalization, Rescaling and UpSampling1D backwards: all linear in x.
 * Normalization: y = (x − mean) / s → dx = dy / s (inverted: y = mean + x · s → dx = dy · s), s = max(√var, ε).
 * Rescaling: y = x · scale + offset → dx = dy · scale. UpSampling1D: each step was copied `size` times, so its
 * gradient is the sum over its copies.
 */
import { normalizationScale, statisticIndex, type NormalizationLayer, type RescalingLayer } from '../../engine/layers/preprocessing';
import type { ShapeLayer } from '../../engine/layers/shape';
import type { LayerCall } from './layer';

export function normalizationBackward(call: LayerCall & { layer: NormalizationLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { layer } = call;
  const at = statisticIndex(call.input().shape, layer.keepAxes, layer.mean.data.length, layer.name);
  const s = normalizationScale(layer, call.ctx);
  return Float64Array.from(dy, (g, k) => (layer.invert ? g * s[at[k]!]! : g / s[at[k]!]!));
}

export function rescalingBackward(call: LayerCall & { layer: RescalingLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { scale } = call.layer;
  const c = call.input().shape.at(-1)!;
  return Float64Array.from(dy, (g, k) => g * scale[scale.length === 1 ? 0 : k % c]!);
}

export function upSampling1DBackward(call: LayerCall & { layer: Extract<ShapeLayer, { kind: 'up_sampling1d' }> }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const [b, t, f] = call.input().shape as [number, number, number];
  const size = call.layer.size;
  const dx = new Float64Array(b * t * f);
  for (let s = 0; s < b * t; s++) {
    for (let r = 0; r < size; r++) for (let j = 0; j < f; j++) dx[s * f + j] += dy[(s * size + r) * f + j]!;
  }
  return dx;
}
