/**
 * `cellscope compare MODEL --recording REC` when MODEL holds a layer only Python can run: layer replay. Each recurrent
 * layer the exporter recorded runs alone on the input Keras fed it (with its mask and initial states) and its whole
 * sequence and final states are compared with Keras's. The output says so first, so nobody mistakes it for a
 * whole-model comparison.
 */
import { runReplay } from '../../compare/replay';
import { summarizeComparison } from '../../compare/compare';
import { LAYER_REPLAY_LABEL, replayCases } from '../../formats/layer-replay';
import { LoadError } from '../../formats/load-error';
import type { Recording } from '../../formats/recording';
import type { CliOptions } from '../options';
import type { Print } from './shared';

export function replayCommand(o: CliOptions, refusal: LoadError, recording: Recording, print: Print): number {
  const recPath = o.recording ?? o.expected!;
  const cases = replayCases(recording, recPath);
  if (!cases.length) {
    throw new LoadError({
      ...refusal.details,
      hint: `${refusal.details.hint ?? ''}; ${recPath} holds no recorded layer inputs (it was written by an older exporter, or the model has no recurrent layer): record it again with python/cellscope_export.py`,
    });
  }
  print(LAYER_REPLAY_LABEL);
  print(`the whole model cannot run here: ${refusal.details.found ?? `layer "${refusal.details.pythonLayer}"`} holds Python code; each recurrent layer runs alone on the input Keras fed it`);
  const tolerance = { atol: o.atol, rtol: o.rtol };
  let pass = true;
  let ran = 0;
  for (const c of cases) {
    const input = c.inputs[0];
    const extras = [c.model.graph!.nodes[0]!.masks ? 'its mask' : '', c.model.graph!.nodes[0]!.initialState ? 'its initial states' : ''].filter(Boolean);
    print(`layer "${c.name}" (${c.className}) on its recorded input [${input!.shape.join(', ')}]${extras.length ? ` with ${extras.join(' and ')}` : ''}:`);
    const r = runReplay(c, tolerance, o.precision);
    if (r.skipped) {
      print(`  not replayed: ${r.skipped}`);
      continue;
    }
    ran++;
    pass &&= r.pass;
    for (const p of r.parts) print(`  ${p.what}: ${summarizeComparison(p.comparison)}`);
  }
  print(`${ran} of ${cases.length} recurrent layer${cases.length === 1 ? '' : 's'} replayed; the layers between them were computed by Keras, not by Cellscope`);
  return pass ? 0 : 1;
}
