/**
 * Conv3D, channels last (the head of keras.io's next-frame prediction model, after its ConvLSTM2D stack):
 *   y[b, d, i, j, o] = act(bias[o] + Σ_{kd, ki, kj, c} x[b, d·s₁ + kd·r₁ − pad₁, i·s₂ + ki·r₂ − pad₂, j·s₃ + kj·r₃ − pad₃, c] · W[kd, ki, kj, c, o])
 * as im2col rows times the kernel (src/engine/conv-patches.ts), padding per axis as Conv1D's.
 */
import { activation } from '../activations';
import { convolveFrame, patchPlan } from '../conv-patches';
import { RunError } from '../errors';
import { shapeText, type Tensor } from '../tensor';
import { alloc, requireRank, type Flow, type LayerContext } from './flow';

export interface Conv3DLayer {
  kind: 'conv3d';
  name: string;
  filters: number;
  kernelSize: number[];
  strides: number[];
  dilation: number[];
  padding: 'valid' | 'same';
  activation: string;
  /** [kd·kh·kw·channels, filters]: the Keras kernel [kd, kh, kw, channels, filters] with its kernel axes folded into rows. */
  kernel: Tensor;
  bias: Tensor | null;
}

export function applyConv3D(layer: Conv3DLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  requireRank(v, 5, layer.name, 'a 5-D input [batch, depth, height, width, channels] (Conv3D)');
  const [batch, D, H, W, C] = v.shape as [number, number, number, number, number];
  const taps = layer.kernelSize.reduce((a, b) => a * b, 1);
  if (taps * C !== layer.kernel.shape[0]) throw new RunError(`layer "${layer.name}" (Conv3D) expects ${layer.kernel.shape[0]! / taps} channels; got input of shape ${shapeText(v.shape)}`);
  const plan = patchPlan({ spatial: [D, H, W], channels: C, kernel: layer.kernelSize, strides: layer.strides, dilation: layer.dilation, padding: layer.padding, channelsFirst: false });
  if (plan.positions < 1) throw new RunError(`layer "${layer.name}" (Conv3D): the input ${shapeText(v.shape)} is smaller than the kernel`);
  const F = layer.filters;
  const kernel = alloc(layer.kernel.data.length, ctx);
  kernel.set(layer.kernel.data);
  const row = alloc(taps * C, ctx);
  const P = plan.positions;
  const out = alloc(batch * P * F, ctx);
  const act = activation(layer.activation, ctx.hardSigmoid);
  const frame = D * H * W * C;
  for (let b = 0; b < batch; b++) convolveFrame(plan, v.data, b * frame, kernel, F, row, out, b * P * F);
  for (let p = 0; p < batch * P; p++) {
    if (layer.bias) for (let o = 0; o < F; o++) out[p * F + o] = out[p * F + o]! + layer.bias.data[o]!;
    act(out, p * F, F);
  }
  return { value: { shape: [batch, ...plan.out, F], data: out }, mask: null };
}
