/**
 * `cellscope compare A --against B`: the port checker (src/port). Both models run on the same input (--input, else
 * the one a model file carries, else a seeded random sequence of 2 × 8 steps); exit 0 when they agree, 1 when not.
 */
import { loadArrayFile, loadRunnableFile } from '../../formats/node-files';
import { checkPort, describePortCheck, portModel } from '../../port/check';
import { diagnosePort } from '../../port/diagnose';
import { seededInput } from '../../port/seeded-input';
import { UsageError } from '../files';
import type { CliOptions } from '../options';
import type { Print } from './shared';

export async function portCommand(o: CliOptions, print: Print): Promise<number> {
  const choices = { module: o.module, nonlinearity: o.nonlinearity };
  const ra = await loadRunnableFile(o.model, undefined, choices);
  const rb = await loadRunnableFile(o.against!, undefined, choices);
  const [la, lb] = [ra.loaded, rb.loaded];
  let input = o.input ? await loadArrayFile(o.input) : (la?.input ?? lb?.input);
  if (!input) {
    const features = la?.model.inputShape[1] ?? lb?.model.inputShape[1];
    if (la?.model.inputIsTokens || lb?.model.inputIsTokens || typeof features !== 'number') throw new UsageError(`neither ${o.model} nor ${o.against} says its input size; pass --input IN`);
    input = seededInput(features);
    print(`input: none given; a seeded random input of shape [2, 8, ${features}]`);
  }
  const a = portModel(o.model, ra);
  const b = portModel(o.against!, rb);
  const tolerance = { atol: o.atol, rtol: o.rtol };
  const check = checkPort(a, b, input, tolerance);
  describePortCheck(check).forEach((l) => print(l));
  if (o.diagnose) diagnosePort(check, input, tolerance).lines.forEach((l) => print(l));
  return check.output.pass ? 0 : 1;
}
