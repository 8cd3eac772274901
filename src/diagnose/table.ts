/** The table of usual culprits, one module per concept, in the order ties are broken. */
import { activationHypotheses, hardSigmoidHypotheses, recurrentActivationHypotheses } from './activations';
import { biasHypotheses } from './bias';
import { gateOrderHypotheses } from './gate-order';
import { gruResetHypotheses } from './gru-reset';
import { halfPrecisionHypotheses } from './half-precision';
import { kernelLayoutHypotheses } from './kernel-layout';
import { precisionHypotheses } from './precision';
import { stateHypotheses } from './state';
import { goBackwardsHypotheses, outputOrderHypotheses } from './time-order';
import type { Hypothesis } from './types';

export const HYPOTHESES: readonly Hypothesis[] = [
  ...precisionHypotheses,
  ...halfPrecisionHypotheses,
  ...hardSigmoidHypotheses,
  ...stateHypotheses,
  ...goBackwardsHypotheses,
  ...outputOrderHypotheses,
  ...gruResetHypotheses,
  ...recurrentActivationHypotheses,
  ...activationHypotheses,
  ...biasHypotheses,
  ...gateOrderHypotheses,
  ...kernelLayoutHypotheses,
];
