/** `cellscope compare`: the model's output against a recording; with --diagnose, which culprit explains a mismatch. */
import { compareTensors, summarizeComparison } from '../../compare/compare';
import { describeDiagnosis, diagnose, lineText } from '../../diagnose';
import { loadExpectedFile, loadExpectedOutputsFile } from '../../formats/node-files';
import { LoadError } from '../../formats/load-error';
import type { Recording } from '../../formats/recording';
import { UsageError } from '../files';
import type { CliOptions } from '../options';
import { loadModelAndInput, run, type Print } from './shared';

export async function compareCommand(o: CliOptions, print: Print): Promise<number> {
  if (o.against) return (await import('./port')).portCommand(o, print);
  const recPath = o.recording ?? o.expected;
  // The recording's own input, when neither --input nor the model file gives one (read once, only then).
  let kept: Promise<Recording> | undefined;
  const recording_ = recPath ? () => (kept ??= loadExpectedFile(recPath)) : undefined;
  const recordedInputs = recording_ ? async () => ((r) => r.inputs ?? (r.input ? [r.input] : undefined))(await recording_()) : undefined;
  let l;
  try {
    l = await loadModelAndInput(o, recordedInputs);
  } catch (e) {
    // A model holding Python code (Lambda, custom classes): each recurrent layer is replayed on its recorded input.
    if (e instanceof LoadError && e.details.pythonLayer && recording_) return (await import('./replay')).replayCommand(o, e, await recording_(), print);
    throw e;
  }
  const { runnable } = l;
  const loaded = runnable.loaded;
  // Several expected outputs (a JSON array of {"shape", "data"}, for ONNX graphs) are compared in output order.
  const given = recPath ? await loadExpectedOutputsFile(recPath, runnable.outputNames) : null;
  const recording = given?.recording ?? null;
  const expectedOutputs = given ? given.outputs : loaded?.expectedOutput ? [loaded.expectedOutput] : null;
  if (!expectedOutputs) throw new UsageError(`${o.model} carries no expected output; pass --recording REC (or --expected EXP)`);
  if (expectedOutputs.length > runnable.outputNames.length) {
    throw new UsageError(`${o.expected} holds ${expectedOutputs.length} outputs; ${o.model} gives ${runnable.outputNames.length} (${runnable.outputNames.join(', ')})`);
  }
  const expected = expectedOutputs[0]!;
  const tolerance = { atol: o.atol, rtol: o.rtol };
  const result = run(o, l, false);
  let pass = true;
  expectedOutputs.forEach((exp, i) => {
    const c = compareTensors(result.outputs[i]!, exp, tolerance);
    pass &&= c.pass;
    if (expectedOutputs.length > 1) print(`output ${i} (${runnable.outputNames[i]}):`);
    print(summarizeComparison(c));
    if (!c.shapeMismatch) {
      print(`max abs error ${c.nanCount ? 'NaN' : c.maxAbs} at ${(c.firstNaNAt ?? c.maxAbsAt)?.text ?? '-'}; max rel error ${c.maxRel}`);
      print(c.firstDivergence ? `first divergence: ${c.firstDivergence.text}` : 'first divergence: none');
    }
  });
  if (o.diagnose) {
    if (!loaded) throw new UsageError(`--diagnose re-runs a Keras-style layer chain; ${o.model} is an ONNX graph (compare it with cellscope trace, or --against a Keras/PyTorch model)`);
    // The recording (with its per-layer sequences) when there is one; the same run options as the comparison.
    const d = diagnose(loaded.model, l.inputs[0]!, recording?.layers.length ? { ...recording, output: expected } : expected, {
      tolerance,
      precision: o.precision,
      hardSigmoid: o.hardSigmoid,
      predictCalls: o.predictCalls ?? loaded.predictCalls,
    });
    describeDiagnosis(d).forEach((line) => print(lineText(line)));
  }
  return pass ? 0 : 1;
}
