/**
 * ConvLSTM1D / ConvLSTM2D / ConvLSTM3D configs → recurrent layers of kind `conv_lstm` (src/engine/cells/conv-lstm.ts):
 * the LSTM's settings plus the convolution's (filters, kernel_size, strides, padding, dilation_rate, data_format), and
 * kernel [k…, channels, 4·filters], recurrent_kernel [k…, filters, 4·filters], bias [4·filters] with the kernel axes
 * folded into rows. dropout / recurrent_dropout do nothing at inference; unit_forget_bias only initializes.
 */
import type { RecurrentLayer } from '../engine/model';
import { convOutput } from '../engine/conv-patches';
import { shapeText, type Tensor } from '../engine/tensor';
import { child, fail, readBool, readPositiveInt } from './json-read';
import { readActivation } from './keras-activation';
import { readChoice, readDataFormat, readSizes } from './keras-layer-args';
import type { LayerEnv, LayerHeader } from './keras-layer-json';
import type { Converted, Flow } from './keras-recurrent';
import type { WeightCursor } from './weights';

/** Keras class → number of spatial axes. */
export const CONV_LSTM_RANK: Record<string, number> = { ConvLSTM1D: 1, ConvLSTM2D: 2, ConvLSTM3D: 3 };

const AXES = ['steps', 'rows', 'cols'];
const axesText = (rank: number) => (rank === 1 ? ['steps'] : rank === 2 ? AXES.slice(1) : ['dim1', 'dim2', 'dim3']);

/** The kernel with its kernel axes folded into rows: [taps·in, cols] (the same values, row-major). */
const folded = (t: Tensor): Tensor => {
  const cols = t.shape[t.shape.length - 1]!;
  return { shape: [t.data.length / cols, cols], data: t.data };
};

export function convertConvLstm(
  h: LayerHeader,
  flow: Flow,
  weights: WeightCursor,
  env: LayerEnv,
  wrap?: { direction: 'forward' | 'backward'; owner: string },
): Converted<RecurrentLayer> {
  void env;
  const rank = CONV_LSTM_RANK[h.className]!;
  const c = h.config;
  const at = (key: string) => child(h.configAt, key);
  const subject = (what: string) => `${what} of layer "${h.name}"`;
  const filters = readPositiveInt(c.filters, at('filters'), 'the number of filters (a positive integer)');
  const kernelSize = readSizes(h, 'kernel_size', rank);
  const strides = readSizes(h, 'strides', rank, 1);
  const dilation = readSizes(h, 'dilation_rate', rank, 1);
  const padding = readChoice(h, 'padding', ['valid', 'same'] as const, 'valid');
  const channelsFirst = readDataFormat(h) === 'channels_first';
  if (strides.some((s) => s > 1) && dilation.some((d) => d > 1)) {
    fail(at('dilation_rate'), `strides 1 when dilation_rate is above 1 (Keras refuses both at once) in layer "${h.name}"`, `strides ${shapeText(strides)}, dilation_rate ${shapeText(dilation)}`, { subject: `layer "${h.name}"` });
  }
  const config = {
    units: filters,
    activation: readActivation(c.activation, at('activation'), 'tanh', subject('activation')),
    recurrentActivation: readActivation(c.recurrent_activation, at('recurrent_activation'), 'sigmoid', subject('recurrent_activation')),
    useBias: readBool(c.use_bias, at('use_bias'), true),
    returnSequences: readBool(c.return_sequences, at('return_sequences'), false),
    returnState: readBool(c.return_state, at('return_state'), false),
    goBackwards: readBool(c.go_backwards, at('go_backwards'), false),
    stateful: readBool(c.stateful, at('stateful'), false),
    resetAfter: false,
  };

  const want = channelsFirst ? `(time steps, channels, ${axesText(rank).join(', ')})` : `(time steps, ${axesText(rank).join(', ')}, channels)`;
  if (flow.dims && flow.dims.length !== rank + 2) {
    fail(h.configAt, `a sequence of ${rank}-D frames ${want} per sample for ${h.className} layer "${h.name}"`, `shape ${shapeText(flow.dims)} (${flow.from})`, {
      subject: `layer "${h.name}"`,
      hint: `${h.className} reads (samples, ${want.slice(1)}; the layer before needs return_sequences=True to stack it`,
    });
  }
  const dims = flow.dims ?? new Array<number | null>(rank + 2).fill(null);
  const time = dims[0]!;
  const frame = dims.slice(1);
  const channels = channelsFirst ? frame[0]! : frame[rank]!;
  const spatial = channelsFirst ? frame.slice(1) : frame.slice(0, rank);

  const owner = wrap?.owner ?? h.name;
  const req = { layer: owner, ...(wrap ? { direction: wrap.direction } : {}) };
  const gates = `4 gates (i, f, c, o) × ${filters} filters`;
  const k = kernelSize.join('×');
  const kernel = weights.take({
    ...req,
    role: 'kernel',
    shape: [...kernelSize, channels, 4 * filters],
    because: `[kernel ${k}, ${channels ?? 'any number of'} input channels${channels !== null ? ` (${flow.from})` : ''}, ${gates}]`,
  });
  const recurrentKernel = weights.take({ ...req, role: 'recurrent_kernel', shape: [...kernelSize, filters, 4 * filters], because: `[kernel ${k}, ${filters} filters, ${gates}]` });
  const bias = config.useBias ? weights.take({ ...req, role: 'bias', shape: [4 * filters], because: `[${gates}]` }) : null;
  const inChannels = kernel.shape[rank]!;

  const layer: RecurrentLayer = {
    kind: 'recurrent',
    name: wrap ? `${wrap.direction}_${h.name.replace(/^(forward|backward)_/, '')}` : h.name,
    cell: 'conv_lstm',
    config,
    conv: { filters, channels: inChannels, kernelSize, strides, dilation, padding, channelsFirst, spatial },
    weights: { kernel: folded(kernel), recurrentKernel: folded(recurrentKernel), bias },
  };
  const out = spatial.map((n, a) => (n === null ? null : convOutput({ spatial: [n], kernel: [kernelSize[a]!], strides: [strides[a]!], dilation: [dilation[a]!], padding })[0]!));
  if (out.some((n) => n !== null && n < 1)) {
    fail(at('kernel_size'), `a kernel no larger than the input frames ${shapeText(spatial)} (padding valid) in layer "${h.name}"`, `kernel_size ${shapeText(kernelSize)}, dilation_rate ${shapeText(dilation)}`, { subject: `layer "${h.name}"` });
  }
  const step = channelsFirst ? [filters, ...out] : [...out, filters];
  return {
    layer,
    out: { dims: config.returnSequences ? [time, ...step] : step, from: `the output of layer "${owner}"` },
    consumed: [time, ...(channelsFirst ? [inChannels, ...spatial] : [...spatial, inChannels])],
  };
}
