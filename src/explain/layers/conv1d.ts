/** Conv1D backwards (src/engine/layers/conv1d.ts): the convolution transposed (conv.ts), groups and causal padding as the forward. */
import { applyConv1D, type Conv1DLayer } from '../../engine/layers/conv1d';
import { convBackward } from './conv';
import type { LayerCall } from './layer';

export function conv1DBackward(call: LayerCall & { layer: Conv1DLayer }): Float64Array | null {
  const { layer, ctx } = call;
  return convBackward(call, {
    geometry: { kernel: [layer.kernelSize], strides: [layer.strides], dilation: [layer.dilation], padding: layer.padding },
    kernel: layer.kernel,
    filters: layer.kernel.shape[2]!,
    groups: layer.groups,
    activation: layer.activation,
    linear: () => applyConv1D({ ...layer, activation: 'linear' }, { value: call.input(), mask: null }, { precision: ctx.precision, hardSigmoid: ctx.hardSigmoid }).value,
  });
}
