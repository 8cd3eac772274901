/**
 * Conv2D and 2-D pooling, channels last (what TimeDistributed video models wrap around each frame):
 *   y[b, i, j, o] = act(bias[o] + Σ_{ki, kj, c} x[b, i·sh + ki·dh − padTop, j·sw + kj·dw − padLeft, g·Cg + c] · W[ki, kj, c, o])
 * Padding and output sizes per axis as Conv1D's (`same`: the smaller half of the padding first). Max/Average
 * pooling windows likewise; an average divides by the real values in its window.
 */
import { activation } from '../activations';
import { RunError } from '../errors';
import type { Tensor } from '../tensor';
import { rounding, shapeText } from '../tensor';
import { windowPlan } from './conv1d';
import { alloc, requireRank, type Flow, type LayerContext } from './flow';

export interface Conv2DLayer {
  kind: 'conv2d';
  name: string;
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  dilation: [number, number];
  groups: number;
  padding: 'valid' | 'same';
  activation: string;
  /** [kh, kw, channels / groups, filters] */
  kernel: Tensor;
  bias: Tensor | null;
}

export interface Pool2DLayer {
  kind: 'pool2d';
  name: string;
  op: 'max' | 'average';
  poolSize: [number, number];
  strides: [number, number];
  padding: 'valid' | 'same';
}

export function applyConv2D(layer: Conv2DLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  requireRank(v, 4, layer.name, 'a 4-D input [batch, height, width, channels] (Conv2D)');
  const [batch, H, W, C] = v.shape as [number, number, number, number];
  const [KH, KW, cg, F] = layer.kernel.shape as [number, number, number, number];
  if (cg * layer.groups !== C) throw new RunError(`layer "${layer.name}" (Conv2D) expects ${cg * layer.groups} channels; got input of shape ${shapeText(v.shape)}`);
  const rows = windowPlan(H, KH, layer.strides[0], layer.dilation[0], layer.padding);
  const cols = windowPlan(W, KW, layer.strides[1], layer.dilation[1], layer.padding);
  if (rows.steps < 1 || cols.steps < 1) throw new RunError(`layer "${layer.name}" (Conv2D): the input ${shapeText(v.shape)} is smaller than the kernel`);
  const w = alloc(layer.kernel.data.length, ctx);
  w.set(layer.kernel.data);
  const OH = rows.steps;
  const OW = cols.steps;
  const out = alloc(batch * OH * OW * F, ctx);
  const perGroup = F / layer.groups;
  const act = activation(layer.activation, ctx.hardSigmoid);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < OH; i++) {
      for (let j = 0; j < OW; j++) {
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
              const g = Math.floor(o / perGroup);
              let acc = out[o0 + o]!;
              for (let c = 0; c < cg; c++) acc += v.data[x0 + g * cg + c]! * w[w0 + c * F + o]!;
              out[o0 + o] = acc;
            }
          }
        }
        if (layer.bias) for (let o = 0; o < F; o++) out[o0 + o] = out[o0 + o]! + layer.bias.data[o]!;
        act(out, o0, F);
      }
    }
  }
  return { value: { shape: [batch, OH, OW, F], data: out }, mask: null };
}

export function applyPool2D(layer: Pool2DLayer, x: Flow, ctx: LayerContext): Flow {
  const v = x.value;
  requireRank(v, 4, layer.name, 'a 4-D input [batch, height, width, channels] (2-D pooling)');
  const [batch, H, W, C] = v.shape as [number, number, number, number];
  const rows = windowPlan(H, layer.poolSize[0], layer.strides[0], 1, layer.padding);
  const cols = windowPlan(W, layer.poolSize[1], layer.strides[1], 1, layer.padding);
  if (rows.steps < 1 || cols.steps < 1) throw new RunError(`layer "${layer.name}": the input ${shapeText(v.shape)} is smaller than pool_size`);
  const OH = rows.steps;
  const OW = cols.steps;
  const out = alloc(batch * OH * OW * C, ctx);
  const round = rounding(ctx.precision);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < OH; i++) {
      const r0 = Math.max(0, i * layer.strides[0] - rows.padLeft);
      const r1 = Math.min(H, i * layer.strides[0] - rows.padLeft + layer.poolSize[0]);
      for (let j = 0; j < OW; j++) {
        const c0 = Math.max(0, j * layer.strides[1] - cols.padLeft);
        const c1 = Math.min(W, j * layer.strides[1] - cols.padLeft + layer.poolSize[1]);
        const o0 = ((b * OH + i) * OW + j) * C;
        for (let c = 0; c < C; c++) {
          let acc = layer.op === 'max' ? -Infinity : 0;
          for (let r = r0; r < r1; r++) {
            for (let q = c0; q < c1; q++) {
              const val = v.data[((b * H + r) * W + q) * C + c]!;
              acc = layer.op === 'max' ? Math.max(acc, val) : round(acc + val);
            }
          }
          out[o0 + c] = layer.op === 'max' ? acc : acc / ((r1 - r0) * (c1 - c0));
        }
      }
    }
  }
  return { value: { shape: [batch, OH, OW, C], data: out }, mask: null };
}
