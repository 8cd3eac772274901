/**
 * Everything a run recorded: for each recurrent layer and direction, every quantity (gates, candidates, states and
 * pre-activations) of every batch item, step and unit, in typed arrays laid out [batch][step][unit].
 * Steps are stored in processing order; `inputTimeOfStep` maps them to input time, so a go_backwards layer's charts
 * can be drawn against the input.
 */
import type { QuantityInfo } from './cells/cell';
import type { CellKind } from './model';
import type { FloatArray, Precision } from './tensor';

export type Direction = 'forward' | 'backward';

/** Which axis a caller indexes steps by: as the cell consumed them, or as they stand in the input. */
export type StepOrder = 'processing' | 'input';

export interface LayerTrace {
  layerIndex: number;
  layerName: string;
  direction: Direction;
  cell: CellKind;
  batch: number;
  steps: number;
  units: number;
  quantities: readonly QuantityInfo[];
  /** values[q][(b·steps + s)·units + j]: quantity q, batch item b, processing step s, unit j. */
  values: FloatArray[];
  /** inputTimeOfStep[s] = input time step consumed at processing step s. */
  inputTimeOfStep: Int32Array;
  /** stepOfInputTime[t] = processing step that consumed input time t. */
  stepOfInputTime: Int32Array;
  /** masked[b·steps + s] = 1 where a padding token made the layer skip that step (state carried over). */
  masked: Uint8Array | null;
  /**
   * initial[q][b·units + j]: state quantity q of unit j before the first processing step (zeros, a stateful layer's
   * states carried from the previous call, `initial_state`, a custom cell's declared start); null for the other
   * quantities. Absent in traces that do not record it (the ONNX reference path): read as zeros.
   */
  initial?: (FloatArray | null)[];
  /** A ConvLSTM's units on its output frame; absent for cells whose units are a plain vector. */
  grid?: UnitGrid;
}

/**
 * Where a ConvLSTM's unit j lies: output position p (spatial row-major over `out`) and filter f, with
 * j = p·filters + f (channels_last) or f·positions + p (channels_first), the layout of Keras's output frame.
 */
export interface UnitGrid {
  out: number[];
  filters: number;
  channelsFirst: boolean;
}

export interface Trace {
  precision: Precision;
  layers: LayerTrace[];
}

export function quantityIndex(lt: LayerTrace, key: string): number {
  const q = lt.quantities.findIndex((x) => x.key === key);
  if (q < 0) throw new RangeError(`layer "${lt.layerName}" (${lt.cell}) records no quantity "${key}"`);
  return q;
}

/** Whether quantity q's row holds every value (a run with SessionOptions.recordOnly may leave rows out: length 0). */
export function isRecorded(lt: LayerTrace, q: number): boolean {
  return lt.values[q]!.length === lt.batch * lt.steps * lt.units;
}

/** The row of quantity `key`; throws when the run left it out of the trace (SessionOptions.recordOnly). */
export function recordedRow(lt: LayerTrace, key: string): FloatArray {
  const q = quantityIndex(lt, key);
  if (!isRecorded(lt, q)) throw new RangeError(`layer "${lt.layerName}": this run left quantity "${key}" out of its trace (recordOnly)`);
  return lt.values[q]!;
}

/** One unit's values over all steps of one batch item, in the requested step order. */
export function series(lt: LayerTrace, key: string, batch: number, unit: number, order: StepOrder = 'input'): Float64Array {
  const values = recordedRow(lt, key);
  const out = new Float64Array(lt.steps);
  for (let i = 0; i < lt.steps; i++) {
    const s = order === 'input' ? lt.stepOfInputTime[i]! : i;
    out[i] = values[(batch * lt.steps + s) * lt.units + unit]!;
  }
  return out;
}

/** The vector of one quantity at one processing step of one batch item (a view, not a copy). */
export function vectorAt(lt: LayerTrace, key: string, batch: number, step: number): FloatArray {
  const values = recordedRow(lt, key);
  const start = (batch * lt.steps + step) * lt.units;
  return values.subarray(start, start + lt.units);
}

export function stepOrderMaps(steps: number, goBackwards: boolean): { inputTimeOfStep: Int32Array; stepOfInputTime: Int32Array } {
  const inputTimeOfStep = new Int32Array(steps);
  for (let s = 0; s < steps; s++) inputTimeOfStep[s] = goBackwards ? steps - 1 - s : s;
  // The mapping is its own inverse (identity or reversal).
  return { inputTimeOfStep, stepOfInputTime: inputTimeOfStep.slice() };
}
