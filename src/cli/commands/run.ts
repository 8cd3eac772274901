/** `cellscope run`: the model's output as JSON {"shape", "data"} (flat, row-major). */
import type { Tensor } from '../../engine/tensor';
import type { CliOptions } from '../options';
import { emit, loadModelAndInput, run, type Print } from './shared';

function tensorJson(t: Tensor): string {
  return JSON.stringify({ shape: t.shape, data: Array.from(t.data) });
}

export async function runCommand(o: CliOptions, print: Print): Promise<number> {
  const l = await loadModelAndInput(o);
  await emit(o, tensorJson(run(o, l, false).output), print);
  return 0;
}
