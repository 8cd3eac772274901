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

export { ExplainError, type LayerCall, type StepWatcher } from './layer';

export function layerBackward(call: LayerCall): Float64Array | null {
  const layer = call.layer;
  // Read before the switch: the kinds without a backward yet reach `default` with their name and kind.
  const { name, kind } = layer as { name: string; kind: string };
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
    case 'embedding':
      throw new ExplainError(`layer "${name}" (Embedding) is not the model's first layer; explain differentiates up to the embedding vectors of the model's input only`);
    default:
      throw new ExplainError(`layer "${name}" (${kind}) cannot be differentiated yet`, 'explain supports SimpleRNN, LSTM, GRU, custom cells, Bidirectional, Dense, TimeDistributed(Dense), Embedding, Activation, Masking, Normalization, Rescaling, UpSampling1D, Flatten, Dropout and other pass-through layers');
  }
}
