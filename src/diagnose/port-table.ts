/** The port checker's table: the usual culprits (table.ts) plus the mistakes of a port between frameworks. */
import { portBiasHypotheses } from './port-bias';
import { portKernelHypotheses } from './port-kernel';
import { HYPOTHESES } from './table';
import type { Hypothesis } from './types';

export const PORT_HYPOTHESES: readonly Hypothesis[] = [...HYPOTHESES, ...portBiasHypotheses, ...portKernelHypotheses];
