/**
 * A trace written out for other tools: CSV in long form (one row per layer, direction, batch item, step and unit,
 * one column per quantity) or JSON with flat row-major arrays per quantity.
 */
import type { Trace } from './trace';

export function traceToCsv(trace: Trace): string {
  const keys = [...new Set(trace.layers.flatMap((lt) => lt.quantities.map((q) => q.key)))];
  const lines = [['layer', 'direction', 'batch', 'step', 'input_time', 'unit', ...keys].join(',')];
  for (const lt of trace.layers) {
    const column = keys.map((k) => lt.quantities.findIndex((q) => q.key === k));
    for (let b = 0; b < lt.batch; b++) {
      for (let s = 0; s < lt.steps; s++) {
        for (let j = 0; j < lt.units; j++) {
          const k = (b * lt.steps + s) * lt.units + j;
          const values = column.map((q) => (q < 0 ? '' : String(lt.values[q]![k])));
          lines.push([csvField(lt.layerName), lt.direction, b, s, lt.inputTimeOfStep[s], j, ...values].join(','));
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface TraceJson {
  format: 'cellscope-trace/v1';
  precision: string;
  layers: {
    layer: string;
    direction: string;
    cell: string;
    batch: number;
    steps: number;
    units: number;
    input_time_of_step: number[];
    /** Each [batch, steps, units] row-major, steps in processing order. */
    quantities: Record<string, { label: string; role: string; shape: number[]; data: number[] }>;
  }[];
}

export function traceToJson(trace: Trace): TraceJson {
  return {
    format: 'cellscope-trace/v1',
    precision: trace.precision,
    layers: trace.layers.map((lt) => ({
      layer: lt.layerName,
      direction: lt.direction,
      cell: lt.cell,
      batch: lt.batch,
      steps: lt.steps,
      units: lt.units,
      input_time_of_step: Array.from(lt.inputTimeOfStep),
      quantities: Object.fromEntries(
        lt.quantities.map((q, i) => [q.key, { label: q.label, role: q.role, shape: [lt.batch, lt.steps, lt.units], data: Array.from(lt.values[i]!) }]),
      ),
    })),
  };
}
