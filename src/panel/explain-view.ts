/**
 * What the panel's Explain, Gradient flow and Trajectory views show of one target, made in ONE place with the
 * functions the CLI and the JAX-checked tests use (`explainPrediction`, `dynamicsOf` from src/explain): the engine
 * worker calls `explainForPanel`, and so does a host without a worker. Pure: no vscode, no DOM, no worker.
 */
import type { Model, RunResult } from '../engine/index';
import { sizeOf } from '../engine/tensor';
import { dynamicsOf } from '../explain/dynamics/index';
import { explainPrediction, explainPredictionThreaded, type Explanation, type ExplainOptions, type IgHelper } from '../explain/index';
import type { ModelInput, Tensor64 } from '../explain/backward';
import type { ExplanationMessage, OutputMessage, RequestExplainMessage } from '../protocol';

/** What an explanation needs of the run the panel shows. */
export interface ExplainRun {
  model: Model;
  /** The run's input; for a model of several inputs all of them, in the model's input order. */
  input: ModelInput;
  precision: 'float64' | 'float32';
  predictCalls: number;
  /** The traced layers in the order of InitMessage.layers (the dynamics name them by that id). */
  layers: readonly { layerIndex: number; direction: 'forward' | 'backward' }[];
}

export type ExplainPhase = 'attribution' | 'dynamics';

/** The request's fields that say what to explain (the message minus its type and id). */
export type ExplainAsk = Omit<RequestExplainMessage, 'type' | 'id'>;

/** Above this many values an item's output is not sent whole (the Explain view then takes the target as typed indices). */
export const MAX_OUTPUT_VALUES = 1 << 20;

/** One batch item of model output `output`, for the target picker. */
export function outputMessage(result: RunResult, batch: number, output: number, re = 0): OutputMessage {
  const o = result.outputs[output];
  if (!o) throw new RangeError(`the model has ${result.outputs.length} output(s); there is no output ${output}`);
  const n = o.shape[0] ?? 1;
  if (batch >= n) throw new RangeError(`batch item ${batch} is out of range (batch ${n})`);
  const shape = o.shape.length > 1 ? o.shape.slice(1) : [1];
  const per = sizeOf(shape);
  const values = per <= MAX_OUTPUT_VALUES ? o.data.slice(batch * per, (batch + 1) * per) : new Float32Array(0);
  return { type: 'output', re, batch, output, outputs: result.outputs.length, shape, values };
}

/**
 * The attribution of one target and the run's dynamics for it. Throws ExplainError (a method that does not apply,
 * a target outside the output) with a message the panel shows as it is.
 */
export function explainForPanel(run: ExplainRun, ask: ExplainAsk, onProgress: (phase: ExplainPhase, done: number, total: number) => void = () => {}, re = 0): ExplanationMessage {
  const t0 = performance.now();
  const e = explainPrediction(run.model, run.input, explainOptions(run, ask, onProgress));
  return panelExplanation(run, e, onProgress, t0, re);
}

/**
 * `explainForPanel` with integrated gradients' points shared with the thread `helper` gives (the engine
 * worker: src/explain/threads.ts): the same message, numbers bit for bit (explainPredictionThreaded).
 */
export async function explainForPanelThreaded(run: ExplainRun, ask: ExplainAsk, onProgress: (phase: ExplainPhase, done: number, total: number) => void, helper: IgHelper | undefined): Promise<ExplanationMessage> {
  const t0 = performance.now();
  const e = await explainPredictionThreaded(run.model, run.input, explainOptions(run, ask, onProgress), helper);
  return panelExplanation(run, e, onProgress, t0, 0);
}

function explainOptions(run: ExplainRun, ask: ExplainAsk, onProgress: (phase: ExplainPhase, done: number, total: number) => void): ExplainOptions {
  onProgress('attribution', 0, ask.method === 'integrated-gradients' ? ask.steps : 1);
  return {
    precision: run.precision,
    predictCalls: run.predictCalls,
    method: ask.method,
    target: [ask.batch, ...ask.target],
    output: ask.output,
    steps: ask.steps,
    baseline: ask.baseline,
    onProgress: (done, total) => onProgress('attribution', done, total),
  };
}

/** The explanation and the run's dynamics for its target, as the panel's message. */
function panelExplanation(run: ExplainRun, e: Explanation, onProgress: (phase: ExplainPhase, done: number, total: number) => void, t0: number, re: number): ExplanationMessage {
  const common = { precision: run.precision, predictCalls: run.predictCalls };
  onProgress('dynamics', 0, 1);
  const dynamics = dynamicsOf(run.model, run.input, { ...common, target: e.target });
  const b = e.target.index[0]!;
  const { shape, attribution } = itemOf(e.attribution, b);
  const inputs = e.attributions?.map((a, input) => ({ input, name: a.name, space: a.space, ...itemOf(a.attribution, b) }));
  return {
    type: 'explanation',
    re,
    batch: b,
    output: e.target.output,
    target: e.target.index.slice(1),
    method: e.method,
    value: e.value,
    space: e.space,
    shape,
    attribution,
    ...(inputs ? { inputs } : {}),
    completenessError: e.completenessError ?? null,
    conservationError: e.conservationError ?? null,
    explainedValue: e.explainedValue ?? null,
    ms: performance.now() - t0,
    dynamics: dynamics.flatMap((d) => {
      const layer = run.layers.findIndex((l) => l.layerIndex === d.layerIndex && l.direction === d.direction);
      return layer < 0 ? [] : [{
      layer,
      gradient: d.gradient.map((g) => ({ name: g.name, norm: g.norm })),
      jacobian: d.jacobian,
      jacobianStride: d.jacobianStride,
      trajectory: {
        state: d.trajectory.state,
        explained: d.trajectory.explained,
        components: d.trajectory.components,
        batch: d.trajectory.batch,
        steps: d.trajectory.steps,
        points: d.trajectory.points,
      },
    }];
    }),
  };
}

/** Batch item b of an attribution, as the panel draws it: [steps, features] (wider items folded into features). */
function itemOf(a: Tensor64, b: number): { shape: number[]; attribution: Float64Array } {
  const itemShape = a.shape.slice(1);
  const per = sizeOf(itemShape);
  const shape = itemShape.length > 2 ? [itemShape[0]!, per / itemShape[0]!] : itemShape;
  return { shape, attribution: a.data.slice(b * per, (b + 1) * per) };
}

/** The typed arrays of an explanation (to transfer with a worker's reply, not copy). */
export function explanationArrays(m: ExplanationMessage): ArrayBufferView[] {
  return [m.attribution, ...(m.inputs ?? []).map((a) => a.attribution), ...m.dynamics.flatMap((d) => [d.jacobian, d.trajectory.points, ...d.gradient.map((g) => g.norm)])];
}
