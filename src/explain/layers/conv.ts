/**
 * Conv1D, Conv2D and Conv3D backwards, one way: the pre-activation recomputed by the layer's own forward with a
 * linear activation, dpre = act'(pre)·dy, then the convolution transposed over the engine's patch plan
 * (conv-transpose.ts, which the ConvLSTM cell's backward shares): each output position's dpre times the kernel goes
 * back to the input positions its taps read.
 */
import { patchPlan, type ConvGeometry } from '../../engine/conv-patches';
import type { Tensor } from '../../engine/tensor';
import { addPatchTranspose } from '../conv-transpose';
import { activationVjp } from '../derivatives';
import { weightIn } from '../linalg';
import type { LayerCall } from './layer';

export interface ConvBackward {
  /** The geometry over the input's spatial axes (channels last). */
  geometry: Omit<ConvGeometry, 'spatial' | 'channels' | 'channelsFirst'>;
  /** The Keras kernel [k₁, …, k_n, channels / groups, filters] (or its kernel axes folded into rows). */
  kernel: Tensor;
  filters: number;
  groups: number;
  activation: string;
  /** The layer's forward on the call's input with a linear activation: the pre-activation. */
  linear: () => Tensor;
}

export function convBackward(call: LayerCall, conv: ConvBackward): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { ctx } = call;
  const x = call.input();
  const batch = x.shape[0]!;
  const plan = patchPlan({ ...conv.geometry, spatial: x.shape.slice(1, -1), channels: x.shape[x.shape.length - 1]!, channelsFirst: false });
  const F = conv.filters;
  const pre = conv.linear().data;
  const dPre = new Float64Array(dy.length);
  const vjp = activationVjp(conv.activation, ctx.hardSigmoid);
  for (let r = 0; r < dy.length / F; r++) vjp(pre, r * F, dy, r * F, dPre, r * F, F);
  // The weights as the run used them (a float32 run rounds them).
  const K = weightIn(conv.kernel, ctx.precision);
  const dx = new Float64Array(x.data.length);
  const frame = x.data.length / batch;
  for (let b = 0; b < batch; b++) addPatchTranspose(plan, K, F, dPre, b * plan.positions * F, dx, b * frame, conv.groups);
  return dx;
}
