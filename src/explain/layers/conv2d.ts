/**
 * Conv2D and 2-D pooling backwards (src/engine/layers/conv2d.ts): the convolution transposed (conv.ts); as 1-D
 * pooling's (pooling.ts) on two axes, an average window's dy shared by its real positions, a max window's dy to the
 * first position holding its max.
 */
import { windowPlan } from '../../engine/layers/conv1d';
import { applyConv2D, type Conv2DLayer, type Pool2DLayer } from '../../engine/layers/conv2d';
import { convBackward } from './conv';
import type { LayerCall } from './layer';

export function conv2DBackward(call: LayerCall & { layer: Conv2DLayer }): Float64Array | null {
  const { layer, ctx } = call;
  return convBackward(call, {
    geometry: { kernel: layer.kernelSize, strides: layer.strides, dilation: layer.dilation, padding: layer.padding },
    kernel: layer.kernel,
    filters: layer.kernel.shape[3]!,
    groups: layer.groups,
    activation: layer.activation,
    linear: () => applyConv2D({ ...layer, activation: 'linear' }, { value: call.input(), mask: null }, { precision: ctx.precision, hardSigmoid: ctx.hardSigmoid }).value,
  });
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
