/** `cellscope trace`: every recorded quantity at every step, as JSON or CSV, written as it is made. */
import { UsageError } from '../files';
import type { CliOptions } from '../options';
import { emitStream, nonFiniteWarning, type NonFinite } from '../output';
import { writeTraceCsv, writeTraceJson } from '../trace-writer';
import { loadModelAndInput, run, type Print } from './shared';

export async function traceCommand(o: CliOptions, print: Print, warn: Print = print): Promise<number> {
  if (!o.out || !/\.(json|csv)$/i.test(o.out)) throw new UsageError('trace needs --out FILE.json or --out FILE.csv');
  const l = await loadModelAndInput(o);
  const trace = run(o, l, true).trace!;
  const seen: NonFinite = { nan: 0, inf: 0 };
  const csv = /\.csv$/i.test(o.out);
  emitStream(o, (write) => (csv ? writeTraceCsv(trace, write) : writeTraceJson(trace, write, seen)), print);
  const warning = nonFiniteWarning(seen, 'the trace');
  if (warning) warn(warning);
  const values = trace.layers.reduce((n, lt) => n + lt.values.length * lt.batch * lt.steps * lt.units, 0);
  print(`wrote ${values} values from ${trace.layers.length} recurrent layer direction(s) to ${o.out}`);
  return 0;
}
