/** What the commands share: loading the model and its inputs, running it with the command-line options, writing. */
import type { Tensor } from '../../engine/tensor';
import type { RunnableModel, RunnableResult } from '../../formats/runnable';
import { loadInputsFile, loadRunnableFile } from '../../formats/node-files';
import { checkRunBudget } from '../../formats/work-budget';
import { UsageError, writeOutput } from '../files';
import type { CliOptions } from '../options';

export type Print = (text: string) => void;

export interface Loaded {
  /** What runs: an engine Model (Keras, TF.js, PyTorch, fixtures; `runnable.loaded`) or a whole ONNX graph. */
  runnable: RunnableModel;
  /** In the model's input order (one for engine models). */
  inputs: Tensor[];
}

/** `recorded`: the input(s) a recording holds, used when there is no --input and the model file carries none. */
export async function loadModelAndInput(o: CliOptions, recorded?: () => Promise<Tensor[] | undefined>): Promise<Loaded> {
  const runnable = await loadRunnableFile(o.model, undefined, { module: o.module, nonlinearity: o.nonlinearity });
  const fixtureInput = runnable.loaded?.input;
  const inputs = o.input ? await loadInputsFile(o.input, runnable.inputNames) : fixtureInput ? [fixtureInput] : await recorded?.();
  if (!inputs) throw new UsageError(`${o.model} carries no input${recorded ? ', nor does the recording' : ''}; pass --input IN`);
  return { runnable, inputs };
}

export function run(o: CliOptions, { runnable, inputs }: Loaded, record: boolean): RunnableResult {
  // The run's work against the budgets, before it starts (predict_calls: 1e12 or an input of [30000, 30000, 0]).
  const predictCalls = o.predictCalls ?? runnable.loaded?.predictCalls ?? 1;
  if (inputs[0]) checkRunBudget({ input: inputs[0], predictCalls, record, model: runnable.loaded?.model }, { file: o.input ?? o.model, path: [] });
  return runnable.run(inputs, { precision: o.precision, hardSigmoid: o.hardSigmoid, predictCalls: o.predictCalls, record });
}

export async function emit(o: CliOptions, text: string, print: Print): Promise<void> {
  if (o.out) await writeOutput(o.out, text, o.force);
  else print(text);
}
