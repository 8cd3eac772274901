/**
 * The sequence driver shared by every cell kind: walks the time steps (backwards for go_backwards), carries the
 * states, honours a padding mask, and writes either into the trace or into scratch rows when nothing is recorded.
 */
import { makeCell, type CellContext } from './cells';
import type { RecurrentLayer } from './model';
import { stepOrderMaps, type Direction, type LayerTrace } from './trace';
import { allocate, type FloatArray } from './tensor';

export interface RecurrentInput {
  /** [batch, steps, features], row-major, in the run's precision. */
  data: FloatArray;
  batch: number;
  steps: number;
  /** mask[b·steps + t] = 1 for a real step, 0 for padding; null when every step is real. */
  mask: Uint8Array | null;
}

export interface RecurrentOptions {
  ctx: CellContext;
  record: boolean;
  /** One array per state (h, then c), each [batch·units]; zeros when absent. Not modified. */
  initialStates: FloatArray[] | null;
  layerIndex: number;
  layerName: string;
  direction: Direction;
  /** Output zeros (not the carried h) at padded steps: what Keras's Bidirectional asks of its layers. */
  zeroOutputForMask: boolean;
}

export interface RecurrentResult {
  /** [batch, steps, units] in processing order (Keras does not flip go_backwards sequences back). */
  sequence: FloatArray;
  /** Final states, one per state name, each [batch·units]. */
  states: FloatArray[];
  trace: LayerTrace | null;
}

export function runRecurrent(layer: RecurrentLayer, input: RecurrentInput, opts: RecurrentOptions): RecurrentResult {
  const cell = makeCell(layer, opts.ctx);
  const { batch, steps, mask } = input;
  const u = cell.units;
  const F = cell.features;
  const goBackwards = layer.config.goBackwards;
  const nq = cell.quantities.length;
  const precision = opts.ctx.precision;

  const states = cell.stateNames.map((_, i) => {
    const s = allocate(batch * u, precision);
    const init = opts.initialStates?.[i];
    if (init) s.set(init);
    return s;
  });
  const sequence = allocate(batch * steps * u, precision);
  // Recording writes straight into the trace; otherwise every step reuses one scratch row per quantity.
  const out: FloatArray[] = [];
  for (let q = 0; q < nq; q++) out.push(allocate(opts.record ? batch * steps * u : u, precision));
  const maskedSteps = mask && opts.record ? new Uint8Array(batch * steps) : null;
  const hQ = cell.outputQuantity;

  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < steps; s++) {
      const t = goBackwards ? steps - 1 - s : s;
      const oOff = opts.record ? (b * steps + s) * u : 0;
      const seqOff = (b * steps + s) * u;
      if (mask && mask[b * steps + t] === 0) {
        // Padding: Keras keeps every state and repeats the previous output (or zeros, inside Bidirectional).
        if (maskedSteps) maskedSteps[b * steps + s] = 1;
        if (opts.record) fillMaskedRow(out, oOff, u, cell.quantities, cell.stateNames, states, b);
        if (!opts.zeroOutputForMask && s > 0) sequence.copyWithin(seqOff, seqOff - u, seqOff);
        continue;
      }
      cell.step(input.data, (b * steps + t) * F, states, b * u, out, oOff);
      sequence.set(out[hQ]!.subarray(oOff, oOff + u), seqOff);
    }
  }

  let trace: LayerTrace | null = null;
  if (opts.record) {
    trace = {
      layerIndex: opts.layerIndex,
      layerName: opts.layerName,
      direction: opts.direction,
      cell: layer.cell,
      batch,
      steps,
      units: u,
      quantities: cell.quantities,
      values: out,
      ...stepOrderMaps(steps, goBackwards),
      masked: maskedSteps,
    };
  }
  return { sequence, states, trace };
}

/** A skipped step shows its carried states; gates it never computed are NaN (drawn as gaps). */
function fillMaskedRow(
  out: FloatArray[],
  oOff: number,
  u: number,
  quantities: readonly { key: string }[],
  stateNames: readonly string[],
  states: FloatArray[],
  b: number,
): void {
  quantities.forEach((q, i) => {
    const si = stateNames.indexOf(q.key);
    if (si >= 0) out[i]!.set(states[si]!.subarray(b * u, (b + 1) * u), oOff);
    else out[i]!.fill(NaN, oOff, oOff + u);
  });
}
