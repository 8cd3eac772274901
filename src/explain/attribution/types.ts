/** What every attribution method is given and what it gives back. */
import type { Tensor } from '../../engine/tensor';
import type { Space } from '../space';
import type { InputGradient } from '../backward';
import type { RuleOptions } from '../lrp/rule';
import type { Target } from '../target';

export type Method = 'gradient' | 'grad-input' | 'integrated-gradients' | 'occlusion' | 'lrp';

export const METHODS: readonly Method[] = ['gradient', 'grad-input', 'integrated-gradients', 'occlusion', 'lrp'];

/** The baseline integrated gradients starts from: zeros, the batch's mean, or a given point (one item or a batch). */
export type Baseline = 'zeros' | 'mean' | Tensor;

export interface MethodInput {
  space: Space;
  target: Target;
  /** ∂y/∂(the space) at the recorded run, for seeds of one backward pass. */
  gradientAt: (seeds: (Float64Array | null)[]) => InputGradient;
  /** Integrated gradients: interpolation steps (midpoint rule) and baseline. */
  steps: number;
  baseline: Baseline;
  /** Occlusion: steps covered per window, and the value written over them. */
  window: number;
  fill: number;
  /** LRP's ε-rule: ε (default 0.001) and β, the bias share given back to the inputs (default 0, as Arras et al.). */
  lrp: RuleOptions;
  /** Points (interpolation steps, occluded windows) done of all, after each chunk. */
  onProgress?: (done: number, total: number) => void;
}

/** An attribution in the space (same shape as the input, or as the embedding vectors), with its checks. */
export interface MethodResult {
  data: Float64Array;
  /** IG: |Σ attribution − (f(x) − f(baseline))|. */
  completenessError?: number;
  /** LRP: |Σ relevance − y|, what biases and ε absorbed. */
  conservationError?: number;
  /** LRP: the value relevance starts from (a non-linear head's pre-activation). */
  explainedValue?: number;
  /** LRP: the relevance the recurrent layers' initial states received. */
  initialStateRelevance?: number;
  /** Occlusion is per step: [batch, time] instead of the space's shape. */
  perStep?: boolean;
}
