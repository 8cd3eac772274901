/** Conv1D and the 1-D pooling layers (MaxPooling1D, AveragePooling1D, GlobalMax/GlobalAveragePooling1D) → engine layers. */
import type { Layer } from '../engine/model';
import { windowPlan, type Conv1DLayer, type ConvPadding } from '../engine/layers/conv1d';
import { shapeText } from '../engine/tensor';
import { child, fail, readBool, readPositiveInt } from './json-read';
import { readActivation } from './keras-activation';
import { readChoice, readSize, readSize2, readSizes, requireChannelsLast } from './keras-layer-args';
import { describeValue } from './load-error';
import type { LayerHeader } from './keras-layer-json';
import type { Converted, Flow } from './keras-recurrent';
import type { WeightCursor } from './weights';

function sequence(h: LayerHeader, flow: Flow): { time: number | null; channels: number | null } {
  if (!flow.dims) return { time: null, channels: null };
  if (flow.dims.length !== 2) {
    fail(h.configAt, `a sequence input (time steps, channels) for ${h.className} layer "${h.name}"`, `shape ${shapeText(flow.dims)} (${flow.from})`, { subject: `layer "${h.name}"` });
  }
  return { time: flow.dims[0]!, channels: flow.dims[1]! };
}

const out = (h: LayerHeader, dims: (number | null)[]): Flow => ({ dims, from: `the output of layer "${h.name}"` });
const steps = (t: number | null, size: number, strides: number, dilation: number, padding: ConvPadding) => (t === null ? null : windowPlan(t, size, strides, dilation, padding).steps);

export function convertConv1D(h: LayerHeader, flow: Flow, weights: WeightCursor): Converted<Layer> {
  requireChannelsLast(h);
  const at = (k: string) => child(h.configAt, k);
  const filters = readPositiveInt(h.config.filters, at('filters'), 'the number of filters (a positive integer)');
  const kernelSize = readSize(h, 'kernel_size');
  const strides = readSize(h, 'strides', 1);
  const dilation = readSize(h, 'dilation_rate', 1);
  const groups = h.config.groups === undefined ? 1 : readPositiveInt(h.config.groups, at('groups'));
  const padding = readChoice(h, 'padding', ['valid', 'same', 'causal'] as const, 'valid');
  const activation = readActivation(h.config.activation, at('activation'), 'linear', `activation of layer "${h.name}"`);
  const { time, channels } = sequence(h, flow);
  if (channels !== null && channels % groups !== 0) fail(at('groups'), `a number of groups dividing the ${channels} input channels`, String(groups), { subject: `layer "${h.name}"` });
  const cg = channels === null ? null : channels / groups;
  const kernel = weights.take({ layer: h.name, role: 'kernel', shape: [kernelSize, cg, filters], because: `[kernel_size ${kernelSize}, ${cg ?? 'any number of'} channels per group, ${filters} filters]` });
  const bias = readBool(h.config.use_bias, at('use_bias'), true) ? weights.take({ layer: h.name, role: 'bias', shape: [filters], because: `[${filters} filters]` }) : null;
  const layer: Conv1DLayer = { kind: 'conv1d', name: h.name, filters, kernelSize, strides, dilation, groups, padding, activation, kernel, bias };
  return { layer, out: out(h, [steps(time, kernelSize, strides, dilation, padding), filters]), consumed: [time, kernel.shape[1]! * groups] };
}

export function convertPool1D(h: LayerHeader, flow: Flow): Converted<Layer> {
  requireChannelsLast(h);
  const op = h.className.startsWith('Max') ? 'max' : 'average';
  const poolSize = readSize(h, 'pool_size', 2);
  const strides = h.config.strides === null || h.config.strides === undefined ? poolSize : readSize(h, 'strides');
  const padding = readChoice(h, 'padding', ['valid', 'same'] as const, 'valid');
  const { time, channels } = sequence(h, flow);
  return { layer: { kind: 'pool1d', name: h.name, op, poolSize, strides, padding }, out: out(h, [steps(time, poolSize, strides, 1, padding), channels]), consumed: flow.dims ?? [] };
}

export function convertGlobalPool1D(h: LayerHeader, flow: Flow): Converted<Layer> {
  requireChannelsLast(h);
  const op = h.className.startsWith('GlobalMax') ? 'max' : 'average';
  const keepDims = readBool(h.config.keepdims, child(h.configAt, 'keepdims'), false);
  const { channels } = sequence(h, flow);
  return { layer: { kind: 'global_pool1d', name: h.name, op, keepDims }, out: out(h, keepDims ? [1, channels] : [channels]), consumed: flow.dims ?? [] };
}

function image(h: LayerHeader, flow: Flow): (number | null)[] {
  if (!flow.dims) return [null, null, null];
  if (flow.dims.length !== 3) fail(h.configAt, `an image input (height, width, channels) for ${h.className} layer "${h.name}"`, `shape ${shapeText(flow.dims)} (${flow.from})`, { subject: `layer "${h.name}"` });
  return flow.dims;
}

export function convertConv2D(h: LayerHeader, flow: Flow, weights: WeightCursor): Converted<Layer> {
  requireChannelsLast(h);
  const at = (k: string) => child(h.configAt, k);
  const filters = readPositiveInt(h.config.filters, at('filters'), 'the number of filters (a positive integer)');
  const kernelSize = readSize2(h, 'kernel_size');
  const strides = readSize2(h, 'strides', 1);
  const dilation = readSize2(h, 'dilation_rate', 1);
  const groups = h.config.groups === undefined ? 1 : readPositiveInt(h.config.groups, at('groups'));
  const padding = readChoice(h, 'padding', ['valid', 'same'] as const, 'valid');
  const activation = readActivation(h.config.activation, at('activation'), 'linear', `activation of layer "${h.name}"`);
  const [H, W, C] = image(h, flow);
  const cg = C === null ? null : C! / groups;
  const kernel = weights.take({ layer: h.name, role: 'kernel', shape: [kernelSize[0], kernelSize[1], cg, filters], because: `[kernel ${kernelSize.join('×')}, ${cg ?? 'any number of'} channels per group, ${filters} filters]` });
  const bias = readBool(h.config.use_bias, at('use_bias'), true) ? weights.take({ layer: h.name, role: 'bias', shape: [filters], because: `[${filters} filters]` }) : null;
  const dims = [steps(H!, kernelSize[0], strides[0], dilation[0], padding), steps(W!, kernelSize[1], strides[1], dilation[1], padding), filters];
  return { layer: { kind: 'conv2d', name: h.name, filters, kernelSize, strides, dilation, groups, padding, activation, kernel, bias }, out: out(h, dims), consumed: flow.dims ?? [] };
}

export function convertPool2D(h: LayerHeader, flow: Flow): Converted<Layer> {
  requireChannelsLast(h);
  const op = h.className.startsWith('Max') ? 'max' : 'average';
  const poolSize = readSize2(h, 'pool_size', 2);
  const strides = h.config.strides === null || h.config.strides === undefined ? poolSize : readSize2(h, 'strides');
  const padding = readChoice(h, 'padding', ['valid', 'same'] as const, 'valid');
  const [H, W, C] = image(h, flow);
  const dims = [steps(H!, poolSize[0], strides[0], 1, padding), steps(W!, poolSize[1], strides[1], 1, padding), C!];
  return { layer: { kind: 'pool2d', name: h.name, op, poolSize, strides, padding }, out: out(h, dims), consumed: flow.dims ?? [] };
}

export function convertConv3D(h: LayerHeader, flow: Flow, weights: WeightCursor): Converted<Layer> {
  requireChannelsLast(h);
  const at = (k: string) => child(h.configAt, k);
  const filters = readPositiveInt(h.config.filters, at('filters'), 'the number of filters (a positive integer)');
  const kernelSize = readSizes(h, 'kernel_size', 3);
  const strides = readSizes(h, 'strides', 3, 1);
  const dilation = readSizes(h, 'dilation_rate', 3, 1);
  if (h.config.groups !== undefined && h.config.groups !== 1) fail(at('groups'), `groups 1 for Conv3D layer "${h.name}" (grouped 3-D convolutions are not implemented)`, describeValue(h.config.groups), { subject: `layer "${h.name}"` });
  const padding = readChoice(h, 'padding', ['valid', 'same'] as const, 'valid');
  const activation = readActivation(h.config.activation, at('activation'), 'linear', `activation of layer "${h.name}"`);
  if (flow.dims && flow.dims.length !== 4) fail(h.configAt, `a volume input (depth, height, width, channels) for Conv3D layer "${h.name}"`, `shape ${shapeText(flow.dims)} (${flow.from})`, { subject: `layer "${h.name}"` });
  const [D, H, W, C] = flow.dims ?? [null, null, null, null];
  const kernel = weights.take({ layer: h.name, role: 'kernel', shape: [...kernelSize, C!, filters], because: `[kernel ${kernelSize.join('×')}, ${C ?? 'any number of'} channels, ${filters} filters]` });
  const bias = readBool(h.config.use_bias, at('use_bias'), true) ? weights.take({ layer: h.name, role: 'bias', shape: [filters], because: `[${filters} filters]` }) : null;
  const dims = [D!, H!, W!].map((n, a) => steps(n, kernelSize[a]!, strides[a]!, dilation[a]!, padding));
  const folded = { shape: [kernel.data.length / filters, filters], data: kernel.data };
  return { layer: { kind: 'conv3d', name: h.name, filters, kernelSize, strides, dilation, padding, activation, kernel: folded, bias }, out: out(h, [...dims, filters]), consumed: flow.dims ?? [] };
}
