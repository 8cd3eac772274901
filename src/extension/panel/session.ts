/**
 * The host side of the panel without `vscode`: runs the engine once and turns the result into protocol messages.
 * The extension and the webview tests build their messages with this same code.
 */
import { compareTensors, summarizeComparison, type Comparison } from '../../compare/compare';
import { runModel, type LayerTrace, type RunResult, type Tensor } from '../../engine/index';
import { summarizeModel } from '../../engine/summary';
import type { LoadedModel } from '../../formats/index';
import { startEngineRun, type EngineRun, type EngineRunOptions } from '../../worker/client';
import { traceRanges } from '../../worker/ranges';
import type { ComparisonMessage, FloatData, InitMessage, TraceLayerMeta, TraceMessage } from '../../protocol';
import { analysisPayload, diagnosisFor } from './inspect-messages';

export interface SessionFiles {
  /** The model file's URI as a string (saved in webview state). */
  fileUri: string;
  model: string;
  input: string | null;
  recording: string | null;
}

export interface SessionInputs {
  loaded: LoadedModel;
  input: Tensor;
  /** Keras's recorded output for `input`, when known. */
  expected?: Tensor | undefined;
  predictCalls?: number | undefined;
  /** Arithmetic of the run (default float64). */
  precision?: 'float64' | 'float32' | undefined;
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

function runOptions(inputs: SessionInputs) {
  return { predictCalls: inputs.predictCalls ?? inputs.loaded.predictCalls ?? 1, ...(inputs.precision ? { precision: inputs.precision } : {}) };
}

/** A session whose engine run is under way (in the engine worker when `workerPath` is given); `run.cancel()` stops it. */
export interface StartedSession {
  run: EngineRun;
  session: Promise<PanelSession>;
}

export class PanelSession {
  /** Starts the engine run off this thread (worker), in-process when the worker cannot start. */
  static start(inputs: SessionInputs, o: EngineRunOptions = {}): StartedSession {
    const run = startEngineRun(inputs.loaded.model, inputs.input, runOptions(inputs), o);
    return { run, session: run.promise.then((r) => new PanelSession(inputs, r)) };
  }

  readonly result: RunResult;
  readonly comparison: Comparison | null;
  readonly runMs: number;
  private readonly layers: LayerTrace[];
  /** Each traced layer's value ranges: from the worker (computed there), else computed here once, when first asked. */
  private ranges: Float64Array[] | undefined;

  /**
   * Runs the engine in-process (synchronously), or takes a run already made (`ran`: e.g. by the engine worker, see
   * `PanelSession.start`).
   */
  constructor(
    readonly inputs: SessionInputs,
    ran?: { result: RunResult; runMs: number; ranges?: Float64Array[] | undefined },
  ) {
    if (ran) {
      this.result = ran.result;
      this.runMs = ran.runMs;
      this.ranges = ran.ranges;
    } else {
      const t0 = performance.now();
      this.result = runModel(inputs.loaded.model, inputs.input, runOptions(inputs));
      this.runMs = performance.now() - t0;
    }
    this.layers = this.result.trace?.layers ?? [];
    this.comparison = inputs.expected ? compareTensors(this.result.output, inputs.expected) : null;
  }

  get trace(): LayerTrace[] {
    return this.layers;
  }

  private layerRanges(id: number): Float64Array {
    if (!this.ranges || this.ranges.length !== this.layers.length) this.ranges = this.layers.map(traceRanges);
    return this.ranges[id]!;
  }

  initMessage(): InitMessage {
    const { loaded, input, files } = this.inputs;
    const model = loaded.model;
    const s = summarizeModel(model);
    const layers: TraceLayerMeta[] = this.layers.map((lt, id) => ({
      id,
      layerIndex: lt.layerIndex,
      layerName: lt.layerName,
      direction: lt.direction,
      cell: lt.cell,
      batch: lt.batch,
      steps: lt.steps,
      units: lt.units,
      quantities: lt.quantities.map((q) => ({ key: q.key, label: q.label, role: q.role, description: q.description })),
      inputTimeOfStep: lt.inputTimeOfStep.slice(),
      ranges: this.layerRanges(id),
    }));
    const tokens = !!model.inputIsTokens;
    return {
      type: 'init',
      fileUri: files.fileUri,
      files: { model: files.model, input: files.input, recording: files.recording },
      summary: {
        name: s.name,
        layers: s.layers.map((l) => ({ name: l.name, className: l.className, outputShape: [...l.outputShape], params: l.params, details: l.details })),
        params: s.params,
        inputShape: [...s.inputShape],
        semantics: s.semantics,
      },
      precision: this.result.trace?.precision ?? 'float64',
      batch: input.shape[0] ?? 1,
      steps: input.shape[1] ?? 0,
      input: { features: tokens ? 1 : input.shape.slice(2).reduce((a, d) => a * d, 1) || 1, tokens, vocabulary: model.vocabulary ? [...model.vocabulary] : null },
      layers,
      hasComparison: this.comparison !== null,
      runMs: this.runMs,
      analysis: analysisPayload(model, this.layers),
    };
  }

  /** One layer/direction for one batch item; throws RangeError for an unknown layer or batch item. */
  traceMessage(layer: number, batch: number): TraceMessage {
    const lt = this.layers[layer];
    if (!lt) throw new RangeError(`no traced layer ${layer} (there are ${this.layers.length})`);
    if (batch >= lt.batch) throw new RangeError(`batch item ${batch} is out of range (batch ${lt.batch})`);
    const n = lt.steps * lt.units;
    const start = batch * n;
    const inp = this.inputs.input;
    const per = inp.data.length / (inp.shape[0] ?? 1);
    return {
      type: 'trace',
      layer,
      batch,
      steps: lt.steps,
      units: lt.units,
      values: lt.values.map((v) => copy(v, start, start + n)),
      masked: lt.masked ? lt.masked.slice(batch * lt.steps, (batch + 1) * lt.steps) : null,
      input: copy(inp.data, batch * per, (batch + 1) * per),
    };
  }

  comparisonMessage(): ComparisonMessage | null {
    const c = this.comparison;
    const expected = this.inputs.expected;
    if (!c || !expected) return null;
    return {
      type: 'comparison',
      shape: [...this.result.output.shape],
      actual: this.result.output.data.slice(),
      expected: expected.data.slice(),
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
      diagnosis: diagnosisFor(this.inputs, c),
    };
  }
}
