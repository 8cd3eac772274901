/**
 * The backward of one layer call, by layer kind: ∂y/∂(its input) from ∂y/∂(its outputs). Flatten and the
 * pass-through layers (InputLayer, Dropout, noise) leave the gradient as it is; an Embedding is where a token
 * model's differentiable input starts, so the model walk (backward.ts) stops there.
 */
import type { BidirectionalLayer, DenseLayer, RecurrentLayer, ActivationLayer } from '../../engine/model';
import { bidirectionalBackward } from './bidirectional';
import { activationBackward, denseBackward } from './dense';
import { ExplainError, type LayerCall } from './layer';
import { recurrentBackward } from './recurrent';
import { lrpDense } from '../lrp/layers';
import { maskingBackward } from './masking';
import { normalizationBackward, rescalingBackward, upSampling1DBackward } from './preprocessing';
import { activationFnBackward } from './activation-fns';
import { conv1DBackward } from './conv1d';
import { conv2DBackward, pool2DBackward } from './conv2d';
import { conv3DBackward } from './conv3d';
import { gatherBackward } from './gather';
import { batchNormBackward, layerNormBackward, unitNormBackward } from './normalization';
import { globalPool1DBackward, pool1DBackward } from './pooling';
import { applyShapeLayer } from '../../engine/layers/shape';

export { ExplainError, type LayerCall, type StepWatcher } from './layer';

type Backward = (call: LayerCall & { layer: never }) => Float64Array | null;

/** The layers with a gradient but no LRP relevance rule, by kind. */
const GRADIENT_ONLY: Partial<Record<string, Backward>> = {
  relu: activationFnBackward,
  leaky_relu: activationFnBackward,
  elu: activationFnBackward,
  prelu: activationFnBackward,
  softmax: activationFnBackward,
  pool1d: pool1DBackward,
  global_pool1d: globalPool1DBackward,
  pool2d: pool2DBackward,
  batch_norm: batchNormBackward,
  layer_norm: layerNormBackward,
  unit_norm: unitNormBackward,
  conv1d: conv1DBackward,
  conv2d: conv2DBackward,
  conv3d: conv3DBackward,
};

export function layerBackward(call: LayerCall): Float64Array | null {
  const layer = call.layer;
  // Read before the switch: the kinds without a backward yet reach `default` with their name and kind.
  const { name, kind } = layer as { name: string; kind: string };
  const gradientOnly = GRADIENT_ONLY[kind];
  if (gradientOnly) {
    if (call.lrp) throw new ExplainError(`layer "${name}" (${kind}): lrp has no relevance rule for it`, 'use --method gradient, grad-input or integrated-gradients');
    return gradientOnly(call as LayerCall & { layer: never });
  }
  switch (layer.kind) {
    case 'pass_through':
    case 'flatten':
      return call.dOutputs[0] ?? null;
    case 'dense':
      if (call.lrp) return lrpDense(call as LayerCall & { layer: DenseLayer }, call.lrp);
      return denseBackward(call as LayerCall & { layer: DenseLayer });
    case 'activation':
      // LRP: an element-wise activation passes relevance unchanged (a last softmax: its input is what is explained).
      if (call.lrp) {
        if (!call.isLast && (layer.activation === 'softmax' || layer.activation === 'log_softmax')) throw new ExplainError(`layer "${name}": lrp has no rule for a ${layer.activation} inside the model`);
        return call.dOutputs[0] ?? null;
      }
      return activationBackward(call as LayerCall & { layer: ActivationLayer });
    case 'recurrent':
      return recurrentBackward(call as LayerCall & { layer: RecurrentLayer });
    case 'bidirectional':
      return bidirectionalBackward(call as LayerCall & { layer: BidirectionalLayer });
    case 'masking':
      return maskingBackward(call);
    case 'normalization':
      return normalizationBackward(call as LayerCall & { layer: typeof layer });
    case 'rescaling':
      return rescalingBackward(call as LayerCall & { layer: typeof layer });
    case 'up_sampling1d':
      return upSampling1DBackward(call as LayerCall & { layer: typeof layer });
    case 'reshape':
    case 'permute':
    case 'repeat_vector':
    case 'zero_padding1d':
    case 'cropping1d': {
      // Values only move: relevance moves with them as the gradient does.
      const dy = call.dOutputs[0];
      if (!dy) return null;
      const l = layer;
      const ctx = { precision: 'float64' as const, hardSigmoid: call.ctx.hardSigmoid };
      return gatherBackward(([x]) => applyShapeLayer(l, { value: x!, mask: null }, ctx).value, [call.inputShape], dy)[0]!;
    }
    case 'time_distributed': {
      // Keras folds time into the batch and runs the inner layer on [b·t, …]: so does its backward.
      const [b, t, ...rest] = call.inputShape;
      const folded = [b! * t!, ...rest];
      return layerBackward({ ...call, layer: layer.inner, input: () => ({ shape: folded, data: call.input().data }), inputMask: () => null, inputShape: folded });
    }
    case 'embedding':
      throw new ExplainError(`layer "${name}" (Embedding) is not the model's first layer; explain differentiates up to the embedding vectors of the model's input only`);
    default:
      throw new ExplainError(`layer "${name}" (${kind}) cannot be differentiated yet`, 'explain supports SimpleRNN, LSTM, GRU, custom cells, Bidirectional, Dense, TimeDistributed, Embedding, Activation and the activation layers (ReLU, LeakyReLU, ELU, PReLU, Softmax), Conv1D, Conv2D, Conv3D, 1-D / 2-D pooling and global 1-D pooling, Batch/Layer/UnitNormalization, Masking, Normalization, Rescaling, the shape layers (Reshape, Permute, RepeatVector, padding, cropping, UpSampling1D, Flatten), merges, keras.ops nodes, Dropout and other pass-through layers');
  }
}

