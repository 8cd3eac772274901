/** Conv3D backwards (src/engine/layers/conv3d.ts): the convolution transposed (conv.ts). */
import { applyConv3D, type Conv3DLayer } from '../../engine/layers/conv3d';
import { convBackward } from './conv';
import type { LayerCall } from './layer';

export function conv3DBackward(call: LayerCall & { layer: Conv3DLayer }): Float64Array | null {
  const { layer, ctx } = call;
  return convBackward(call, {
    geometry: { kernel: layer.kernelSize, strides: layer.strides, dilation: layer.dilation, padding: layer.padding },
    kernel: layer.kernel,
    filters: layer.filters,
    groups: 1,
    activation: layer.activation,
    linear: () => applyConv3D({ ...layer, activation: 'linear' }, { value: call.input(), mask: null }, { precision: ctx.precision, hardSigmoid: ctx.hardSigmoid }).value,
  });
}
