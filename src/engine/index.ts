/**
 * The Cellscope engine: Keras-exact recurrent forward passes that record every gate. No `vscode` import, no file
 * access: the CLI, the extension host and the tests all drive it through this module.
 */
import type { Model } from './model';
import { Session, type RunOptions, type RunResult, type SessionOptions } from './session';
import type { Tensor } from './tensor';

export * from './model';
export * from './tensor';
export * from './trace';
export { Session } from './session';
export type { RunOptions, RunResult, SessionOptions } from './session';
export { RunError } from './errors';
export { ACTIVATION_NAMES, isActivationName } from './activations';
export type { QuantityInfo } from './cells';

export interface PredictOptions extends SessionOptions, RunOptions {
  /**
   * How many times to run the same input without resetting states, as a stateful Keras model called N times;
   * the result (and the trace) is the last run's. Default 1.
   */
  predictCalls?: number;
}

/** Keras `predict` on a batch: one tensor, or one per input of a multi-input model (repeated `predictCalls` times for stateful models). */
export function runModel(model: Model, input: Tensor | readonly Tensor[], options: PredictOptions = {}): RunResult {
  const calls = options.predictCalls ?? 1;
  if (!Number.isInteger(calls) || calls < 1) throw new RangeError(`predictCalls must be a whole number ≥ 1; got ${calls}`);
  const session = new Session(model, options);
  // Only the last call's trace is kept, so the earlier ones need not record.
  for (let i = 0; i < calls - 1; i++) session.run(input, { ...options, record: false });
  return session.run(input, options);
}
