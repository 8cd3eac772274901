/**
 * Normalization layers at inference, backwards (src/engine/layers/normalization.ts).
 * BatchNormalization: y = x · γ/√(var + ε) + …, per channel of its axis → dx = dy · γ/√(var + ε).
 * LayerNormalization over the last axis, x̂ = (x − μ)·r, r = 1/√(var + ε), g = dy·γ:
 *   dx = r · (g − mean(g) − x̂ · mean(g ⊙ x̂)); rms_scaling (y = x·r·γ, var still centred, as Keras's ops.var):
 *   dx = r·g − r³ (x − μ) · mean(g ⊙ x).
 * UnitNormalization, y = x · r, r = 1/‖x‖ over its axes: dx = r·dy − r³ x ⟨dy, x⟩.
 */
import { resolveAxis } from '../../engine/layers/flow';
import { unitNormGroups, type BatchNormLayer, type LayerNormLayer, type UnitNormLayer } from '../../engine/layers/normalization';
import type { LayerCall } from './layer';

export function batchNormBackward(call: LayerCall & { layer: BatchNormLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { layer } = call;
  const x = call.input();
  const axis = resolveAxis(layer.axis, x.shape.length, layer.name);
  const n = x.shape[axis]!;
  const inner = x.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const inv = Float64Array.from({ length: n }, (_, c) => (layer.gamma ? layer.gamma.data[c]! : 1) / Math.sqrt(layer.movingVariance.data[c]! + layer.epsilon));
  return Float64Array.from(dy, (g, k) => g * inv[Math.floor(k / inner) % n]!);
}

export function layerNormBackward(call: LayerCall & { layer: LayerNormLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { layer } = call;
  const v = call.input().data;
  const n = call.input().shape.at(-1)!;
  const dx = new Float64Array(dy.length);
  const g = new Float64Array(n);
  for (let off = 0; off < v.length; off += n) {
    let mean = 0;
    for (let j = 0; j < n; j++) mean += v[off + j]!;
    mean /= n;
    let variance = 0;
    for (let j = 0; j < n; j++) variance += (v[off + j]! - mean) ** 2;
    variance /= n;
    const r = 1 / Math.sqrt(variance + layer.epsilon);
    for (let j = 0; j < n; j++) g[j] = dy[off + j]! * (layer.gamma ? layer.gamma.data[j]! : 1);
    if (layer.rmsScaling) {
      let gx = 0;
      for (let j = 0; j < n; j++) gx += g[j]! * v[off + j]!;
      for (let j = 0; j < n; j++) dx[off + j] = r * g[j]! - ((r * r * r * (v[off + j]! - mean)) * gx) / n;
      continue;
    }
    let gMean = 0;
    let gxMean = 0;
    for (let j = 0; j < n; j++) {
      gMean += g[j]!;
      gxMean += g[j]! * (v[off + j]! - mean) * r;
    }
    gMean /= n;
    gxMean /= n;
    for (let j = 0; j < n; j++) dx[off + j] = r * (g[j]! - gMean - (v[off + j]! - mean) * r * gxMean);
  }
  return dx;
}

export function unitNormBackward(call: LayerCall & { layer: UnitNormLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { layer } = call;
  const x = call.input();
  const rank = x.shape.length;
  const axes = new Set(layer.axes.map((a) => resolveAxis(a, rank, layer.name)));
  const { pos, groups } = unitNormGroups(x.shape, axes);
  const sq = new Float64Array(groups);
  const dot = new Float64Array(groups);
  for (let k = 0; k < pos.length; k++) {
    sq[pos[k]!] += x.data[k]! * x.data[k]!;
    dot[pos[k]!] += dy[k]! * x.data[k]!;
  }
  return Float64Array.from(dy, (g, k) => {
    const r = Math.min(1 / Math.sqrt(sq[pos[k]!]!), 1e12);
    return r === 1e12 ? g * r : r * g - r * r * r * x.data[k]! * dot[pos[k]!]!;
  });
}
