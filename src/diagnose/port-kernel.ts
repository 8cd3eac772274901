/**
 * A kernel reshaped instead of transposed while porting: PyTorch / ONNX keep [gates·units, inputs], Keras
 * [inputs, gates·units]; `w.reshape(inputs, gates·units)` (or the reverse) loads without an error and scrambles
 * every weight. Unlike a transpose it keeps the shape, so it is tried whatever the sizes. `…-reshaped` makes the
 * mistake on the model it is applied to; `…-reshaped:undo` undoes it (the diagnosed model carries it).
 */
import type { RecurrentLayer } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import { layerHypothesis, withWeights, type LayerHypothesis } from './layers';
import { transpose } from './weights';
import { phrase, type Phrase } from '../phrase';

/** Kᵀ's values read back in K's shape: what `W.reshape(K.shape)` gives for the other framework's W = Kᵀ. */
const reshapedTranspose = (k: Tensor): Tensor => ({ shape: [...k.shape], data: transpose(k).data });
/** The inverse: K's values read as [cols, rows], transposed. */
const undoReshape = (k: Tensor): Tensor => transpose({ shape: [k.shape[1]!, k.shape[0]!], data: k.data });

type Which = 'kernel' | 'recurrentKernel';
const LABEL: Record<Which, Phrase> = { kernel: phrase('input kernel (weight_ih)'), recurrentKernel: phrase('recurrent kernel (weight_hh)') };

function rules(which: Which): LayerHypothesis[] {
  const title = phrase('{0} reshaped instead of transposed ([gates·units, in] ↔ [in, gates·units] by reshape)', LABEL[which]);
  const fits = (l: RecurrentLayer) => (l.weights[which].shape.length === 2 && l.weights[which].shape[0]! > 1 ? true : 'a single row');
  return [
    layerHypothesis({ id: `${which}-reshaped`, title, concept: 'kernel-layout', layerApplies: fits, applyLayer: (l) => withWeights(l, { [which]: reshapedTranspose(l.weights[which]) }) }),
    layerHypothesis({ id: `${which}-reshaped:undo`, title, concept: 'kernel-layout', layerApplies: fits, applyLayer: (l) => withWeights(l, { [which]: undoReshape(l.weights[which]) }) }),
  ];
}

export const portKernelHypotheses: LayerHypothesis[] = [...rules('kernel'), ...rules('recurrentKernel')];
