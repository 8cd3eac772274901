/**
 * 1-D pooling backwards (src/engine/layers/pooling.ts). Average: each window's dy shared by its real (unpadded)
 * steps; the global average by the unmasked steps only (the forward's Σ x·m / Σ m). Max: the window's dy to the step
 * the max came from (the first of equal ones, as XLA's select-and-scatter picks one); the global max (jnp.max over
 * time) splits it equally among equal maxima, as JAX's reduction gradient does.
 */
import { windowPlan } from '../../engine/layers/conv1d';
import type { GlobalPool1DLayer, Pool1DLayer } from '../../engine/layers/pooling';
import type { LayerCall } from './layer';

export function pool1DBackward(call: LayerCall & { layer: Pool1DLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { layer } = call;
  const x = call.input();
  const [batch, length, ch] = x.shape as [number, number, number];
  const { steps, padLeft } = windowPlan(length, layer.poolSize, layer.strides, 1, layer.padding);
  const dx = new Float64Array(x.data.length);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) {
      const from = Math.max(0, t * layer.strides - padLeft);
      const to = Math.min(length, t * layer.strides - padLeft + layer.poolSize);
      for (let c = 0; c < ch; c++) {
        const g = dy[(b * steps + t) * ch + c]!;
        if (layer.op === 'average') {
          for (let s = from; s < to; s++) dx[(b * length + s) * ch + c] += g / (to - from);
          continue;
        }
        let at = from;
        for (let s = from + 1; s < to; s++) if (x.data[(b * length + s) * ch + c]! > x.data[(b * length + at) * ch + c]!) at = s;
        dx[(b * length + at) * ch + c] += g;
      }
    }
  }
  return dx;
}

export function globalPool1DBackward(call: LayerCall & { layer: GlobalPool1DLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { layer } = call;
  const x = call.input();
  const [batch, steps, ch] = x.shape as [number, number, number];
  const mask = layer.op === 'average' ? (call.inputMask?.() ?? null) : null;
  const dx = new Float64Array(x.data.length);
  for (let b = 0; b < batch; b++) {
    let count = 0;
    for (let s = 0; s < steps; s++) count += mask ? mask[b * steps + s]! : 1;
    for (let c = 0; c < ch; c++) {
      const g = dy[b * ch + c]!;
      if (layer.op === 'average') {
        for (let s = 0; s < steps; s++) dx[(b * steps + s) * ch + c] = mask && !mask[b * steps + s] ? 0 : g / count;
        continue;
      }
      let max = -Infinity;
      for (let s = 0; s < steps; s++) max = Math.max(max, x.data[(b * steps + s) * ch + c]!);
      let ties = 0;
      for (let s = 0; s < steps; s++) if (x.data[(b * steps + s) * ch + c] === max) ties++;
      for (let s = 0; s < steps; s++) if (x.data[(b * steps + s) * ch + c] === max) dx[(b * steps + s) * ch + c] = g / ties;
    }
  }
  return dx;
}
