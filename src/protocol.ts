/**
 * Messages between the extension host and the Cellscope webview panel, and the panel's saved state: each stated
 * ONCE, as a valibot schema; the TypeScript types are inferred from the schemas and the guards (`isToWebview`,
 * `isFromWebview`, `isPanelState`) run them, so a field cannot be declared without being checked. Shared by both
 * bundles (valibot is tree-shaken: a few KB in the webview); no `vscode` import and no engine code (the webview never
 * computes a cell; the cell kinds come from CELL_KINDS, plain data). The quantity roles are listed with a `satisfies`
 * check, so a new member there fails to compile here.
 *
 * Large numeric data travels as typed arrays (VS Code's postMessage carries them without JSON), never as JSON
 * number lists. Every message crosses through `channel` (src/transport.ts): wire encoding, this guard, a log line
 * for what is dropped. Both sides ship in one VSIX: no field is optional for an older peer.
 */
import * as v from 'valibot';
import type { QuantityInfo, QuantityRole } from './engine/cells/cell';
import { BUILTIN_CELL_KINDS } from './engine/cells/kinds';
import type { CellKind } from './engine/model';
import type { Direction } from './engine/trace';

import { bool, checked, dims, f32, floatData, id, int, keysOf, nonlinearity, num, phrase, re, str, typed, type FloatData } from './protocol-blocks';
import { comparison, compareHeat, compareSeries, diagnosis } from './protocol-compare';
import { explainError, explainProgress, explanation, method, output } from './protocol-explain';
import { portCheck } from './protocol-port';

export type { CellKind, Direction, QuantityRole, FloatData };
export type { ComparisonMessage, CompareHeatMessage, CompareSeriesMessage, DiagnosisMessage } from './protocol-compare';
export type { ExplainProgressMessage, ExplanationMessage, InputAttributionView, LayerDynamicsView, OutputMessage } from './protocol-explain';
export type { PortCheckMessage, PortPair, PortResult } from './protocol-port';

// ---------------------------------------------------------------------------------------------------------------
// Building blocks (src/protocol-blocks.ts) and their use here

const ROLE_NAMES = { gate: 1, candidate: 1, state: 1, pre_activation: 1 } satisfies Record<QuantityRole, 1>;
/** Every cell kind: CELL_KINDS' (plain data), and `custom`. */
const CELL_NAMES: CellKind[] = [...BUILTIN_CELL_KINDS, 'custom'];
const DIRECTIONS = { forward: 1, backward: 1 } satisfies Record<Direction, 1>;

const quantity = v.object({ key: str, label: str, role: v.picklist(keysOf(ROLE_NAMES)), description: str });
export type QuantityMeta = QuantityInfo & v.InferOutput<typeof quantity>;

// ---------------------------------------------------------------------------------------------------------------
// init: the run without its trace values

/** One recurrent layer and direction of the trace, without its numbers. */
const traceLayerMeta = checked(
  v.object({
    /** Index of this entry in `InitMessage.layers` (what requestTrace names). */
    id: int(),
    layerIndex: int(),
    layerName: str,
    direction: v.picklist(keysOf(DIRECTIONS)),
    cell: v.picklist(CELL_NAMES),
    batch: int(1),
    steps: int(1),
    units: int(1),
    quantities: v.pipe(v.array(quantity), v.minLength(1)),
    inputTimeOfStep: typed<Int32Array>(Int32Array),
    /** A ConvLSTM's units on its output frame (src/engine/trace.ts UnitGrid); null for a plain vector of units. */
    grid: v.nullable(v.object({ out: v.pipe(v.array(int(1)), v.minLength(1)), filters: int(1), channelsFirst: v.boolean() })),
    /** The model input (index in InitMessage.modelInputs) this layer's sequence is computed from: the Input card's default. */
    modelInput: int(),
    /** Per quantity: [min, max] over the whole trace (all batch items), for stable colour scales. */
    ranges: typed<Float64Array>(Float64Array),
  }),
  (l) => l.inputTimeOfStep.length === l.steps && l.ranges.length === 2 * l.quantities.length,
  'inputTimeOfStep has one entry per step and ranges two per quantity',
);
export type TraceLayerMeta = v.InferOutput<typeof traceLayerMeta>;

const summaryLayer = v.object({ name: str, className: str, outputShape: dims, params: num, details: str });
export type SummaryLayer = v.InferOutput<typeof summaryLayer>;

/** One weight array's block for one gate: stats, a downsampled image, a histogram, ρ for recurrent blocks. */
const weightBlockView = checked(
  v.object({
    weight: str,
    gate: str,
    /** What the block feeds, as the charts name it (WeightBlock.part / label): gate i, the candidate c̃, or a whole array. */
    part: v.picklist(['gate', 'candidate', 'whole']),
    label: str,
    shape: v.array(int()),
    min: num,
    max: num,
    mean: num,
    std: num,
    nan: int(),
    inf: int(),
    /** Row-major [imageRows, imageCols], each cell the mean of the weights it covers. */
    imageRows: int(1),
    imageCols: int(1),
    image: f32,
    histLo: num,
    histHi: num,
    hist: typed<Uint32Array>(Uint32Array),
    /** Spectral radius of a recurrent gate block; null for other arrays (and for blocks too big for the panel). */
    radius: v.nullable(num),
    /** Why a recurrent block has no radius. */
    radiusNote: v.optional(str),
  }),
  (b) => b.image.length === b.imageRows * b.imageCols,
  'image holds imageRows × imageCols values',
);
export type WeightBlockView = v.InferOutput<typeof weightBlockView>;
const weightLayerView = v.object({ layer: str, blocks: v.array(weightBlockView) });
export type WeightLayerView = v.InferOutput<typeof weightLayerView>;

/** Gate saturation of one traced layer/direction (id as in InitMessage.layers), over all batch items and steps. */
const saturationView = checked(
  v.object({
    layer: int(),
    units: int(1),
    /** Steps counted per unit. */
    counted: int(),
    gates: v.array(v.object({ key: str, label: str })),
    /** left[g·units + j] / right[…]: share of unit j's steps gate g is < 0.1 / > 0.9. */
    left: f32,
    right: f32,
    dead: v.array(v.object({ unit: int(), reason: str })),
    /** Units with a gate saturated at every step whose h still changes: said, not alarmed (LayerSaturation.stuck). */
    stuck: v.array(v.object({ unit: int(), reason: str })),
  }),
  (s) => s.left.length === s.gates.length * s.units && s.right.length === s.left.length,
  'left and right hold gates × units shares',
);
export type SaturationView = v.InferOutput<typeof saturationView>;
const analysisPayload = v.object({ weights: v.array(weightLayerView), saturation: v.array(saturationView) });
export type AnalysisPayload = v.InferOutput<typeof analysisPayload>;

/** The model's graph of layer calls for the graph view (src/panel/graph-view.ts); null for an ONNX graph. */
const graphView = v.object({
  nodes: v.array(v.object({ label: str, className: str, layer: int(-1), recurrent: bool, column: int(), row: int(), output: bool })),
  edges: v.array(v.object({ from: int(), to: int(), kind: v.picklist(['data', 'mask', 'state']) })),
  columns: int(),
  rows: int(),
});
/** A token model's top-k next tokens per step, read from the run's output (src/panel/predictions.ts). */
const predictions = checked(
  v.object({
    /**
     * Where the probabilities come from: a softmax head, the softmax the panel applied to a linear head's logits, or
     * exp of a log_softmax (the page says it in the display language).
     */
    head: v.object({ kind: v.picklist(['probabilities', 'logits', 'log-probabilities']), layer: str }),
    k: int(1),
    batch: int(1),
    /** Output steps (1 when the output has no time axis: the prediction after the last input step). */
    steps: int(1),
    /** [(batch item · steps + step) · k + rank] */
    ids: typed<Int32Array>(Int32Array),
    probs: f32,
  }),
  (p) => p.ids.length === p.batch * p.steps * p.k && p.probs.length === p.ids.length,
  'ids and probs hold batch × steps × k values',
);
export type Predictions = v.InferOutput<typeof predictions>;

const precision = v.picklist(['float64', 'float32']);
export type PanelPrecision = v.InferOutput<typeof precision>;

const init = checked(
  v.object({
    type: v.literal('init'),
    /** The playground's `run` request this run answers; 0 for a run the webview did not ask for (opening, a file change). */
    re,
    /** The model file's URI (saved in the webview state so a reload can re-open it). */
    fileUri: str,
    files: v.object({ model: str, input: v.nullable(str), recording: v.nullable(str) }),
    /** The framework the model file comes from, as people name it (Keras, PyTorch, ONNX, TF.js, custom cell): the recorded output and the gate names are its. */
    framework: str,
    summary: v.object({ name: str, layers: v.array(summaryLayer), params: num, inputShape: dims, semantics: phrase }),
    graph: v.nullable(graphView),
    precision,
    batch: int(1),
    steps: int(),
    /** Input time steps and features per step (features 1 for token ids). */
    input: v.object({
      features: int(1),
      tokens: bool,
      vocabulary: v.nullable(v.array(str)),
      /** The input was edited in the panel's playground (not the file's): reset and "save as" apply. */
      edited: bool,
      /** The model takes [time, batch, …] (an ONNX graph's layout 0): the panel shows and edits it batch first. */
      timeMajor: bool,
    }),
    /**
     * Every input of the model in its order, as Keras names them (a multi-input graph has several): time steps and
     * values per step of each, batch first; `input` above describes the first (the one the playground edits).
     */
    modelInputs: v.pipe(v.array(v.object({ name: str, /** Without the batch axis, as shown. */ shape: v.array(int()), steps: int(), features: int(1), tokens: bool })), v.minLength(1)),
    /** The model's outputs in order, named as Keras names them (the layer that makes each). */
    modelOutputs: v.pipe(v.array(str), v.minLength(1)),
    /** Opened as layer replay (the model holds Python code): the refused layer and the recorded layers left out. */
    replay: v.nullable(v.object({ refusal: str, skipped: v.array(v.object({ name: str, reason: str })) })),
    /** A token model's next-token predictions; null otherwise, with `predictionsNote` saying why for a token model. */
    predictions: v.nullable(predictions),
    predictionsNote: v.nullable(str),
    layers: v.array(traceLayerMeta),
    /** A recorded Keras output exists: a `comparison` message follows. */
    hasComparison: bool,
    runMs: num,
    /** Why the panel ran in `precision` when it chose it itself (a trace too big for float64), shown in the header. */
    precisionNote: v.nullable(str),
    /** Weight and saturation views; undefined when that analysis failed (they are extras, never fatal). */
    analysis: v.optional(analysisPayload),
    /** What the file leaves to the user (a PyTorch state dict's module, nn.RNN's nonlinearity); null when nothing. */
    choices: v.nullable(v.object({ modules: v.array(v.object({ prefix: str, label: str })), module: str, nonlinearity: v.nullable(nonlinearity) })),
  }),
  (m) => m.layers.every((l, k) => l.id === k),
  'layers[k].id is k',
);
export type InitMessage = v.InferOutput<typeof init>;

// ---------------------------------------------------------------------------------------------------------------
// A layer's trace: whole when small, else what the webview draws of it

/** Min and max per bucket of input time (buckets from `bucketStart`), for the charted units of a long trace. */
const series = checked(
  v.object({
    type: v.literal('series'),
    re,
    layer: int(),
    batch: int(),
    units: v.pipe(v.array(int()), v.minLength(1)),
    buckets: int(1),
    /** Per quantity: [unit index in `units`][bucket], float32 (display only). */
    min: v.pipe(v.array(f32), v.minLength(1)),
    max: v.array(f32),
  }),
  (m) => m.min.length === m.max.length && [...m.min, ...m.max].every((a) => a.length === m.units.length * m.buckets),
  'min and max hold units × buckets values per quantity',
);
export type SeriesMessage = v.InferOutput<typeof series>;

/** Heatmap columns of one quantity: the mean of every unit over `cols` equal parts of input time [t0, t1). */
const heat = checked(
  v.object({ type: v.literal('heat'), re, layer: int(), batch: int(), quantity: int(), t0: int(), t1: int(1), cols: int(1), /** [col][unit], float32. */ values: f32 }),
  (m) => m.t1 > m.t0 && m.values.length > 0 && m.values.length % m.cols === 0,
  't1 > t0 and values hold cols × units',
);
export type HeatMessage = v.InferOutput<typeof heat>;

/** Every quantity at full resolution over processing steps [start, start + count), in the run's precision. */
const window_ = checked(
  v.object({
    type: v.literal('window'),
    re,
    layer: int(),
    batch: int(),
    start: int(),
    count: int(1),
    /** values[q]: [step − start][unit]. */
    values: v.pipe(v.array(floatData), v.minLength(1)),
    /** The input rows these steps consumed, [step − start][feature]; null when the trace message carried the input. */
    input: v.nullable(floatData),
  }),
  (m) => {
    const n = m.values[0]!.length;
    return n > 0 && n % m.count === 0 && m.values.every((x) => x.length === n) && (m.input === null || m.input.length % m.count === 0);
  },
  'values hold count × units each',
);
export type WindowMessage = v.InferOutput<typeof window_>;

/**
 * One layer/direction for one batch item. A trace of at most WHOLE_TRACE_VALUES values comes whole: `values[q]`
 * laid out [step][unit], steps in processing order. A longer one stays on the host (`values` empty): the webview asks
 * for what it draws — min/max series of the charted units (`series`), heatmap columns over the visible time range
 * (`heat`) and full-resolution windows of steps around the cursor (`window`).
 */
const trace = checked(
  v.object({
    type: v.literal('trace'),
    re,
    layer: int(),
    batch: int(),
    steps: int(1),
    units: int(1),
    values: v.array(floatData),
    /** masked[s] = 1 where padding made the layer skip processing step s; null when nothing is masked. */
    masked: v.nullable(typed<Uint8Array>(Uint8Array)),
    /** Per quantity: a state's values [unit] before the first processing step (LayerTrace.initial); null for the others. */
    initial: v.array(v.nullable(floatData)),
    /** Which model input `input` is (index in InitMessage.modelInputs): the one asked for. */
    modelInput: int(),
    /** That model input of this batch item, [time][feature]; empty for a long input of a long trace (then `inputSeries`). */
    input: floatData,
    /** A long input's chart: min and max of each feature per bucket of time, [feature][bucket], float32. */
    inputSeries: v.nullable(checked(v.object({ buckets: int(1), min: f32, max: f32 }), (s) => s.min.length === s.max.length && s.min.length > 0 && s.min.length % s.buckets === 0, 'min and max hold features × buckets')),
    /** A long trace asked for with a `view`: the series, heat columns and window that view draws first. */
    first: v.nullable(v.object({ series, heat: v.nullable(heat), window: window_ })),
  }),
  (m) =>
    m.values.every((x) => x.length === m.steps * m.units) &&
    (m.masked === null || m.masked.length === m.steps) &&
    m.initial.every((x) => x === null || x.length === m.units) &&
    (m.input.length > 0 || m.inputSeries !== null),
  'values hold steps × units each, masked one per step, initial states one per unit, and an input or its chart',
);
export type TraceMessage = v.InferOutput<typeof trace>;


// ---------------------------------------------------------------------------------------------------------------
// Host → webview

const stepAction = v.picklist(['forward', 'back', 'first', 'last', 'togglePlay']);
/** What a host stepping command (Step Forward / Step Back / Play/Pause, keybindings) asks of the webview. */
export type StepAction = v.InferOutput<typeof stepAction>;

const toWebview = v.variant('type', [
  portCheck,
  init,
  trace,
  series,
  heat,
  window_,
  comparison,
  diagnosis,
  compareSeries,
  compareHeat,
  output,
  explainProgress,
  explanation,
  explainError,
  v.object({ type: v.literal('error'), message: str }),
  v.object({ type: v.literal('step'), action: stepAction }),
  /** The answer to `saveInput`: the file written (its name), or null when the user cancelled the save dialog. */
  v.object({ type: v.literal('saved'), re, name: v.nullable(str) }),
  /**
   * Asks the webview to record (`start`) or stop recording (`stop`) the time from each key press to the frame that
   * drew its step; the figures are written to `data-cellscope-perf` on <html> (the benchmark reads them).
   */
  v.object({ type: v.literal('perf'), action: v.picklist(['start', 'stop']) }),
]);
export type ToWebview = v.InferOutput<typeof toWebview>;
export type ErrorMessage = Extract<ToWebview, { type: 'error' }>;
export type StepCommandMessage = Extract<ToWebview, { type: 'step' }>;
export type PerfMessage = Extract<ToWebview, { type: 'perf' }>;

// ---------------------------------------------------------------------------------------------------------------
// Webview → host

const unitList = v.pipe(v.array(int()), v.minLength(1), v.maxLength(64));
/** The charted units, the heatmap's quantity and pixel columns (whole time range), the processing step at the cursor. */
const traceView = v.object({ units: unitList, quantity: int(), cols: int(), step: int() });
export type TraceView = v.InferOutput<typeof traceView>;
const timeRange = { t0: int(), t1: int(1), cols: int(1) };
const ordered = (m: { t0: number; t1: number }) => m.t1 > m.t0;

const fromWebview = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  /** What the panel will draw first: a long trace's reply then carries it (`TraceMessage.first`), one round trip. */
  v.object({ type: v.literal('requestTrace'), id, layer: int(), batch: int(), view: traceView, /** The model input to send with it. */ modelInput: int() }),
  /** Min/max series of `units` (every quantity) in `buckets` buckets: answered with `series`. */
  v.object({ type: v.literal('requestSeries'), id, layer: int(), batch: int(), units: unitList, buckets: int(1) }),
  /** Heatmap columns of quantity `quantity` over input time [t0, t1): answered with `heat`. */
  checked(v.object({ type: v.literal('requestHeat'), id, layer: int(), batch: int(), quantity: int(), ...timeRange }), ordered, 't1 > t0'),
  /** Processing steps [start, start + count) at full resolution: answered with `window`. */
  v.object({ type: v.literal('requestWindow'), id, layer: int(), batch: int(), start: int(), count: int(1) }),
  /** Model output `output` compared (another output picked), or a kept comparison judged with another tolerance: answered with a new `comparison`. */
  v.object({ type: v.literal('requestCompare'), id, output: int(), atol: v.pipe(num, v.minValue(0)), rtol: v.pipe(num, v.minValue(0)) }),
  /** A kept comparison's chart for one batch item and output unit: answered with `compareSeries`. */
  v.object({ type: v.literal('requestCompareSeries'), id, output: int(), batch: int(), unit: int() }),
  /** A kept comparison's |Δ| heatmap over time [t0, t1) in `cols` columns: answered with `compareHeat`. */
  checked(v.object({ type: v.literal('requestCompareHeat'), id, output: int(), batch: int(), ...timeRange }), ordered, 't1 > t0'),
  /** Where the panel is (input time step): the host's state query and stepping commands read it. */
  /** One batch item of a model output, to pick an Explain target from: answered with `output`. */
  v.object({ type: v.literal('requestOutput'), id, batch: int(), output: int() }),
  /**
   * Explain one output value (`target`: indices within the batch item) with `method`: answered with `explainProgress`
   * messages and then `explanation` (or `explainError`). The engine worker does it; `cancelExplain` stops it.
   */
  v.object({ type: v.literal('requestExplain'), id, batch: int(), output: int(), target: v.pipe(v.array(v.pipe(v.number(), v.integer())), v.minLength(1), v.maxLength(4)), method, steps: v.pipe(int(1), v.maxValue(4096)), baseline: v.picklist(['zeros', 'mean']) }),
  v.object({ type: v.literal('cancelExplain'), request: id }),
  v.object({ type: v.literal('stepChanged'), layer: int(), batch: int(), step: int() }),
  v.object({ type: v.literal('exportTrace'), format: v.picklist(['csv', 'json']) }),
  /** "Compare with another model…": the host asks for a file, runs the port check: answered with `portCheck` or `portCheckError`. */
  v.object({ type: v.literal('requestPortCheck'), id }),
  /** The module picker / nonlinearity switch: the host loads the file again with them and re-runs (a new `init`). */
  v.object({ type: v.literal('setChoices'), module: str, nonlinearity }),
  /**
   * The playground: re-run on an edited batch item's input (`edit`: its rows, [step][feature]; null: the input as it
   * is), back on the file's input (`reset`), in `precision`. Answered with an `init` whose `re` is this id (or an
   * `error`); a newer `run` cancels the one under way.
   */
  v.object({
    type: v.literal('run'),
    id,
    precision,
    reset: bool,
    edit: v.nullable(checked(v.object({ batch: int(), steps: int(1), data: floatData }), (e) => e.data.length > 0 && e.data.length % e.steps === 0, 'data holds steps × features values')),
  }),
  /** Save the run's (edited) input as a new file, through the save dialog: answered with `saved`. */
  v.object({ type: v.literal('saveInput'), id }),
  v.object({ type: v.literal('log'), level: v.picklist(['info', 'warn', 'error']), message: str }),
]);
export type FromWebview = v.InferOutput<typeof fromWebview>;
export type RequestTraceMessage = Extract<FromWebview, { type: 'requestTrace' }>;
/** A message the host answers: it carries an `id`, the answer carries it back as `re`. */
export type RequestMessage = Extract<FromWebview, { id: number }>;
export type RequestHeatMessage = Extract<FromWebview, { type: 'requestHeat' }>;
export type RequestExplainMessage = Extract<FromWebview, { type: 'requestExplain' }>;
export type RunMessage = Extract<FromWebview, { type: 'run' }>;

// ---------------------------------------------------------------------------------------------------------------
// The panel's saved state

/** What the webview saves with setState after every frame, and reads back (the serializer too) after a window reload. */
const panelState = v.object({
  fileUri: str,
  layer: int(),
  batch: int(),
  /** Input time step. */
  step: int(),
  quantity: str,
  units: v.array(int()),
  focusUnit: int(),
  showPre: bool,
  /** The tolerance the user typed for the comparison; null: the host's default (atol 1e-5, rtol 0). */
  tolerance: v.nullable(v.object({ atol: v.pipe(num, v.minValue(0)), rtol: v.pipe(num, v.minValue(0)) })),
  /** The Compare view's output unit; null: the one with the largest error. */
  outUnit: v.nullable(int()),
  /**
   * The model input the Input card shows (several-input models); null: the one the shown layer reads. Optional, like
   * every field added after the first release: an older saved state must still restore its panel.
   */
  modelInput: v.optional(v.nullable(int())),
  /** The model output the Compare card shows (several-output models). Optional: older saved states have none. */
  compareOutput: v.optional(int()),
  /** Playback speed, steps per second. */
  speed: v.pipe(num, v.minValue(0.001)),
  /** The data tables are open. */
  tablesOpen: bool,
  /** The Explain view's choices (absent in a state saved before it existed); `target` null: the default target. */
  explain: v.optional(
    v.object({ method, steps: v.pipe(int(1), v.maxValue(4096)), baseline: v.picklist(['zeros', 'mean']), output: int(), target: v.nullable(v.array(int())), trajectoryLayer: int(), open: bool }),
  ),
  /**
   * The module and nonlinearity picked for a PyTorch state dict (the serializer loads the file with them). Optional:
   * a state saved before this field existed must still restore its panel.
   */
  choices: v.optional(v.nullable(v.object({ module: str, nonlinearity }))),
  /**
   * The arithmetic chosen with the panel's switch; null: the panel's own choice (float64 unless the trace is huge).
   * Optional: a state saved before this field existed must still restore its panel.
   */
  precision: v.optional(v.nullable(precision)),
  /**
   * The playground's edits (the last one per batch item: its rows, [step][feature]) so a reload runs the edited input
   * again; null: the file's input. JSON keeps NaN as null. Optional: older saved states have none.
   */
  edits: v.optional(v.nullable(v.array(v.object({ batch: int(), steps: int(1), data: v.array(v.nullable(v.number())) })))),
});
export type PanelState = v.InferOutput<typeof panelState>;

/** True for a well-formed host → webview message. */
export const isToWebview = (x: unknown): x is ToWebview => v.is(toWebview, x);
/** True for a well-formed webview → host message. */
export const isFromWebview = (x: unknown): x is FromWebview => v.is(fromWebview, x);
export const isPanelState = (x: unknown): x is PanelState => v.is(panelState, x);

/** A short description of what was wrong with a message, for the log (never the whole payload). */
export { describe as describeMessage } from './transport';
