/**
 * Conv1D, channels last: y[b, t, o] = act(bias[o] + Σ_k Σ_c x[b, t·s + k·d − padLeft, g·Cg + c] · W[k, c, o]),
 * o in group g = o / (filters / groups), Cg = channels / groups. Padding: `valid` (none), `same` (Keras/XLA: total
 * (⌈L/s⌉−1)·s + (K−1)·d + 1 − L, the smaller half on the left), `causal` ((K−1)·d on the left, output length L/s).
 */
import { activation } from '../activations';
import { RunError } from '../errors';
import type { Tensor } from '../tensor';
import { shapeText } from '../tensor';
import { alloc, requireRank, type Flow, type LayerContext } from './flow';

export type ConvPadding = 'valid' | 'same' | 'causal';

export interface Conv1DLayer {
  kind: 'conv1d';
  name: string;
  filters: number;
  kernelSize: number;
  strides: number;
  dilation: number;
  groups: number;
  padding: ConvPadding;
  activation: string;
  /** [kernelSize, channels / groups, filters] */
  kernel: Tensor;
  bias: Tensor | null;
}

/** Output length and left padding of a 1-D window walk (shared with pooling). */
export function windowPlan(length: number, size: number, strides: number, dilation: number, padding: ConvPadding): { steps: number; padLeft: number } {
  const span = (size - 1) * dilation + 1;
  if (padding === 'valid') return { steps: Math.max(0, Math.floor((length - span) / strides) + 1), padLeft: 0 };
  const steps = Math.ceil(length / strides);
  if (padding === 'causal') return { steps, padLeft: span - 1 };
  const total = Math.max((steps - 1) * strides + span - length, 0);
  return { steps, padLeft: Math.floor(total / 2) };
}

export function applyConv1D(layer: Conv1DLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  requireRank(v, 3, layer.name, 'a 3-D input [batch, time steps, channels] (Conv1D)');
  const [batch, length, channels] = v.shape as [number, number, number];
  const [K, cg, filters] = layer.kernel.shape as [number, number, number];
  if (cg * layer.groups !== channels) {
    throw new RunError(`layer "${layer.name}" (Conv1D) expects ${cg * layer.groups} channels; got input of shape ${shapeText(v.shape)}`);
  }
  const { steps, padLeft } = windowPlan(length, K, layer.strides, layer.dilation, layer.padding);
  if (steps < 1) throw new RunError(`layer "${layer.name}" (Conv1D): ${length} steps are fewer than the kernel's span`);
  const w = alloc(layer.kernel.data.length, ctx);
  w.set(layer.kernel.data);
  const out = alloc(batch * steps * filters, ctx);
  const perGroup = filters / layer.groups;
  const act = activation(layer.activation, ctx.hardSigmoid);
  const xs = v.data;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) {
      const o0 = (b * steps + t) * filters;
      for (let k = 0; k < K; k++) {
        const at = t * layer.strides + k * layer.dilation - padLeft;
        if (at < 0 || at >= length) continue;
        const x0 = (b * length + at) * channels;
        for (let o = 0; o < filters; o++) {
          const g = Math.floor(o / perGroup);
          let acc = out[o0 + o]!;
          for (let c = 0; c < cg; c++) acc += xs[x0 + g * cg + c]! * w[(k * cg + c) * filters + o]!;
          out[o0 + o] = acc;
        }
      }
      if (layer.bias) for (let o = 0; o < filters; o++) out[o0 + o] = out[o0 + o]! + layer.bias.data[o]!;
      act(out, o0, filters);
    }
  }
  return { value: { shape: [batch, steps, filters], data: out }, mask: null };
}
