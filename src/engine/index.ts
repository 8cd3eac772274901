/**
 * The Cellscope engine: Keras-exact recurrent forward passes that record every gate. No `vscode` import, no file
 * access: the CLI, the extension host and the tests all drive it through this module.
 */
import type { Model } from './model';
import { finish, relay } from './steps';
import { Session, type RunOptions, type RunProgress, type RunResult, type SessionOptions } from './session';
import type { Tensor } from './tensor';

export * from './model';
export * from './tensor';
export * from './trace';
export { Session } from './session';
export type { RunOptions, RunProgress, RunResult, SessionOptions } from './session';
export { finish } from './steps';
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
  return finish(runModelSteps(model, input, options));
}

/**
 * `runModel` as a generator: with `options.chunkWork` it yields between chunks of time steps (Session.runSteps),
 * its progress over every call; the same result bit for bit.
 */
export function* runModelSteps(model: Model, input: Tensor | readonly Tensor[], options: PredictOptions = {}): Generator<RunProgress, RunResult> {
  const calls = options.predictCalls ?? 1;
  if (!Number.isInteger(calls) || calls < 1) throw new RangeError(`predictCalls must be a whole number ≥ 1; got ${calls}`);
  const session = new Session(model, options);
  // Only the last call's trace is kept, so the earlier ones need not record. Progress counts every call's steps.
  const call = (i: number, o: PredictOptions) => relay(session.runSteps(input, o), (p) => ({ done: i * p.total + p.done, total: calls * p.total }));
  for (let i = 0; i < calls - 1; i++) yield* call(i, { ...options, record: false });
  return yield* call(calls - 1, options);
}
