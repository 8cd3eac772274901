/**
 * `cellscope trace` output written as it is made: the same CSV and JSON as src/engine/trace-export.ts (which builds
 * them whole, for small traces and the panel's export), in pieces, because a legal million-step trace is hundreds of
 * megabytes of text, more than one JavaScript string may hold. In JSON, NaN and ±Infinity are Python's tokens.
 */
import type { Trace } from '../engine/trace';
import { writeNumberArray, type NonFinite } from './output';

type Write = (text: string) => void;

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows gathered before one write: a few thousand rows per call keeps the per-call cost away. */
const ROWS_PER_WRITE = 4096;

export function writeTraceCsv(trace: Trace, write: Write): void {
  const keys = [...new Set(trace.layers.flatMap((lt) => lt.quantities.map((q) => q.key)))];
  write([['layer', 'direction', 'batch', 'step', 'input_time', 'unit', ...keys].join(','), ''].join('\n'));
  let rows: string[] = [];
  for (const lt of trace.layers) {
    const column = keys.map((k) => lt.quantities.findIndex((q) => q.key === k));
    const name = csvField(lt.layerName);
    for (let b = 0; b < lt.batch; b++) {
      for (let s = 0; s < lt.steps; s++) {
        for (let j = 0; j < lt.units; j++) {
          const k = (b * lt.steps + s) * lt.units + j;
          const values = column.map((q) => (q < 0 ? '' : String(lt.values[q]![k])));
          rows.push([name, lt.direction, b, s, lt.inputTimeOfStep[s], j, ...values].join(','));
          if (rows.length >= ROWS_PER_WRITE) {
            write(rows.join('\n') + '\n');
            rows = [];
          }
        }
      }
    }
  }
  if (rows.length) write(rows.join('\n') + '\n');
}

/** The cellscope-trace/v1 JSON of traceToJson, key for key. */
export function writeTraceJson(trace: Trace, write: Write, seen: NonFinite): void {
  write(`{"format":"cellscope-trace/v1","precision":${JSON.stringify(trace.precision)},"layers":[`);
  trace.layers.forEach((lt, li) => {
    const head = { layer: lt.layerName, direction: lt.direction, cell: lt.cell, batch: lt.batch, steps: lt.steps, units: lt.units };
    write(`${li ? ',' : ''}${JSON.stringify(head).slice(0, -1)},"input_time_of_step":`);
    writeNumberArray(lt.inputTimeOfStep, write, seen);
    write(',"quantities":{');
    lt.quantities.forEach((q, qi) => {
      const meta = { label: q.label, role: q.role, shape: [lt.batch, lt.steps, lt.units] };
      write(`${qi ? ',' : ''}${JSON.stringify(q.key)}:${JSON.stringify(meta).slice(0, -1)},"data":`);
      writeNumberArray(lt.values[qi]!, write, seen);
      write('}');
    });
    write('}}');
  });
  write(']}');
}
