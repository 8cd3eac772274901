/**
 * Bias mix-ups: the recording's model had no bias (use_bias=False, or a bias left at zero) while the user's has
 * one, or the user's model carries a bias it does not use.
 */
import { layerHypothesis, withConfig, withWeights, type LayerHypothesis } from './layers';
import { zerosLike } from './weights';
import { phrase } from '../phrase';

export const biasHypotheses: LayerHypothesis[] = [
  layerHypothesis({
    id: 'bias-zero',
    title: phrase('bias missing in the recorded model (zero bias / use_bias=False)'),
    concept: 'bias',
    layerApplies: (l) => (l.config.useBias && l.weights.bias ? true : 'no bias in use'),
    applyLayer: (l) => withWeights(l, { bias: zerosLike(l.weights.bias!) }),
  }),
  layerHypothesis({
    id: 'bias-unused',
    title: phrase('bias present but switched off (use_bias=False) in the model'),
    concept: 'bias',
    layerApplies: (l) => (!l.config.useBias && l.weights.bias ? true : 'no unused bias'),
    applyLayer: (l) => withConfig(l, { useBias: true }),
  }),
];
