/**
 * Everything the panel shows of a run besides the run itself, made in ONE place: the engine worker calls
 * `analyseRun` next to the run (off the extension host's thread), and an in-process run (no worker) calls the same
 * function; the host only forwards what it returns. The diagnosis of a mismatch is separate (`diagnosisFor`): it
 * re-runs the model dozens of times, so the worker sends it after the result.
 */
import { compareTensors, type Comparison } from '../compare/compare';
import type { RunResult, Tensor } from '../engine/index';
import type { AnalysisPayload } from '../protocol';
import { analysisPayload } from './analysis';
import { traceRanges } from './ranges';
import { engineModel, type PanelModel } from './run-panel-model';

export interface RunAnalysis {
  /** Per traced layer: per-quantity [min, max] over the whole trace (stable chart and colour scales). */
  ranges: Float64Array[];
  /** Weight views and gate saturation; undefined when that analysis failed (the views are extras, never fatal). */
  analysis: AnalysisPayload | undefined;
  /** The run against the recorded output (default tolerance); null without a recording. */
  comparison: Comparison | null;
}

export function analyseRun(model: PanelModel, result: RunResult, expected?: Tensor | undefined): RunAnalysis {
  const layers = result.trace?.layers ?? [];
  return {
    ranges: layers.map(traceRanges),
    analysis: analysisPayload(engineModel(model), layers),
    comparison: expected ? compareTensors(result.output, expected) : null,
  };
}

/** The typed arrays of an analysis (to transfer with a worker's reply, not copy). */
export function analysisArrays(a: RunAnalysis): ArrayBufferView[] {
  const v = a.analysis;
  return [...a.ranges, ...(v ? [...v.saturation.flatMap((s) => [s.left, s.right]), ...v.weights.flatMap((l) => l.blocks.flatMap((b) => [b.image, b.hist]))] : [])];
}
