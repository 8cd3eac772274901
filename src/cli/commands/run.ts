/** `cellscope run`: the model's output as JSON {"shape", "data"} (flat, row-major); several outputs as a JSON array of them. */
import type { Tensor } from '../../engine/tensor';
import type { CliOptions } from '../options';
import { emitStream, nonFiniteWarning, writeNumberArray, type NonFinite } from '../output';
import { loadModelAndInput, run, type Print } from './shared';

/** {"shape": [...], "data": [...]} written in pieces; NaN and ±Infinity as Python's tokens (counted in `seen`). */
function writeTensorJson(t: Tensor, write: (text: string) => void, seen: NonFinite): void {
  write(`{"shape":${JSON.stringify(t.shape)},"data":`);
  writeNumberArray(t.data, write, seen);
  write('}');
}

export async function runCommand(o: CliOptions, print: Print, warn: Print = print): Promise<number> {
  const l = await loadModelAndInput(o);
  const r = run(o, l, false);
  const seen: NonFinite = { nan: 0, inf: 0 };
  // Graphs with several outputs (ONNX): a JSON array of {"shape", "data"} in the graph's output order.
  const several = l.runnable.outputNames.length > 1;
  emitStream(
    o,
    (write) => {
      if (several) write('[');
      (several ? r.outputs : [r.output]).forEach((t, i) => {
        if (i) write(',');
        writeTensorJson(t, write, seen);
      });
      if (several) write(']');
    },
    print,
  );
  const warning = nonFiniteWarning(seen, 'the output');
  if (warning) warn(warning);
  return 0;
}
