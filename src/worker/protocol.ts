/** Messages between the extension host and the engine worker (src/worker/engine-worker.ts). */
import type { DiagnosisLine } from '../diagnose/text';
import type { PredictOptions, RunResult, Tensor } from '../engine/index';
import type { PanelInput, PanelModel } from '../panel/run-panel-model';
import type { PortSide } from '../panel/port-view';
import type { Tolerance } from '../compare/compare';
import type { PortResult } from '../protocol';
import type { RunAnalysis } from '../panel/analyse-run';
import type { ExplainAsk, ExplainPhase, ExplainRun } from '../panel/explain-view';
import type { ExplanationMessage } from '../protocol';

export interface WorkerRequest {
  /** An engine Model, or an ONNX graph's file (read again here). */
  model: PanelModel;
  /** One tensor, or one per model input (a multi-input graph). */
  input: PanelInput;
  options: PredictOptions;
  /**
   * Keras's recorded output: the worker compares the run with it (the comparison goes with the result) and, after
   * sending the result, diagnoses a mismatch.
   */
  expected?: Tensor | undefined;
}

/** Explain one target of the panel's run (src/worker/explain-worker.ts): a request of its own, one per worker. */
export interface ExplainWorkerRequest {
  explain: true;
  run: ExplainRun;
  ask: ExplainAsk;
}

/** The port checker for the panel's "Compare with another model…" (src/panel/port-view.ts). */
export interface PortWorkerRequest {
  port: true;
  a: PortSide;
  b: PortSide;
  input: Tensor;
  tolerance: Tolerance;
}

export type PortWorkerReply = { type: 'portResult'; result: PortResult } | { type: 'error'; name: string; message: string };

export type ExplainWorkerReply =
  | { type: 'progress'; phase: ExplainPhase; done: number; total: number }
  | { type: 'explanation'; message: ExplanationMessage }
  | { type: 'error'; name: string; message: string };

/** `analysed`: what `analyseRun` made of the run next to it (whole-trace scans and eigenvalues: not the host's work). */
export type WorkerReply =
  | { type: 'result'; result: RunResult; runMs: number; analysed: RunAnalysis }
  | { type: 'error'; name: string; message: string }
  /** After `result`, when the request asked: what diagnose() says (null: the output matched). */
  | { type: 'diagnosis'; lines: DiagnosisLine[] | null };

/**
 * The distinct ArrayBuffers under every typed array of a run result (output, outputs, layer outputs, trace), for a
 * postMessage transfer list. A buffer may back several views; it is listed once.
 */
export function transferablesOf(result: RunResult, extra: ArrayBufferView[] = []): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | null | undefined) => {
    if (a && a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0) seen.add(a.buffer);
  };
  add(result.output.data);
  for (const t of result.outputs) add(t.data);
  for (const t of result.layerOutputs) add(t.data);
  for (const lt of result.trace?.layers ?? []) {
    for (const v of lt.values) add(v);
    add(lt.inputTimeOfStep);
    add(lt.stepOfInputTime);
    add(lt.masked);
    for (const a of lt.initial ?? []) add(a);
  }
  for (const a of extra) add(a);
  return [...seen];
}
