/** `cellscope trace`: every recorded quantity at every step, as JSON or CSV. */
import { traceToCsv, traceToJson } from '../../engine/trace-export';
import { UsageError, writeOutput } from '../files';
import type { CliOptions } from '../options';
import { loadModelAndInput, run, type Print } from './shared';

export async function traceCommand(o: CliOptions, print: Print): Promise<number> {
  if (!o.out || !/\.(json|csv)$/i.test(o.out)) throw new UsageError('trace needs --out FILE.json or --out FILE.csv');
  const l = await loadModelAndInput(o);
  const trace = run(o, l, true).trace!;
  await writeOutput(o.out, /\.csv$/i.test(o.out) ? traceToCsv(trace) : JSON.stringify(traceToJson(trace)), o.force);
  const values = trace.layers.reduce((n, lt) => n + lt.values.length * lt.batch * lt.steps * lt.units, 0);
  print(`wrote ${values} values from ${trace.layers.length} recurrent layer direction(s) to ${o.out}`);
  return 0;
}
