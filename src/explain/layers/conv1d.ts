/**
 * Conv1D backwards (src/engine/layers/conv1d.ts): the pre-activation recomputed by the forward itself with a linear
 * activation, dpre = act'(pre)·dy, then each output step's dpre goes back through the kernel taps that read each
 * input step: dx[b, t·s + k·d − padLeft, g·Cg + c] += Σ_o dpre[b, t, o] · W[k, c, o].
 */
import { applyConv1D, windowPlan, type Conv1DLayer } from '../../engine/layers/conv1d';
import { activationVjp } from '../derivatives';
import type { LayerCall } from './layer';

export function conv1DBackward(call: LayerCall & { layer: Conv1DLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { layer, ctx } = call;
  const x = call.input();
  const [batch, length, channels] = x.shape as [number, number, number];
  const [K, cg, filters] = layer.kernel.shape as [number, number, number];
  const { steps, padLeft } = windowPlan(length, K, layer.strides, layer.dilation, layer.padding);
  const pre = applyConv1D({ ...layer, activation: 'linear' }, { value: x, mask: null }, { precision: ctx.precision, hardSigmoid: ctx.hardSigmoid }).value.data;
  const dPre = new Float64Array(dy.length);
  const vjp = activationVjp(layer.activation, ctx.hardSigmoid);
  for (let r = 0; r < batch * steps; r++) vjp(pre, r * filters, dy, r * filters, dPre, r * filters, filters);
  const w = layer.kernel.data;
  const perGroup = filters / layer.groups;
  const dx = new Float64Array(x.data.length);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) {
      const o0 = (b * steps + t) * filters;
      for (let k = 0; k < K; k++) {
        const at = t * layer.strides + k * layer.dilation - padLeft;
        if (at < 0 || at >= length) continue;
        const x0 = (b * length + at) * channels;
        for (let o = 0; o < filters; o++) {
          const d = dPre[o0 + o]!;
          if (d === 0) continue;
          const g = Math.floor(o / perGroup);
          for (let c = 0; c < cg; c++) dx[x0 + g * cg + c] += d * w[(k * cg + c) * filters + o]!;
        }
      }
    }
  }
  return dx;
}
