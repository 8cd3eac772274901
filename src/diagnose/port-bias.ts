/**
 * Bias mistakes of a port between frameworks with one bias (Keras, TF.js) and two (PyTorch b_ih + b_hh, ONNX Wb + Rb):
 * one bias copied into both (doubled), and a reset_after GRU's two rows summed into the input row (not split: the
 * recurrent row then sits outside r·(…)). `bias-doubled` and `gru-bias-not-split` make the mistake on the model they
 * are applied to; `bias-doubled:undo` undoes it (the diagnosed model carries it), as the other hypotheses do.
 */
import { layerHypothesis, withWeights, type LayerHypothesis } from './layers';
import type { Tensor } from '../engine/tensor';
import { phrase } from '../phrase';

const scaled = (t: Tensor, k: number): Tensor => ({ shape: [...t.shape], data: t.data.map((v) => v * k) });

const DOUBLED = phrase('biases doubled: one bias copied into both bias_ih and bias_hh (PyTorch and ONNX add the two)');

export const portBiasHypotheses: LayerHypothesis[] = [
  layerHypothesis({
    id: 'bias-doubled',
    title: DOUBLED,
    concept: 'bias',
    layerApplies: (l) => (l.config.useBias && l.weights.bias ? true : 'no bias in use'),
    applyLayer: (l) => withWeights(l, { bias: scaled(l.weights.bias!, 2) }),
  }),
  layerHypothesis({
    id: 'bias-doubled:undo',
    title: DOUBLED,
    concept: 'bias',
    layerApplies: (l) => (l.config.useBias && l.weights.bias ? true : 'no bias in use'),
    applyLayer: (l) => withWeights(l, { bias: scaled(l.weights.bias!, 0.5) }),
  }),
  layerHypothesis({
    id: 'gru-bias-not-split',
    title: phrase("GRU biases not split: bias_hh (Keras's recurrent bias row) added into bias_ih instead of kept apart (reset_after / linear_before_reset needs it inside r·(W_hn·h + b_hn))"),
    concept: 'bias',
    layerApplies: (l) => (l.cell === 'gru' && l.config.resetAfter && l.weights.bias?.shape.length === 2 ? true : 'not a reset_after GRU with two bias rows'),
    applyLayer: (l) => {
      const b = l.weights.bias!;
      const n = b.shape[1]!;
      const data = new Float64Array(2 * n);
      for (let j = 0; j < n; j++) data[j] = b.data[j]! + b.data[n + j]!;
      return withWeights(l, { bias: { shape: [2, n], data } });
    },
  }),
];
