/**
 * 1-D pooling over time, channels last. MaxPooling1D / AveragePooling1D: windows of `poolSize` every `strides`
 * steps, `same` padding placed as Conv1D places it; an average divides by the real (unpadded) values in its window,
 * as Keras does. GlobalMax/GlobalAveragePooling1D: over all steps; the average skips masked steps (Σ x·m / Σ m),
 * the max ignores the mask, as in Keras 3.
 */
import { RunError } from '../errors';
import { alloc, requireRank, type Flow, type LayerContext } from './flow';
import { windowPlan } from './conv1d';
import { rounding } from '../tensor';

export interface Pool1DLayer {
  kind: 'pool1d';
  name: string;
  op: 'max' | 'average';
  poolSize: number;
  strides: number;
  padding: 'valid' | 'same';
}

export interface GlobalPool1DLayer {
  kind: 'global_pool1d';
  name: string;
  op: 'max' | 'average';
  keepDims: boolean;
}

export function applyPool1D(layer: Pool1DLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  requireRank(v, 3, layer.name, 'a 3-D input [batch, time steps, channels] (pooling)');
  const [batch, length, ch] = v.shape as [number, number, number];
  const { steps, padLeft } = windowPlan(length, layer.poolSize, layer.strides, 1, layer.padding);
  if (steps < 1) throw new RunError(`layer "${layer.name}": ${length} steps are fewer than pool_size ${layer.poolSize}`);
  const out = alloc(batch * steps * ch, ctx);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) {
      const from = Math.max(0, t * layer.strides - padLeft);
      const to = Math.min(length, t * layer.strides - padLeft + layer.poolSize);
      const o0 = (b * steps + t) * ch;
      for (let c = 0; c < ch; c++) {
        let acc = layer.op === 'max' ? -Infinity : 0;
        for (let s = from; s < to; s++) {
          const val = v.data[(b * length + s) * ch + c]!;
          acc = layer.op === 'max' ? Math.max(acc, val) : acc + val;
          if (layer.op === 'average') acc = out instanceof Float32Array ? Math.fround(acc) : acc;
        }
        out[o0 + c] = layer.op === 'max' ? acc : acc / (to - from);
      }
    }
  }
  return { value: { shape: [batch, steps, ch], data: out }, mask: null };
}

export function applyGlobalPool1D(layer: GlobalPool1DLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  requireRank(v, 3, layer.name, 'a 3-D input [batch, time steps, channels] (global pooling)');
  const [batch, steps, ch] = v.shape as [number, number, number];
  const round = rounding(ctx.precision);
  const mask = layer.op === 'average' ? x.mask : null;
  const out = alloc(batch * ch, ctx);
  for (let b = 0; b < batch; b++) {
    let count = 0;
    for (let s = 0; s < steps; s++) count += mask ? mask[b * steps + s]! : 1;
    for (let c = 0; c < ch; c++) {
      let acc = layer.op === 'max' ? -Infinity : 0;
      for (let s = 0; s < steps; s++) {
        const val = v.data[(b * steps + s) * ch + c]!;
        if (layer.op === 'max') acc = Math.max(acc, val);
        else acc = round(acc + (mask ? val * mask[b * steps + s]! : val));
      }
      out[b * ch + c] = layer.op === 'max' ? acc : acc / count;
    }
  }
  return { value: { shape: layer.keepDims ? [batch, 1, ch] : [batch, ch], data: out }, mask: null };
}
