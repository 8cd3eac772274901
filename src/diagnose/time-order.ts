/**
 * Time direction: go_backwards flipped (for a Bidirectional, the backward copy not reversed), and an output sequence
 * reversed in time (Keras leaves a go_backwards sequence in processing order; other code flips it back to input
 * order).
 */
import { layerHypothesis, withConfig, type LayerHypothesis } from './layers';
import type { Hypothesis } from './types';
import { reverseTime } from './weights';
import { phrase } from '../phrase';

export const goBackwardsHypotheses: LayerHypothesis[] = [
  layerHypothesis({
    id: 'go-backwards',
    title: phrase("go_backwards flipped (in a Bidirectional, the backward copy's)"),
    concept: 'time-order',
    // In a Bidirectional only the backward copy: the forward one never goes backwards.
    layerApplies: (_l, direction, parent) => (parent.kind === 'bidirectional' && direction === 'forward' ? 'forward copy of a Bidirectional' : true),
    applyLayer: (l) => withConfig(l, { goBackwards: !l.config.goBackwards }),
  }),
];

export const outputOrderHypotheses: Hypothesis[] = [
  {
    id: 'output-reversed',
    title: phrase('output sequence reversed in time (input order vs Keras processing order)'),
    concept: 'time-order',
    applies: (_m, ctx) => (ctx.expected.shape.length === 3 && ctx.expected.shape[1]! > 1 ? true : 'the output is not a sequence'),
    apply: (trial) => {
      const prev = trial.transformOutput;
      return { ...trial, transformOutput: (t) => reverseTime(prev ? prev(t) : t) };
    },
  },
];
