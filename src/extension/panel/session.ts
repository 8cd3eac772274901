/**
 * The host side of the panel without `vscode`: runs the engine once and turns the result into protocol messages.
 * The extension and the webview tests build their messages with this same code.
 */
import type { DiagnosisLine } from '../../diagnose/text';
import { phrase } from '../../phrase';
import { graphView } from '../../panel/graph-view';
import { compareTensors, summarizeComparison, type Comparison } from '../../compare/compare';
import { analyseRun, type RunAnalysis } from '../../panel/analyse-run';
import { diagnosisFor } from '../../panel/analysis';
import { compareHeatColumns, compareSeries } from '../../panel/compare-views';
import type { LayerTrace, RunResult, Tensor } from '../../engine/index';
import { CELL_KINDS } from '../../engine/cells/kinds';
import { recurrentLayersOf, type Model } from '../../engine/model';
import { summarizeModel } from '../../engine/summary';
import { isGraph, type OpenedModel } from '../../formats/loaded-model';
import { inputList, panelModelOf, runPanelModel, type PanelInput } from '../../panel/run-panel-model';
import { modelInputOf } from '../../panel/model-io';
import { runnableFromLoaded } from '../../formats/runnable';
import { FRAMEWORK_LABEL, frameworkOf, frameworkQuantity } from '../../port/frameworks';
import { isTimeMajor, swapFirstAxes } from '../../panel/time-major';
import { startEngineRun, type EngineRun, type EngineRunOptions } from '../../worker/client';
import { outputHead, topKPredictions } from '../../panel/predictions';
import type { Predictions, CompareHeatMessage, CompareSeriesMessage, ComparisonMessage, FloatData, HeatMessage, InitMessage, SeriesMessage, TraceLayerMeta, TraceMessage, TraceView, WindowMessage } from '../../protocol';
import { MAX_HEAT_VALUES, MAX_WINDOW_VALUES, WHOLE_INPUT_VALUES, WHOLE_TRACE_VALUES, bucketsFor, heatColumns, minMaxSeriesOf, windowSteps } from '../../panel/overview';

export interface SessionFiles {
  /** The model file's URI as a string (saved in webview state). */
  fileUri: string;
  model: string;
  input: string | null;
  recording: string | null;
}

export interface SessionInputs {
  /** An engine model (Keras, TF.js, PyTorch, fixtures) or an ONNX graph, which runs whole. */
  loaded: OpenedModel;
  /** The model's input; for a multi-input model its first (the one the playground edits), `inputs` has them all. */
  input: Tensor;
  /** Every input of a multi-input model, in the model's input order (`inputs[0]` is `input`). */
  inputs?: Tensor[] | undefined;
  /** Keras's recorded output for `input`, when known (the model's first output). */
  expected?: Tensor | undefined;
  /** Keras's recorded outputs of a multi-output model, in output order (`expectedOutputs[0]` is `expected`). */
  expectedOutputs?: Tensor[] | undefined;
  predictCalls?: number | undefined;
  /** Arithmetic of the run (default float64). */
  precision?: 'float64' | 'float32' | undefined;
  /** Why the panel chose `precision` itself (shown in the header). */
  precisionNote?: string | null | undefined;
  /** The input was edited in the panel's playground. */
  edited?: boolean | undefined;
  files: SessionFiles;
}

/**
 * A tight copy: postMessage may send a view's whole underlying buffer. A view that already is its whole buffer is
 * sent as it is (batch 1: no copy of a trace that may be hundreds of MB).
 */
function copy(a: FloatData, start: number, end: number): FloatData {
  if (start === 0 && end === a.length && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a;
  return a.slice(start, end);
}

/** Next tokens shown per step. */
const PREDICTIONS_K = 5;

/** What the Compare view says while the engine worker diagnoses a mismatch (a `note:` line is shown muted). */
const DIAGNOSING: DiagnosisLine[] = [{ kind: 'note', text: phrase('diagnosing — the engine worker re-runs the model under each hypothesis…') }];

/** What the engine runs on: the one input, or every input of a multi-input model. */
export function runInput(inputs: SessionInputs): PanelInput {
  return inputs.inputs && inputs.inputs.length > 1 ? inputs.inputs : inputs.input;
}

function runOptions(inputs: SessionInputs) {
  return { predictCalls: inputs.predictCalls ?? (isGraph(inputs.loaded) ? 1 : inputs.loaded.predictCalls),  ...(inputs.precision ? { precision: inputs.precision } : {}) };
}

/** Above this many bytes of float64 trace the panel runs in float32 (and says so in the header). */
export const FLOAT64_TRACE_BYTES = 1024 ** 3;

/** Recorded values per run, estimated from the model (gates, their pre-activations and the states of each cell). */
export function traceValueCount(model: Model, input: Tensor): number {
  const batch = input.shape[0] ?? 1;
  const steps = input.shape[1] ?? 1;
  let per = 0;
  for (const { layer } of recurrentLayersOf(model)) {
    // A custom cell records its gates, their pre-activations (at most) and its states.
    const q = layer.custom ? 2 * layer.custom.gates.length + layer.custom.states.length : layer.cell === 'custom' ? 12 : CELL_KINDS[layer.cell].quantities.length;
    per += q * layer.config.units;
  }
  return batch * steps * per;
}

/**
 * The arithmetic the panel runs in when none was asked for: float64, unless its trace would pass
 * FLOAT64_TRACE_BYTES (512 units × 100 000 steps of LSTM: 4.1 GB), then float32 with a note for the header. A model
 * whose layers declare float16 / bfloat16 dtype policies runs as Keras runs it (no precision: the engine follows the
 * policies, in float32 arrays), said in the header.
 */
export function panelPrecision(model: Model, input: Tensor): { precision: 'float64' | 'float32' | undefined; note: string | null } {
  if (model.layerDtypes) {
    const types = [...new Set(Object.values(model.layerDtypes))].join(' / ');
    return { precision: undefined, note: `${types} as Keras computes it (dtype policy ${model.dtypePolicies ?? types})` };
  }
  const n = traceValueCount(model, input);
  if (n * 8 <= FLOAT64_TRACE_BYTES) return { precision: 'float64', note: null };
  const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;
  return { precision: 'float32', note: `float32 chosen by the panel: the trace holds ${(n / 1e6).toFixed(0)} M values (${gb(n * 4)}; ${gb(n * 8)} in float64)` };
}

/** A session whose engine run is under way (in the engine worker when `workerPath` is given); `run.cancel()` stops it. */
export interface StartedSession {
  run: EngineRun;
  session: Promise<PanelSession>;
}

export class PanelSession {
  /** Starts the engine run off this thread (worker), in-process when the worker cannot start. */
  static start(inputs: SessionInputs, o: EngineRunOptions = {}): StartedSession {
    // An ONNX graph computes in the element types it declares; an engine model in float64 unless its trace is huge.
    if (!inputs.precision && !isGraph(inputs.loaded)) {
      const p = panelPrecision(inputs.loaded.model, inputs.input);
      inputs = { ...inputs, ...(p.precision ? { precision: p.precision } : {}), precisionNote: p.note };
    }
    // A recording to compare with: the worker compares, and diagnoses a mismatch after sending the result (off this thread).
    const run = startEngineRun(panelModelOf(inputs.loaded), runInput(inputs), runOptions(inputs), { ...o, expected: inputs.expected });
    return { run, session: run.promise.then((r) => new PanelSession(inputs, { ...r, diagnosis: run.diagnosis })) };
  }

  readonly result: RunResult;
  readonly comparison: Comparison | null;
  readonly runMs: number;
  private readonly layers: LayerTrace[];
  /** Ranges, weight views, saturation and comparison: `analyseRun`'s, made beside the run and only forwarded here. */
  private readonly analysed: RunAnalysis;
  /**
   * The worker's diagnosis of a mismatch: 'pending' until it arrives (`diagnosisReady` settles then); undefined when
   * no worker diagnoses, and this thread does it when the comparison message is built.
   */
  private workerDiagnosis: DiagnosisLine[] | null | 'pending' | undefined;
  /** Settles when the worker's diagnosis has arrived (immediately when there is none to wait for). */
  readonly diagnosisReady: Promise<void>;

  /**
   * Runs the engine in-process (synchronously), or takes a run already made (`ran`: e.g. by the engine worker, see
   * `PanelSession.start`).
   */
  constructor(
    readonly inputs: SessionInputs,
    ran?: {
      result: RunResult;
      runMs: number;
      analysed: RunAnalysis;
      diagnosis?: Promise<DiagnosisLine[] | null | undefined> | null;
    },
  ) {
    if (ran) {
      this.result = ran.result;
      this.runMs = ran.runMs;
      this.analysed = ran.analysed;
    } else {
      const t0 = performance.now();
      this.result = runPanelModel(panelModelOf(inputs.loaded), runInput(inputs), runOptions(inputs));
      this.runMs = performance.now() - t0;
      this.analysed = analyseRun(panelModelOf(inputs.loaded), this.result, inputs.expected);
    }
    this.layers = this.result.trace?.layers ?? [];
    this.timeMajor = isGraph(inputs.loaded) && isTimeMajor(inputs.input, this.layers[0]);
    const given = inputList(runInput(inputs));
    this.shownInputs = given.map((t) => (this.timeMajor ? swapFirstAxes(t) : t));
    this.shownInput = this.shownInputs[0]!;
    const loaded = inputs.loaded;
    const names = isGraph(loaded) ? loaded : runnableFromLoaded(loaded);
    this.inputNames = this.shownInputs.map((_, k) => names.inputNames[k] ?? `input ${k}`);
    this.outputNames = this.result.outputs.map((_, k) => names.outputNames[k] ?? `output ${k}`);
    this.layerInputs = this.layers.map((lt) => (isGraph(loaded) || given.length < 2 ? 0 : Math.min(modelInputOf(loaded.model, lt.layerIndex), given.length - 1)));
    this.comparison = this.analysed.comparison;
    const pending = ran?.diagnosis;
    if (pending) {
      this.workerDiagnosis = 'pending';
      this.diagnosisReady = pending.then((lines) => void (this.workerDiagnosis = lines));
    } else this.diagnosisReady = Promise.resolve();
  }

  /** The input is [time, batch, …] (an ONNX graph's own layout, src/panel/time-major.ts): the panel shows it batch first. */
  readonly timeMajor: boolean;
  /** The input as the panel shows it: batch first, [batch][time][feature]; the first of `shownInputs`. */
  readonly shownInput: Tensor;
  /** Every model input as the panel shows it, in the model's order. */
  readonly shownInputs: Tensor[];
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** Per traced layer: the model input its sequence comes from (modelInputOf). */
  private readonly layerInputs: number[];

  get trace(): LayerTrace[] {
    return this.layers;
  }

  /** The run's metadata; `re`: the playground request it answers. */
  initMessage(re = 0): InitMessage {
    const { loaded, files } = this.inputs;
    const input = this.shownInput;
    const model = isGraph(loaded) ? null : loaded.model;
    const s = isGraph(loaded) ? loaded.summary : summarizeModel(loaded.model);
    const framework = isGraph(loaded) ? 'onnx' : frameworkOf(loaded.model.source, loaded.model);
    const layers: TraceLayerMeta[] = this.layers.map((lt, id) => ({
      id,
      layerIndex: lt.layerIndex,
      layerName: lt.layerName,
      direction: lt.direction,
      cell: lt.cell,
      batch: lt.batch,
      steps: lt.steps,
      units: lt.units,
      // Gate names as the model's framework says them (PyTorch g, n; ONNX c gate, h gate), Keras's in the description.
      quantities: lt.quantities.map((q) => frameworkQuantity(framework, lt.cell, { key: q.key, label: q.label, role: q.role, description: q.description })),
      inputTimeOfStep: lt.inputTimeOfStep.slice(),
      grid: lt.grid ? { out: [...lt.grid.out], filters: lt.grid.filters, channelsFirst: lt.grid.channelsFirst } : null,
      modelInput: this.layerInputs[id]!,
      ranges: this.analysed.ranges[id]!,
    }));
    const tokens = !!model?.inputIsTokens;
    const next = this.predictions();
    return {
      type: 'init',
      re,
      fileUri: files.fileUri,
      files: { model: files.model, input: files.input, recording: files.recording },
      framework: FRAMEWORK_LABEL[framework],
      summary: {
        name: s.name,
        layers: s.layers.map((l) => ({ name: l.name, className: l.className, outputShape: [...l.outputShape], params: l.params, details: l.details })),
        params: s.params,
        // A time-major graph declares [time, batch, …]: the dims after the batch are [time, …] in the panel's terms.
        inputShape: this.timeMajor ? [input.shape[1] ?? null, ...s.inputShape.slice(1)] : [...s.inputShape],
        semantics: s.semantics,
      },
      graph: model ? graphView(model) : null,
      precision: this.result.trace?.precision ?? 'float64',
      batch: input.shape[0] ?? 1,
      steps: input.shape[1] ?? 0,
      input: { features: tokens ? 1 : input.shape.slice(2).reduce((a, d) => a * d, 1) || 1, tokens, vocabulary: model?.vocabulary ? [...model.vocabulary] : null, edited: !!this.inputs.edited, timeMajor: this.timeMajor },
      modelInputs: this.shownInputs.map((_, k) => {
        const tokensK = isGraph(loaded) ? false : k === 0 ? tokens : (loaded.model.graph?.inputs[k]?.tokens ?? false);
        return { name: this.inputNames[k]!, shape: this.shownInputs[k]!.shape.slice(1), ...this.inputLayout(k), tokens: tokensK };
      }),
      modelOutputs: [...this.outputNames],
      replay: model && 'replay' in loaded && loaded.replay ? { refusal: loaded.replay.refusal, skipped: loaded.replay.skipped.map((s) => ({ ...s })) } : null,
      predictions: 'note' in next ? null : next,
      predictionsNote: 'note' in next ? next.note : null,
      layers,
      hasComparison: this.comparison !== null,
      runMs: this.runMs,
      precisionNote: this.inputs.precisionNote ?? null,
      analysis: this.analysed.analysis,
      choices: !isGraph(loaded) && loaded.choices ? { ...loaded.choices, modules: loaded.choices.modules.map((m) => ({ ...m })) } : null,
    };
  }

  /** A token model's top-k next tokens per step, from the run's output; else why there are none (null: not a token model). */
  private predictions(): Predictions | { note: string | null } {
    const loaded = this.inputs.loaded;
    if (isGraph(loaded)) return { note: null };
    const model = loaded.model;
    const vocab = model.vocabulary;
    if (!vocab) return { note: model.inputIsTokens ? 'the model file carries no vocabulary: ids cannot be named' : null };
    const head = outputHead(model);
    if ('reason' in head) return { note: `no predictions: ${head.reason}` };
    const top = topKPredictions(this.result.output, vocab.length, head.kind, PREDICTIONS_K);
    if (!top) return { note: `no predictions: the output ${JSON.stringify(this.result.output.shape)} is not one score per vocabulary token (${vocab.length})` };
    return { head: { kind: head.kind, layer: head.layer }, ...top };
  }

  private layerAt(layer: number, batch: number): LayerTrace {
    const lt = this.layers[layer];
    if (!lt) throw new RangeError(`no traced layer ${layer} (there are ${this.layers.length})`);
    if (batch >= lt.batch) throw new RangeError(`batch item ${batch} is out of range (batch ${lt.batch})`);
    return lt;
  }

  /** True when a batch item of this layer is sent whole (else the webview asks for series, heat and windows). */
  isWhole(layer: number): boolean {
    const lt = this.layers[layer];
    return !!lt && lt.steps * lt.units * lt.values.length <= WHOLE_TRACE_VALUES;
  }

  /**
   * One layer/direction for one batch item: every value when it is small (WHOLE_TRACE_VALUES), else the masks, the
   * input (or its chart) and, given the `view` the panel draws first, that view's series, heat and window; throws
   * RangeError for an unknown layer, batch item or model input. `modelInput`: the model input to send (default: the
   * one the layer reads).
   */
  traceMessage(layer: number, batch: number, view?: TraceView, re = 0, modelInput?: number): TraceMessage {
    const lt = this.layerAt(layer, batch);
    const k = modelInput ?? this.layerInputs[layer]!;
    const inp = this.shownInputs[k];
    if (!inp) throw new RangeError(`no model input ${k} (there are ${this.shownInputs.length})`);
    const n = lt.steps * lt.units;
    const start = batch * n;
    const per = inp.data.length / (inp.shape[0] ?? 1);
    const whole = this.wholeInput(layer, k);
    return {
      type: 'trace',
      re,
      layer,
      batch,
      steps: lt.steps,
      units: lt.units,
      values: this.isWhole(layer) ? lt.values.map((v) => copy(v, start, start + n)) : [],
      masked: lt.masked ? lt.masked.slice(batch * lt.steps, (batch + 1) * lt.steps) : null,
      // A state's start for this batch item; a trace without it (ONNX reference) started from zeros.
      initial: lt.quantities.map((q, qi) => {
        const a = lt.initial?.[qi];
        return a ? copy(a, batch * lt.units, (batch + 1) * lt.units) : q.role === 'state' ? new Float64Array(lt.units) : null;
      }),
      modelInput: k,
      input: whole ? copy(inp.data, batch * per, (batch + 1) * per) : new Float32Array(0),
      inputSeries: whole ? null : this.inputSeries(batch, k),
      first: view && !this.isWhole(layer) ? this.firstView(lt, layer, batch, view, re) : null,
    };
  }

  private firstView(lt: LayerTrace, layer: number, batch: number, v: TraceView, re: number): TraceMessage['first'] {
    const units = v.units.filter((j) => j < lt.units);
    if (!units.length || v.quantity >= lt.values.length) return null;
    const W = windowSteps(lt.units, lt.values.length, lt.values[0]!.BYTES_PER_ELEMENT);
    const start = Math.floor(Math.min(v.step, lt.steps - 1) / W) * W;
    return {
      series: this.seriesMessage(layer, batch, units, bucketsFor(lt.steps), re),
      heat: v.cols > 0 ? this.heatMessage(layer, batch, v.quantity, 0, lt.steps, v.cols, re) : null,
      window: this.windowMessage(layer, batch, start, W, re),
    };
  }

  /** Model input k [time][feature] of the run: time steps and values per step. */
  private inputLayout(k: number): { steps: number; features: number } {
    const inp = this.shownInputs[k]!;
    const steps = inp.shape[1] ?? 1;
    return { steps, features: Math.max(1, Math.round(inp.data.length / ((inp.shape[0] ?? 1) * steps))) };
  }

  /**
   * The input goes whole with the trace message unless both are long (then: a chart of it, and its rows with each
   * window). Token ids always go whole (the panel shows the text); so does an input whose steps are not the layer's,
   * and a model input the layer does not read (windows carry the rows of the layer's own).
   */
  private wholeInput(layer: number, k = this.layerInputs[layer]!): boolean {
    const lt = this.layers[layer]!;
    const { steps, features } = this.inputLayout(k);
    const tokens = !isGraph(this.inputs.loaded) && (k === 0 ? this.inputs.loaded.model.inputIsTokens : !!this.inputs.loaded.model.graph?.inputs[k]?.tokens);
    return this.isWhole(layer) || tokens || k !== this.layerInputs[layer] || steps !== lt.steps || steps * features <= WHOLE_INPUT_VALUES;
  }

  private inputSeries(batch: number, k: number): { buckets: number; min: Float32Array; max: Float32Array } {
    const { steps, features } = this.inputLayout(k);
    const b = bucketsFor(steps);
    const min = new Float32Array(features * b);
    const max = new Float32Array(features * b);
    const identity = Int32Array.from({ length: steps }, (_, t) => t);
    minMaxSeriesOf(this.shownInputs[k]!.data, batch * steps * features, features, Array.from({ length: features }, (_, f) => f), identity, b, min, max);
    return { buckets: b, min, max };
  }

  /** Min/max per bucket of input time of the given units, every quantity (float32). */
  seriesMessage(layer: number, batch: number, units: number[], buckets: number, re = 0): SeriesMessage {
    const lt = this.layerAt(layer, batch);
    const bad = units.find((j) => j >= lt.units);
    if (bad !== undefined) throw new RangeError(`unit ${bad} is out of range (${lt.units} units)`);
    const b = Math.max(1, Math.min(buckets, lt.steps, 8192));
    const base = batch * lt.steps * lt.units;
    const min: Float32Array[] = [];
    const max: Float32Array[] = [];
    for (const v of lt.values) {
      const lo = new Float32Array(units.length * b);
      const hi = new Float32Array(units.length * b);
      minMaxSeriesOf(v, base, lt.units, units, lt.stepOfInputTime, b, lo, hi);
      min.push(lo);
      max.push(hi);
    }
    return { type: 'series', re, layer, batch, units: [...units], buckets: b, min, max };
  }

  /** The mean of every unit of quantity q over `cols` parts of input time [t0, t1) (float32). */
  heatMessage(layer: number, batch: number, quantity: number, t0: number, t1: number, cols: number, re = 0): HeatMessage {
    const lt = this.layerAt(layer, batch);
    const v = lt.values[quantity];
    if (!v) throw new RangeError(`no quantity ${quantity} (there are ${lt.values.length})`);
    if (t1 > lt.steps || t0 >= t1) throw new RangeError(`time range [${t0}, ${t1}) is outside 0…${lt.steps}`);
    const c = Math.max(1, Math.min(cols, t1 - t0, Math.floor(MAX_HEAT_VALUES / lt.units)));
    const values = heatColumns(v, batch * lt.steps * lt.units, lt.units, lt.stepOfInputTime, t0, t1, c);
    return { type: 'heat', re, layer, batch, quantity, t0, t1, cols: c, values };
  }

  /** Every quantity over processing steps [start, start + count) (clipped to the trace), in the run's precision. */
  windowMessage(layer: number, batch: number, start: number, count: number, re = 0): WindowMessage {
    const lt = this.layerAt(layer, batch);
    if (start >= lt.steps) throw new RangeError(`window start ${start} is past the last step (${lt.steps})`);
    const n = Math.max(1, Math.min(count, lt.steps - start, Math.floor(MAX_WINDOW_VALUES / (lt.units * lt.values.length))));
    const a = (batch * lt.steps + start) * lt.units;
    let input: FloatData | null = null;
    if (!this.wholeInput(layer)) {
      // The rows these processing steps consumed, in processing order (of the model input the layer reads).
      const own = this.layerInputs[layer]!;
      const { steps, features: F } = this.inputLayout(own);
      const src = this.shownInputs[own]!.data;
      input = src instanceof Float32Array ? new Float32Array(n * F) : new Float64Array(n * F);
      for (let k = 0; k < n; k++) {
        const row = (batch * steps + lt.inputTimeOfStep[start + k]!) * F;
        input.set(src.subarray(row, row + F), k * F);
      }
    }
    return { type: 'window', re, layer, batch, start, count: n, values: lt.values.map((v) => v.slice(a, a + n * lt.units)), input };
  }

  /** The diagnosis of the default-tolerance comparison: the worker's (or "diagnosing…" until it comes), else made here. */
  diagnosis(c0 = this.comparison): DiagnosisLine[] | null {
    if (!c0) return null;
    if (this.workerDiagnosis === 'pending') return DIAGNOSING;
    if (this.workerDiagnosis !== undefined) return this.workerDiagnosis;
    const loaded = this.inputs.loaded;
    return isGraph(loaded) ? null : diagnosisFor({ ...this.inputs, loaded }, c0);
  }

  /** Keras's recorded output `k` (the model's k-th output), when the recording has it. */
  private expectedOf(k: number): Tensor | undefined {
    return k === 0 ? this.inputs.expected : this.inputs.expectedOutputs?.[k];
  }

  /** The outputs that have a recording to compare with (0 without one), in output order. */
  get comparedOutputs(): number {
    if (!this.comparison) return 0;
    const recorded = this.inputs.expectedOutputs?.length ?? 1;
    return Math.max(1, Math.min(recorded, this.result.outputs.length));
  }

  /** Default-tolerance comparisons of the outputs after the first (the first is the analysis's), made when asked. */
  private readonly otherComparisons = new Map<number, Comparison>();

  /** Output k against its recording, under `tolerance` (default: the host's). */
  private comparisonOf(k: number, tolerance?: { atol: number; rtol: number }): Comparison {
    if (k >= this.comparedOutputs) throw new RangeError(`output ${k} has no recording to compare with (${this.comparedOutputs} have)`);
    if (tolerance) return compareTensors(this.result.outputs[k] ?? this.result.output, this.expectedOf(k)!, tolerance);
    if (k === 0) return this.comparison!;
    let c = this.otherComparisons.get(k);
    if (!c) this.otherComparisons.set(k, (c = compareTensors(this.result.outputs[k]!, this.expectedOf(k)!)));
    return c;
  }

  /** A long output over time stays here (WHOLE_TRACE_VALUES): the panel asks for what it draws of the comparison. */
  isKept(output = 0): boolean {
    if (output >= this.comparedOutputs) return false;
    const out = this.result.outputs[output] ?? this.result.output;
    return !this.comparisonOf(output).shapeMismatch && out.shape.length === 3 && out.data.length > WHOLE_TRACE_VALUES;
  }

  get comparisonKept(): boolean {
    return this.isKept(0);
  }

  /**
   * The comparison of model output `output` with its recording; with `tolerance`, judged again with it (a kept
   * comparison's new tolerance: the webview cannot re-judge values it does not hold). The diagnosis is the one of
   * the first output at the default tolerance. `outputs` judges every recorded output the same way (the picker).
   */
  comparisonMessage(tolerance?: { atol: number; rtol: number }, re = 0, output = 0): ComparisonMessage | null {
    const c0 = this.comparison;
    const expected = this.expectedOf(output);
    if (!c0 || !expected || output >= this.comparedOutputs) return null;
    const actual = this.result.outputs[output] ?? this.result.output;
    const c = this.comparisonOf(output, tolerance);
    const kept = this.isKept(output);
    const outputs = Array.from({ length: this.comparedOutputs }, (_, k) => {
      const ck = k === output ? c : this.comparisonOf(k, tolerance);
      return { name: this.outputNames[k]!, pass: ck.pass, maxAbs: ck.maxAbs, shapeMismatch: ck.shapeMismatch };
    });
    return {
      type: 'comparison',
      re,
      output,
      outputs,
      shape: [...actual.shape],
      kept,
      actual: kept ? new Float32Array(0) : actual.data.slice(),
      expected: kept ? new Float32Array(0) : expected.data.slice(),
      pass: c.pass,
      maxAbs: c.maxAbs,
      maxRel: c.maxRel,
      mismatches: c.mismatches,
      count: c.count,
      atol: c.tolerance.atol,
      rtol: c.tolerance.rtol,
      maxAbsAt: c.maxAbsAt ? [...c.maxAbsAt.indices] : null,
      firstDivergence: c.firstDivergence ? [...c.firstDivergence.indices] : null,
      shapeMismatch: c.shapeMismatch,
      text: summarizeComparison(c),
      diagnosis: output === 0 ? this.diagnosis(c0) : null,
    };
  }

  /** Output unit `unit` of batch item `batch` over time: engine and Keras min/max and max |Δ| per bucket. */
  compareSeriesMessage(batch: number, unit: number, re = 0, output = 0): CompareSeriesMessage {
    const { a, e, T, U } = this.keptOutput(batch, output);
    if (unit >= U) throw new RangeError(`output unit ${unit} is out of range (${U})`);
    const B = bucketsFor(T);
    return { type: 'compareSeries', re, batch, unit, buckets: B, ...compareSeries(a, e, batch * T * U, T, U, unit, B) };
  }

  /** Largest |Δ| of every output unit in each of `cols` parts of time [t0, t1) of batch item `batch` (one bad step shows). */
  compareHeatMessage(batch: number, t0: number, t1: number, cols: number, re = 0, output = 0): CompareHeatMessage {
    const { a, e, T, U } = this.keptOutput(batch, output);
    if (t1 > T || t0 >= t1) throw new RangeError(`time range [${t0}, ${t1}) is outside 0…${T}`);
    const c = Math.max(1, Math.min(cols, t1 - t0, Math.floor(MAX_HEAT_VALUES / U)));
    return { type: 'compareHeat', re, batch, t0, t1, cols: c, values: compareHeatColumns(a, e, batch * T * U, U, t0, t1, c) };
  }

  private keptOutput(batch: number, output: number): { a: FloatData; e: FloatData; T: number; U: number } {
    if (!this.isKept(output)) throw new RangeError(`the comparison of output ${output} is not kept on the host`);
    const out = this.result.outputs[output] ?? this.result.output;
    const [B, T, U] = out.shape as [number, number, number];
    if (batch >= B) throw new RangeError(`batch item ${batch} is out of range (batch ${B})`);
    return { a: out.data, e: this.expectedOf(output)!.data, T, U };
  }
}
