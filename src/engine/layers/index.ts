/** One entry point for the layers around the cells: runs a call of any `GraphLayer` on its input flows. */
import { applyActivationFn } from './activation-layers';
import { applyAttention } from './attention';
import { applyDot } from './dot';
import { applyMultiHeadAttention } from './multi-head-attention';
import { applyConv1D } from './conv1d';
import { applyConv2D, applyPool2D } from './conv2d';
import { applyConv3D } from './conv3d';
import type { Flow, LayerContext } from './flow';
import { applyMasking, applyMaskOp } from './masking';
import { applyMerge } from './merge';
import { applyBatchNorm, applyLayerNorm, applyUnitNorm } from './normalization';
import { applyTensorOp } from './tensor-ops';
import { applyGlobalPool1D, applyPool1D } from './pooling';
import { applyPreprocessing } from './preprocessing';
import { applyShapeLayer } from './shape';
import type { GraphLayer } from './types';

export type { Flow, LayerContext } from './flow';
export { maskOf } from './flow';

export function applyGraphLayer(layer: GraphLayer, inputs: Flow[], ctx: LayerContext): Flow {
  const x = inputs[0]!;
  switch (layer.kind) {
    case 'merge':
      return applyMerge(layer, inputs, ctx);
    case 'mask_op':
      return applyMaskOp(layer, inputs, ctx);
    case 'tensor_op':
      return applyTensorOp(layer, inputs, ctx);
    case 'unit_norm':
      return applyUnitNorm(layer, x, ctx);
    case 'repeat_vector':
    case 'reshape':
    case 'permute':
    case 'zero_padding1d':
    case 'cropping1d':
    case 'up_sampling1d':
      return applyShapeLayer(layer, x, ctx);
    case 'conv1d':
      return applyConv1D(layer, x, ctx);
    case 'pool1d':
      return applyPool1D(layer, x, ctx);
    case 'global_pool1d':
      return applyGlobalPool1D(layer, x, ctx);
    case 'batch_norm':
      return applyBatchNorm(layer, x, ctx);
    case 'layer_norm':
      return applyLayerNorm(layer, x, ctx);
    case 'normalization':
    case 'rescaling':
      return applyPreprocessing(layer, x, ctx);
    case 'relu':
    case 'leaky_relu':
    case 'elu':
    case 'prelu':
    case 'softmax':
      return applyActivationFn(layer, x, ctx);
    case 'masking':
      return applyMasking(layer, x, ctx);
    case 'conv2d':
      return applyConv2D(layer, x, ctx);
    case 'pool2d':
      return applyPool2D(layer, x, ctx);
    case 'conv3d':
      return applyConv3D(layer, x, ctx);
    case 'attention':
      return applyAttention(layer, inputs, ctx);
    case 'dot':
      return applyDot(layer, inputs, ctx);
    case 'multi_head_attention':
      return applyMultiHeadAttention(layer, inputs, ctx);
  }
}
