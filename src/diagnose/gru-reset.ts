/**
 * GRU `reset_after`: Keras 2's standalone default was False (reset before the recurrent matmul, bias [3u]), tf.keras
 * 2.x and Keras 3 default to True (after, cuDNN style, bias [2, 3u]: input row, recurrent row). Flipping the flag
 * keeps the biases meaning what they can: a [3u] bias becomes the input row with a zero recurrent row; going the
 * other way a [2, 3u] bias is summed into one row (exact for z and r, an approximation for the candidate).
 */
import { layerHypothesis, withConfig, withWeights, type LayerHypothesis } from './layers';
import { stackRows, sumRows, zerosLike } from './weights';
import { phrase } from '../phrase';

export const gruResetHypotheses: LayerHypothesis[] = [
  layerHypothesis({
    id: 'gru-reset-after',
    title: phrase('GRU reset_after flipped (Keras 2 default False vs tf.keras 2 / Keras 3 default True)'),
    concept: 'gru-reset',
    layerApplies: (l) => (l.cell === 'gru' ? true : 'not a GRU'),
    applyLayer: (l) => {
      const resetAfter = !l.config.resetAfter;
      const b = l.weights.bias;
      let bias = b;
      if (b && resetAfter && b.shape.length === 1) bias = stackRows(b, zerosLike(b));
      if (b && !resetAfter && b.shape.length === 2) bias = sumRows(b);
      return withWeights(withConfig(l, { resetAfter }), { bias });
    },
  }),
];
