/**
 * Arithmetic precision: Keras computes in float32. A difference that a float32 run removes is rounding, not a bug.
 */
import type { Hypothesis } from './types';

export const precisionHypotheses: Hypothesis[] = (['float32', 'float64'] as const).map((precision) => ({
  id: `precision:${precision}`,
  title: precision === 'float32' ? 'float32 arithmetic (as Keras computes)' : 'float64 arithmetic',
  concept: 'precision',
  applies: (_m, ctx) => (ctx.base.precision === precision ? `already ${precision}` : true),
  apply: (trial) => ({ ...trial, precision }),
}));
