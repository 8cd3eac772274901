/**
 * Messages between the extension host and the Cellscope webview panel. Shared by both bundles: types only plus
 * small hand-written guards, no `vscode` import and no engine code (the webview never computes a cell). The engine's
 * own types are imported type-only (erased from the bundle), so a new cell kind or quantity role reaches both sides.
 *
 * Large numeric data travels as typed arrays (VS Code's postMessage carries them without JSON), never as JSON
 * number lists. Both sides check every incoming message with `isToWebview` / `isFromWebview` and drop (and log)
 * anything malformed.
 */

import type { QuantityInfo, QuantityRole } from './engine/cells/cell';
import type { CellKind } from './engine/model';
import type { BlockStats } from './engine/weight-stats';
import type { Direction, LayerTrace } from './engine/trace';

export type { CellKind, Direction, QuantityRole };
export type FloatData = Float32Array | Float64Array;
export type QuantityMeta = QuantityInfo;

/** One recurrent layer and direction of the trace, without its numbers. */
export interface TraceLayerMeta
  extends Pick<LayerTrace, 'layerIndex' | 'layerName' | 'direction' | 'cell' | 'batch' | 'steps' | 'units' | 'inputTimeOfStep'> {
  /** Index of this entry in `InitMessage.layers` (what requestTrace names). */
  id: number;
  quantities: QuantityMeta[];
  /** Per quantity: [min, max] over the whole trace (all batch items), for stable colour scales. */
  ranges: Float64Array;
}

export interface SummaryLayer {
  name: string;
  className: string;
  outputShape: (number | null)[];
  params: number;
  details: string;
}

export interface InitMessage {
  type: 'init';
  /** The model file's URI (saved in the webview state so a reload can re-open it). */
  fileUri: string;
  files: { model: string; input: string | null; recording: string | null };
  summary: { name: string; layers: SummaryLayer[]; params: number; inputShape: (number | null)[]; semantics: string };
  precision: 'float64' | 'float32';
  batch: number;
  steps: number;
  /** Input time steps and features per step (features 1 for token ids). */
  input: { features: number; tokens: boolean; vocabulary: string[] | null };
  layers: TraceLayerMeta[];
  /** A recorded Keras output exists: a `comparison` message follows. */
  hasComparison: boolean;
  runMs: number;
  /** Why the panel ran in `precision` when it chose it itself (a trace too big for float64), shown in the header. */
  precisionNote?: string | null;
  /** Weight and saturation views (absent from hosts that predate them). */
  analysis?: AnalysisPayload;
}

/** One weight array's block for one gate: stats, a downsampled image, a histogram, ρ for recurrent blocks. */
export interface WeightBlockView extends Omit<BlockStats, 'layer' | 'count'> {
  /** Row-major [imageRows, imageCols], each cell the mean of the weights it covers. */
  imageRows: number;
  imageCols: number;
  image: Float32Array;
  histLo: number;
  histHi: number;
  hist: Uint32Array;
  /** Spectral radius of a recurrent gate block; null for other arrays (and for blocks too big for the panel). */
  radius: number | null;
  /** Why a recurrent block has no radius. */
  radiusNote?: string;
}

export interface WeightLayerView {
  layer: string;
  blocks: WeightBlockView[];
}

/** Gate saturation of one traced layer/direction (id as in InitMessage.layers), over all batch items and steps. */
export interface SaturationView {
  layer: number;
  units: number;
  /** Steps counted per unit. */
  counted: number;
  gates: { key: string; label: string }[];
  /** left[g·units + j] / right[…]: share of unit j's steps gate g is < 0.1 / > 0.9. */
  left: Float32Array;
  right: Float32Array;
  dead: { unit: number; reason: string }[];
}

export interface AnalysisPayload {
  weights: WeightLayerView[];
  saturation: SaturationView[];
}

/**
 * One layer/direction for one batch item. A trace of at most WHOLE_TRACE_VALUES values comes whole: `values[q]`
 * laid out [step][unit], steps in processing order. A longer one stays on the host (`values` empty): the webview asks
 * for what it draws — min/max series of the charted units (`series`), heatmap columns over the visible time range
 * (`heat`) and full-resolution windows of steps around the cursor (`window`).
 */
export interface TraceMessage {
  type: 'trace';
  layer: number;
  batch: number;
  steps: number;
  units: number;
  values: FloatData[];
  /** masked[s] = 1 where padding made the layer skip processing step s; null when nothing is masked. */
  masked: Uint8Array | null;
  /**
   * The model input of this batch item, [time][feature] (token ids as numbers); empty for a long input of a long
   * trace, which comes as `inputSeries` (the chart) and with each window (the values at the cursor).
   */
  input: FloatData;
  /** A long input's chart: min and max of each feature per bucket of time, [feature][bucket], float32. */
  inputSeries: { buckets: number; min: Float32Array; max: Float32Array } | null;
  /** A long trace asked for with a `view`: the series, heat columns and window that view draws first. */
  first?: { series: SeriesMessage; heat: HeatMessage | null; window: WindowMessage } | null;
}

/** Min and max per bucket of input time (buckets from `bucketStart`), for the charted units of a long trace. */
export interface SeriesMessage {
  type: 'series';
  layer: number;
  batch: number;
  units: number[];
  buckets: number;
  /** Per quantity: [unit index in `units`][bucket], float32 (display only). */
  min: Float32Array[];
  max: Float32Array[];
}

/** Heatmap columns of one quantity: the mean of every unit over `cols` equal parts of input time [t0, t1). */
export interface HeatMessage extends Omit<RequestHeatMessage, 'type'> {
  type: 'heat';
  /** [col][unit], float32 (display only). */
  values: Float32Array;
}

/** Every quantity at full resolution over processing steps [start, start + count), in the run's precision. */
export interface WindowMessage {
  type: 'window';
  layer: number;
  batch: number;
  start: number;
  count: number;
  /** values[q]: [step − start][unit]. */
  values: FloatData[];
  /** The input rows these steps consumed, [step − start][feature]; null when the trace message carried the input. */
  input: FloatData | null;
}

/**
 * Asks the webview to record (`start`) or stop recording (`stop`) the time from each key press to the frame that
 * drew its step; the figures are written to `data-cellscope-perf` on <html> (the benchmark reads them).
 */
export interface PerfMessage {
  type: 'perf';
  action: 'start' | 'stop';
}

export interface ComparisonMessage {
  type: 'comparison';
  /** Shape of the output, batch first: [batch, units] or [batch, steps, units]. */
  shape: number[];
  /**
   * A long output over time (more than WHOLE_TRACE_VALUES values) stays on the host: `actual` and `expected` are
   * empty, the figures below are the host's (a new tolerance is asked for with `requestCompare`) and the panel asks
   * for its chart (`requestCompareSeries`) and |Δ| heatmap (`requestCompareHeat`).
   */
  kept?: boolean;
  actual: FloatData;
  expected: FloatData;
  pass: boolean;
  maxAbs: number;
  maxRel: number;
  mismatches: number;
  count: number;
  atol: number;
  rtol: number;
  maxAbsAt: number[] | null;
  firstDivergence: number[] | null;
  shapeMismatch: string | null;
  text: string;
  /** On a mismatch: what `diagnose()` found, one line each (absent or null when it matched or was not run). */
  diagnosis?: string[] | null;
}

/** The engine worker's diagnosis, arriving after the comparison it explains (which said "diagnosing…"). */
export interface DiagnosisMessage {
  type: 'diagnosis';
  diagnosis: string[] | null;
}

/** Engine and Keras output of one output unit over time (one batch item), min/max per bucket; max |Δ| per bucket. */
export interface CompareSeriesMessage {
  type: 'compareSeries';
  batch: number;
  unit: number;
  buckets: number;
  actualMin: Float32Array;
  actualMax: Float32Array;
  expectedMin: Float32Array;
  expectedMax: Float32Array;
  errMax: Float32Array;
}

/** Largest |Δ| of every output unit in each of `cols` parts of time [t0, t1), one batch item: [col][unit], float32. */
export interface CompareHeatMessage {
  type: 'compareHeat';
  batch: number;
  t0: number;
  t1: number;
  cols: number;
  values: Float32Array;
}

export interface ErrorMessage {
  type: 'error';
  message: string;
}

/** What a host stepping command (Step Forward / Step Back / Play/Pause, keybindings) asks of the webview. */
export type StepAction = 'forward' | 'back' | 'first' | 'last' | 'togglePlay';
const STEP_ACTIONS = new Set<string>(['forward', 'back', 'first', 'last', 'togglePlay']);

export interface StepCommandMessage {
  type: 'step';
  action: StepAction;
}

/** Host → webview. */
export type ToWebview =
  | InitMessage
  | TraceMessage
  | SeriesMessage
  | HeatMessage
  | WindowMessage
  | ComparisonMessage
  | DiagnosisMessage
  | CompareSeriesMessage
  | CompareHeatMessage
  | ErrorMessage
  | StepCommandMessage
  | PerfMessage;

export interface ReadyMessage {
  type: 'ready';
}
export interface RequestTraceMessage {
  type: 'requestTrace';
  layer: number;
  batch: number;
  /** What the panel will draw first: a long trace's reply then carries it (`TraceMessage.first`), one round trip. */
  view?: TraceView;
}
/** The charted units, the heatmap's quantity and pixel columns (whole time range), the processing step at the cursor. */
export interface TraceView {
  units: number[];
  quantity: number;
  cols: number;
  step: number;
}
/** Min/max series of `units` (every quantity) in `buckets` buckets: answered with `series`. */
export interface RequestSeriesMessage {
  type: 'requestSeries';
  layer: number;
  batch: number;
  units: number[];
  buckets: number;
}
/** Heatmap columns of quantity `quantity` over input time [t0, t1): answered with `heat`. */
export interface RequestHeatMessage {
  type: 'requestHeat';
  layer: number;
  batch: number;
  quantity: number;
  t0: number;
  t1: number;
  cols: number;
}
/** Processing steps [start, start + count) at full resolution: answered with `window`. */
export interface RequestWindowMessage {
  type: 'requestWindow';
  layer: number;
  batch: number;
  start: number;
  count: number;
}
/** A kept comparison judged with another tolerance: answered with a new `comparison`. */
export interface RequestCompareMessage {
  type: 'requestCompare';
  atol: number;
  rtol: number;
}
/** A kept comparison's chart for one batch item and output unit: answered with `compareSeries`. */
export interface RequestCompareSeriesMessage {
  type: 'requestCompareSeries';
  batch: number;
  unit: number;
}
/** A kept comparison's |Δ| heatmap over time [t0, t1) in `cols` columns: answered with `compareHeat`. */
export interface RequestCompareHeatMessage {
  type: 'requestCompareHeat';
  batch: number;
  t0: number;
  t1: number;
  cols: number;
}
export interface StepChangedMessage {
  type: 'stepChanged';
  layer: number;
  batch: number;
  /** Input time step. */
  step: number;
}
export interface ExportTraceMessage {
  type: 'exportTrace';
  format: 'csv' | 'json';
}
export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** Webview → host. */
export type FromWebview =
  | ReadyMessage
  | RequestTraceMessage
  | RequestSeriesMessage
  | RequestHeatMessage
  | RequestWindowMessage
  | RequestCompareMessage
  | RequestCompareSeriesMessage
  | RequestCompareHeatMessage
  | StepChangedMessage
  | ExportTraceMessage
  | LogMessage;

// ---------------------------------------------------------------------------------------------------------------
// Guards. Deliberately small and explicit: each checks every field the receiver reads.

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number';
const isInt = (v: unknown, min = 0): v is number => Number.isInteger(v) && (v as number) >= min;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isFloat = (v: unknown): v is FloatData => v instanceof Float32Array || v instanceof Float64Array;
const isNullOr = <T>(v: unknown, f: (x: unknown) => x is T): boolean => v === null || f(v);
const isArrOf = <T>(v: unknown, f: (x: unknown) => boolean): v is T[] => Array.isArray(v) && v.every((x) => f(x));
const isDim = (v: unknown): boolean => v === null || isInt(v);
// Every member of the engine's unions, checked by the compiler: adding a role or cell kind there fails here.
const ROLE_NAMES = { gate: 1, candidate: 1, state: 1, pre_activation: 1 } satisfies Record<QuantityRole, 1>;
const CELL_NAMES = { simple_rnn: 1, lstm: 1, gru: 1, custom: 1 } satisfies Record<CellKind, 1>;
const ROLES = new Set<string>(Object.keys(ROLE_NAMES));
const CELLS = new Set<string>(Object.keys(CELL_NAMES));

function isQuantity(v: unknown): v is QuantityMeta {
  return isRec(v) && isStr(v.key) && isStr(v.label) && isStr(v.role) && ROLES.has(v.role) && isStr(v.description);
}

function isLayerMeta(v: unknown, id: number): v is TraceLayerMeta {
  if (!isRec(v)) return false;
  if (v.id !== id || !isInt(v.layerIndex) || !isStr(v.layerName)) return false;
  if (v.direction !== 'forward' && v.direction !== 'backward') return false;
  if (!isStr(v.cell) || !CELLS.has(v.cell)) return false;
  if (!isInt(v.batch, 1) || !isInt(v.steps, 1) || !isInt(v.units, 1)) return false;
  if (!isArrOf<QuantityMeta>(v.quantities, isQuantity) || v.quantities.length === 0) return false;
  if (!(v.inputTimeOfStep instanceof Int32Array) || v.inputTimeOfStep.length !== v.steps) return false;
  return v.ranges instanceof Float64Array && v.ranges.length === 2 * v.quantities.length;
}

function isSummaryLayer(v: unknown): v is SummaryLayer {
  return isRec(v) && isStr(v.name) && isStr(v.className) && isArrOf(v.outputShape, isDim) && isNum(v.params) && isStr(v.details);
}

function isInit(m: Rec): boolean {
  const f = m.files;
  const s = m.summary;
  const i = m.input;
  if (!isStr(m.fileUri) || !isRec(f) || !isStr(f.model) || !isNullOr(f.input, isStr) || !isNullOr(f.recording, isStr)) return false;
  if (!isRec(s) || !isStr(s.name) || !isArrOf(s.layers, isSummaryLayer) || !isNum(s.params) || !isArrOf(s.inputShape, isDim) || !isStr(s.semantics)) return false;
  if (m.precision !== 'float64' && m.precision !== 'float32') return false;
  if (!isInt(m.batch, 1) || !isInt(m.steps, 0) || !isBool(m.hasComparison) || !isNum(m.runMs)) return false;
  if (!isRec(i) || !isInt(i.features, 1) || !isBool(i.tokens) || !(i.vocabulary === null || isArrOf(i.vocabulary, isStr))) return false;
  if (m.analysis !== undefined && !isAnalysis(m.analysis)) return false;
  if (m.precisionNote !== undefined && !isNullOr(m.precisionNote, isStr)) return false;
  return Array.isArray(m.layers) && m.layers.every((l, k) => isLayerMeta(l, k));
}

function isBlockView(v: unknown): boolean {
  if (!isRec(v) || !isStr(v.weight) || !isStr(v.gate) || !isArrOf(v.shape, (d) => isInt(d))) return false;
  if (![v.min, v.max, v.mean, v.std, v.histLo, v.histHi].every(isNum) || !isInt(v.nan) || !isInt(v.inf)) return false;
  if (!isInt(v.imageRows, 1) || !isInt(v.imageCols, 1) || !(v.image instanceof Float32Array) || v.image.length !== v.imageRows * v.imageCols) return false;
  if (v.radiusNote !== undefined && !isStr(v.radiusNote)) return false;
  return v.hist instanceof Uint32Array && (v.radius === null || isNum(v.radius));
}

function isSaturationView(v: unknown): boolean {
  if (!isRec(v) || !isInt(v.layer) || !isInt(v.units, 1) || !isInt(v.counted)) return false;
  if (!isArrOf(v.gates, (g) => isRec(g) && isStr(g.key) && isStr(g.label))) return false;
  const n = v.gates.length * v.units;
  if (!(v.left instanceof Float32Array) || !(v.right instanceof Float32Array) || v.left.length !== n || v.right.length !== n) return false;
  return isArrOf(v.dead, (d) => isRec(d) && isInt(d.unit) && isStr(d.reason));
}

function isAnalysis(v: unknown): v is AnalysisPayload {
  return isRec(v) && isArrOf(v.weights, (l) => isRec(l) && isStr(l.layer) && isArrOf(l.blocks, isBlockView)) && isArrOf(v.saturation, isSaturationView);
}

const isF32 = (v: unknown): v is Float32Array => v instanceof Float32Array;

function isTrace(m: Rec): boolean {
  if (!isInt(m.layer) || !isInt(m.batch) || !isInt(m.steps, 1) || !isInt(m.units, 1)) return false;
  const n = (m.steps as number) * (m.units as number);
  if (!Array.isArray(m.values) || !m.values.every((v) => isFloat(v) && v.length === n)) return false;
  if (!(m.masked === null || (m.masked instanceof Uint8Array && m.masked.length === m.steps))) return false;
  const is = m.inputSeries;
  if (!(is === null || (isRec(is) && isInt(is.buckets, 1) && isF32(is.min) && isF32(is.max) && is.min.length === is.max.length && is.min.length > 0 && is.min.length % is.buckets === 0))) return false;
  const f = m.first;
  if (!(f === undefined || f === null || (isRec(f) && isRec(f.series) && isSeries(f.series) && (f.heat === null || (isRec(f.heat) && isHeat(f.heat))) && isRec(f.window) && isWindow(f.window)))) return false;
  return isFloat(m.input) && (m.input.length > 0 || is !== null);
}

function isSeries(m: Rec): boolean {
  if (!isInt(m.layer) || !isInt(m.batch) || !isInt(m.buckets, 1) || !isArrOf<number>(m.units, (u) => isInt(u)) || m.units.length === 0) return false;
  const n = m.units.length * (m.buckets as number);
  const ok = (a: unknown): a is Float32Array[] => Array.isArray(a) && a.length > 0 && a.every((v) => isF32(v) && v.length === n);
  return ok(m.min) && ok(m.max) && m.min.length === m.max.length;
}

function isHeat(m: Rec): boolean {
  if (!isInt(m.layer) || !isInt(m.batch) || !isInt(m.quantity) || !isInt(m.t0) || !isInt(m.t1, 1) || !isInt(m.cols, 1)) return false;
  return (m.t1 as number) > (m.t0 as number) && isF32(m.values) && m.values.length > 0 && m.values.length % (m.cols as number) === 0;
}

function isWindow(m: Rec): boolean {
  if (!isInt(m.layer) || !isInt(m.batch) || !isInt(m.start) || !isInt(m.count, 1)) return false;
  if (!Array.isArray(m.values) || m.values.length === 0 || !m.values.every(isFloat)) return false;
  const n = (m.values[0] as FloatData).length;
  if (!(m.input === null || (isFloat(m.input) && m.input.length % (m.count as number) === 0))) return false;
  return n > 0 && n % (m.count as number) === 0 && m.values.every((v: FloatData) => v.length === n);
}

function isComparison(m: Rec): boolean {
  if (!isArrOf<number>(m.shape, (d) => isInt(d, 1)) || m.shape.length < 1) return false;
  if (!isFloat(m.actual) || !isFloat(m.expected)) return false;
  const fine = isStr(m.text) && isBool(m.pass) && isNum(m.maxAbs) && isNum(m.maxRel) && isInt(m.mismatches) && isInt(m.count) && isNum(m.atol) && isNum(m.rtol);
  if (!fine || !isNullOr(m.shapeMismatch, isStr)) return false;
  if (m.diagnosis !== undefined && !isNullOr(m.diagnosis, (v): v is string[] => isArrOf(v, isStr))) return false;
  if (!isNullOr(m.maxAbsAt, (v): v is number[] => isArrOf(v, isInt)) || !isNullOr(m.firstDivergence, (v): v is number[] => isArrOf(v, isInt))) return false;
  // Without a shape mismatch both arrays hold exactly shape's values (none when the host keeps them).
  if (m.kept !== undefined && !isBool(m.kept)) return false;
  if (m.kept) return m.shapeMismatch === null && m.shape.length === 3 && m.actual.length === 0 && m.expected.length === 0;
  const size = m.shape.reduce((a, d) => a * d, 1);
  return m.shapeMismatch !== null || (m.actual.length === size && m.expected.length === size);
}

/** True for a well-formed host → webview message. */
export function isToWebview(v: unknown): v is ToWebview {
  if (!isRec(v)) return false;
  switch (v.type) {
    case 'init':
      return isInit(v);
    case 'trace':
      return isTrace(v);
    case 'series':
      return isSeries(v);
    case 'heat':
      return isHeat(v);
    case 'window':
      return isWindow(v);
    case 'perf':
      return v.action === 'start' || v.action === 'stop';
    case 'comparison':
      return isComparison(v);
    case 'diagnosis':
      return isNullOr(v.diagnosis, (d): d is string[] => isArrOf(d, isStr));
    case 'compareSeries': {
      if (!isInt(v.batch) || !isInt(v.unit) || !isInt(v.buckets, 1)) return false;
      const b = v.buckets;
      return [v.actualMin, v.actualMax, v.expectedMin, v.expectedMax, v.errMax].every((a) => isF32(a) && a.length === b);
    }
    case 'compareHeat':
      return isInt(v.batch) && isInt(v.t0) && isInt(v.t1, 1) && (v.t1 as number) > (v.t0 as number) && isInt(v.cols, 1) && isF32(v.values) && v.values.length > 0 && v.values.length % (v.cols as number) === 0;
    case 'error':
      return isStr(v.message);
    case 'step':
      return isStr(v.action) && STEP_ACTIONS.has(v.action);
    default:
      return false;
  }
}

function isTraceView(v: unknown): v is TraceView {
  return isRec(v) && isArrOf<number>(v.units, (u) => isInt(u)) && v.units.length > 0 && v.units.length <= 64 && isInt(v.quantity) && isInt(v.cols) && isInt(v.step);
}

/** True for a well-formed webview → host message. */
export function isFromWebview(v: unknown): v is FromWebview {
  if (!isRec(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'requestTrace':
      return isInt(v.layer) && isInt(v.batch) && (v.view === undefined || isTraceView(v.view));
    case 'requestSeries':
      return isInt(v.layer) && isInt(v.batch) && isInt(v.buckets, 1) && isArrOf<number>(v.units, (u) => isInt(u)) && v.units.length > 0 && v.units.length <= 64;
    case 'requestHeat':
      return isInt(v.layer) && isInt(v.batch) && isInt(v.quantity) && isInt(v.t0) && isInt(v.t1, 1) && (v.t1 as number) > (v.t0 as number) && isInt(v.cols, 1);
    case 'requestCompare':
      return isNum(v.atol) && isNum(v.rtol) && v.atol >= 0 && v.rtol >= 0;
    case 'requestCompareSeries':
      return isInt(v.batch) && isInt(v.unit);
    case 'requestCompareHeat':
      return isInt(v.batch) && isInt(v.t0) && isInt(v.t1, 1) && (v.t1 as number) > (v.t0 as number) && isInt(v.cols, 1);
    case 'requestWindow':
      return isInt(v.layer) && isInt(v.batch) && isInt(v.start) && isInt(v.count, 1);
    case 'stepChanged':
      return isInt(v.layer) && isInt(v.batch) && isInt(v.step);
    case 'exportTrace':
      return v.format === 'csv' || v.format === 'json';
    case 'log':
      return (v.level === 'info' || v.level === 'warn' || v.level === 'error') && isStr(v.message);
    default:
      return false;
  }
}

/** What the webview saves with setState, and the serializer reads back after a window reload. */
export interface PanelState {
  fileUri: string;
  layer: number;
  batch: number;
  /** Input time step. */
  step: number;
  quantity: string;
  units: number[];
  focusUnit: number;
  showPre: boolean;
}

export function isPanelState(v: unknown): v is PanelState {
  return (
    isRec(v) &&
    isStr(v.fileUri) &&
    isInt(v.layer) &&
    isInt(v.batch) &&
    isInt(v.step) &&
    isStr(v.quantity) &&
    isArrOf(v.units, isInt) &&
    isInt(v.focusUnit) &&
    isBool(v.showPre)
  );
}

/** A short description of what was wrong with a message, for the log (never the whole payload). */
export function describeMessage(v: unknown): string {
  if (!isRec(v)) return v === null ? 'null' : typeof v;
  return `{type: ${JSON.stringify(v.type)}, keys: ${Object.keys(v).slice(0, 8).join(', ')}}`;
}
