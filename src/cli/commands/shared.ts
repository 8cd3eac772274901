/** What the commands share: loading the model and its input, running it with the command-line options, writing. */
import { runModel, type RunResult } from '../../engine';
import type { Tensor } from '../../engine/tensor';
import type { LoadedModel } from '../../formats';
import { loadArrayFile, loadModelFile } from '../../formats/node-files';
import { UsageError, writeOutput } from '../files';
import type { CliOptions } from '../options';

export type Print = (text: string) => void;

export interface Loaded {
  loaded: LoadedModel;
  input: Tensor;
}

export async function loadModelAndInput(o: CliOptions): Promise<Loaded> {
  const loaded = await loadModelFile(o.model);
  const input = o.input ? await loadArrayFile(o.input) : loaded.input;
  if (!input) throw new UsageError(`${o.model} carries no input; pass --input IN`);
  return { loaded, input };
}

export function run(o: CliOptions, { loaded, input }: Loaded, record: boolean): RunResult {
  return runModel(loaded.model, input, {
    precision: o.precision,
    hardSigmoid: o.hardSigmoid,
    predictCalls: o.predictCalls ?? loaded.predictCalls,
    record,
  });
}

export async function emit(o: CliOptions, text: string, print: Print): Promise<void> {
  if (o.out) await writeOutput(o.out, text, o.force);
  else print(text);
}
