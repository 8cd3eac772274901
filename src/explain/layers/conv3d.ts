/**
 * Conv3D backwards (src/engine/layers/conv3d.ts): the pre-activation recomputed by the forward with a linear
 * activation, dpre = act'(pre)·dy, then the convolution transposed frame by frame (conv-transpose.ts).
 */
import { patchPlan } from '../../engine/conv-patches';
import { applyConv3D, type Conv3DLayer } from '../../engine/layers/conv3d';
import { addPatchTranspose } from '../conv-transpose';
import { activationVjp } from '../derivatives';
import { weightIn } from '../linalg';
import type { LayerCall } from './layer';

export function conv3DBackward(call: LayerCall & { layer: Conv3DLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { layer, ctx } = call;
  const x = call.input();
  const [batch, D, H, W, C] = x.shape as [number, number, number, number, number];
  const plan = patchPlan({ spatial: [D, H, W], channels: C, kernel: layer.kernelSize, strides: layer.strides, dilation: layer.dilation, padding: layer.padding, channelsFirst: false });
  const F = layer.filters;
  const pre = applyConv3D({ ...layer, activation: 'linear' }, { value: x, mask: null }, { precision: ctx.precision, hardSigmoid: ctx.hardSigmoid }).value.data;
  const dPre = new Float64Array(dy.length);
  const vjp = activationVjp(layer.activation, ctx.hardSigmoid);
  for (let r = 0; r < dy.length / F; r++) vjp(pre, r * F, dy, r * F, dPre, r * F, F);
  const K = weightIn(layer.kernel, ctx.precision);
  const dx = new Float64Array(x.data.length);
  const frame = D * H * W * C;
  for (let b = 0; b < batch; b++) addPatchTranspose(plan, K, F, dPre, b * plan.positions * F, dx, b * frame);
  return dx;
}
