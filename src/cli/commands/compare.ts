/** `cellscope compare`: the model's output against a recording; with --diagnose, which culprit explains a mismatch. */
import { compareTensors, summarizeComparison } from '../../compare/compare';
import { describeDiagnosis, diagnose } from '../../diagnose';
import { loadExpectedFile } from '../../formats/node-files';
import { UsageError } from '../files';
import type { CliOptions } from '../options';
import { loadModelAndInput, run, type Print } from './shared';

export async function compareCommand(o: CliOptions, print: Print): Promise<number> {
  const l = await loadModelAndInput(o);
  const recording = o.expected ? await loadExpectedFile(o.expected) : null;
  const expected = recording ? recording.output : l.loaded.expectedOutput;
  if (!expected) throw new UsageError(`${o.model} carries no expected output; pass --expected EXP`);
  const tolerance = { atol: o.atol, rtol: o.rtol };
  const c = compareTensors(run(o, l, false).output, expected, tolerance);
  print(summarizeComparison(c));
  if (!c.shapeMismatch) {
    print(`max abs error ${c.maxAbs} at ${c.maxAbsAt?.text ?? '-'}; max rel error ${c.maxRel}`);
    print(c.firstDivergence ? `first divergence: ${c.firstDivergence.text}` : 'first divergence: none');
  }
  if (o.diagnose) {
    // The recording (with its per-layer sequences) when there is one; the same run options as the comparison.
    const d = diagnose(l.loaded.model, l.input, recording?.layers.length ? { ...recording, output: expected } : expected, {
      tolerance,
      precision: o.precision,
      hardSigmoid: o.hardSigmoid,
      predictCalls: o.predictCalls ?? l.loaded.predictCalls,
    });
    describeDiagnosis(d).forEach((line) => print(line));
  }
  return c.pass ? 0 : 1;
}
