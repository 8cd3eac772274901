/**
 * Activation mix-ups: the hard_sigmoid formula (Keras 2 / tf.keras ≤ 2.15 / TF.js `clip(0.2x+0.5)` against Keras 3
 * `clip(x/6+0.5)`), sigmoid against hard_sigmoid as the recurrent activation (Keras 2's LSTM/GRU default was
 * hard_sigmoid, Keras 3's is sigmoid), and the main activation swapped.
 */
import type { Model } from '../engine/model';
import { recurrentLayersOf } from '../engine/model';
import { layerHypothesis, withConfig, type LayerHypothesis } from './layers';
import type { Hypothesis } from './types';
import { phrase } from '../phrase';

function usesHardSigmoid(model: Model): boolean {
  const recurrent = recurrentLayersOf(model).some(({ layer: l }) => l.config.activation === 'hard_sigmoid' || (l.cell !== 'simple_rnn' && l.config.recurrentActivation === 'hard_sigmoid'));
  return recurrent || model.layers.some((l) => (l.kind === 'dense' || l.kind === 'activation') && l.activation === 'hard_sigmoid');
}

export const hardSigmoidHypotheses: Hypothesis[] = (['keras2', 'keras3'] as const).map((flavor) => ({
  id: `hard-sigmoid:${flavor}`,
  title:
    flavor === 'keras2'
      ? phrase('hard_sigmoid is the Keras 2 formula clip(0.2x+0.5) (Keras 2, tf.keras ≤ 2.15, TF.js)')
      : phrase('hard_sigmoid is the Keras 3 formula clip(x/6+0.5) (Keras 3, tf.keras ≥ 2.16)'),
  concept: 'hard-sigmoid',
  applies: (model, ctx) => (!usesHardSigmoid(model) ? 'no hard_sigmoid in the model' : ctx.base.hardSigmoid === flavor ? `already ${flavor}` : true),
  apply: (trial) => ({ ...trial, hardSigmoid: flavor }),
}));

export const recurrentActivationHypotheses: LayerHypothesis[] = ['sigmoid', 'hard_sigmoid'].map((name) =>
  layerHypothesis({
    id: `recurrent-activation:${name}`,
    title: name === 'sigmoid' ? phrase('recurrent_activation is {0} (Keras 3 default)', name) : phrase('recurrent_activation is {0} (Keras 2 default)', name),
    concept: 'activation',
    layerApplies: (l) => (l.cell === 'simple_rnn' ? 'SimpleRNN has no recurrent activation' : l.config.recurrentActivation === name ? `already ${name}` : true),
    applyLayer: (l) => withConfig(l, { recurrentActivation: name }),
  }),
);

const MAIN_ACTIVATIONS = ['tanh', 'relu', 'linear', 'sigmoid', 'hard_sigmoid', 'softsign', 'elu'];

export const activationHypotheses: LayerHypothesis[] = MAIN_ACTIVATIONS.map((name) =>
  layerHypothesis({
    id: `activation:${name}`,
    title: phrase('activation is {0}', name),
    concept: 'activation',
    layerApplies: (l) => (l.config.activation === name ? `already ${name}` : true),
    applyLayer: (l) => withConfig(l, { activation: name }),
  }),
);
