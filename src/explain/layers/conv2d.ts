/**
 * Conv2D and 2-D pooling backwards (src/engine/layers/conv2d.ts), as Conv1D's and 1-D pooling's (conv1d.ts,
 * pooling.ts) on two axes: the pre-activation recomputed by the forward with a linear activation, dpre = act'(pre)·dy
 * sent back through the taps that read each input position; an average window's dy shared by its real positions; a
 * max window's dy to the first position holding its max.
 */
import { windowPlan } from '../../engine/layers/conv1d';
import { applyConv2D, type Conv2DLayer, type Pool2DLayer } from '../../engine/layers/conv2d';
import { activationVjp } from '../derivatives';
import type { LayerCall } from './layer';

export function conv2DBackward(call: LayerCall & { layer: Conv2DLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { layer, ctx } = call;
  const x = call.input();
  const [batch, H, W, C] = x.shape as [number, number, number, number];
  const [KH, KW, cg, F] = layer.kernel.shape as [number, number, number, number];
  const rows = windowPlan(H, KH, layer.strides[0], layer.dilation[0], layer.padding);
  const cols = windowPlan(W, KW, layer.strides[1], layer.dilation[1], layer.padding);
  const OH = rows.steps;
  const OW = cols.steps;
  const pre = applyConv2D({ ...layer, activation: 'linear' }, { value: x, mask: null }, { precision: ctx.precision, hardSigmoid: ctx.hardSigmoid }).value.data;
  const dPre = new Float64Array(dy.length);
  const vjp = activationVjp(layer.activation, ctx.hardSigmoid);
  for (let r = 0; r < batch * OH * OW; r++) vjp(pre, r * F, dy, r * F, dPre, r * F, F);
  const w = layer.kernel.data;
  const perGroup = F / layer.groups;
  const dx = new Float64Array(x.data.length);
  for (let b = 0; b < batch; b++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
    const o0 = ((b * OH + i) * OW + j) * F;
    for (let ki = 0; ki < KH; ki++) {
      const r = i * layer.strides[0] + ki * layer.dilation[0] - rows.padLeft;
      if (r < 0 || r >= H) continue;
      for (let kj = 0; kj < KW; kj++) {
        const c0 = j * layer.strides[1] + kj * layer.dilation[1] - cols.padLeft;
        if (c0 < 0 || c0 >= W) continue;
        const x0 = ((b * H + r) * W + c0) * C;
        const w0 = (ki * KW + kj) * cg * F;
        for (let o = 0; o < F; o++) {
          const d = dPre[o0 + o]!;
          if (d === 0) continue;
          const g = Math.floor(o / perGroup);
          for (let c = 0; c < cg; c++) dx[x0 + g * cg + c] += d * w[w0 + c * F + o]!;
        }
      }
    }
  }
  return dx;
}

export function pool2DBackward(call: LayerCall & { layer: Pool2DLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { layer } = call;
  const x = call.input();
  const [batch, H, W, C] = x.shape as [number, number, number, number];
  const rows = windowPlan(H, layer.poolSize[0], layer.strides[0], 1, layer.padding);
  const cols = windowPlan(W, layer.poolSize[1], layer.strides[1], 1, layer.padding);
  const OH = rows.steps;
  const OW = cols.steps;
  const dx = new Float64Array(x.data.length);
  const at = (b: number, r: number, q: number, c: number) => ((b * H + r) * W + q) * C + c;
  for (let b = 0; b < batch; b++) for (let i = 0; i < OH; i++) {
    const r0 = Math.max(0, i * layer.strides[0] - rows.padLeft);
    const r1 = Math.min(H, i * layer.strides[0] - rows.padLeft + layer.poolSize[0]);
    for (let j = 0; j < OW; j++) {
      const c0 = Math.max(0, j * layer.strides[1] - cols.padLeft);
      const c1 = Math.min(W, j * layer.strides[1] - cols.padLeft + layer.poolSize[1]);
      for (let c = 0; c < C; c++) {
        const g = dy[((b * OH + i) * OW + j) * C + c]!;
        if (layer.op === 'average') {
          const n = (r1 - r0) * (c1 - c0);
          for (let r = r0; r < r1; r++) for (let q = c0; q < c1; q++) dx[at(b, r, q, c)] += g / n;
          continue;
        }
        let best = at(b, r0, c0, c);
        for (let r = r0; r < r1; r++) for (let q = c0; q < c1; q++) if (x.data[at(b, r, q, c)]! > x.data[best]!) best = at(b, r, q, c);
        dx[best] += g;
      }
    }
  }
  return dx;
}
