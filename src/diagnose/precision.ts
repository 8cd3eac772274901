/**
 * Arithmetic precision: Keras computes in float32. A difference that a float32 run removes is rounding, not a bug.
 */
import type { Hypothesis } from './types';
import { phrase } from '../phrase';

export const precisionHypotheses: Hypothesis[] = (['float32', 'float64'] as const).map((precision) => ({
  id: `precision:${precision}`,
  title: precision === 'float32' ? phrase('float32 arithmetic (as Keras computes)') : phrase('float64 arithmetic'),
  concept: 'precision',
  applies: (_m, ctx) => (ctx.base.precision === precision && !ctx.base.policies ? `already ${precision}` : true),
  // Every layer in this precision: a float16 / bfloat16 policy the run followed is set aside.
  apply: (trial) => ({ ...trial, precision, policies: false }),
}));
