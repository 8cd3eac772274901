/** `cellscope run`: the model's output as JSON {"shape", "data"} (flat, row-major); several outputs as a JSON array of them. */
import type { Tensor } from '../../engine/tensor';
import type { CliOptions } from '../options';
import { emit, loadModelAndInput, run, type Print } from './shared';

function tensorJson(t: Tensor): string {
  return JSON.stringify({ shape: t.shape, data: Array.from(t.data) });
}

export async function runCommand(o: CliOptions, print: Print): Promise<number> {
  const l = await loadModelAndInput(o);
  const r = run(o, l, false);
  // Graphs with several outputs (ONNX): a JSON array of {"shape", "data"} in the graph's output order.
  await emit(o, l.runnable.outputNames.length > 1 ? `[${r.outputs.map(tensorJson).join(',')}]` : tensorJson(r.output), print);
  return 0;
}
