/** Explain a prediction: the backward pass through the engine's models, attribution methods, dynamics. Pure. */
export { explainPrediction, explainPredictionThreaded, perToken, type Explanation, type ExplainOptions, type IgHelper } from './explain';
export { backward, forwardRun, type ForwardOptions, type ForwardRun, type InputGradient, type Tensor64 } from './backward';
export { parseTargetText, resolveTarget, targetSeeds, type Target } from './target';
export { METHODS, type Baseline, type Method } from './attribution/types';
export { ExplainError } from './layers';
