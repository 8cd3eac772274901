/**
 * Explain a prediction (src/explain, run by the engine worker): the model's output to pick a target from, then the
 * attribution of that target and the dynamics of the run (gradient flow, step Jacobians, state trajectories). Part
 * of the panel's channel: src/protocol.ts lists these among the host's messages and `method` in its requests.
 */
import * as v from 'valibot';
import type { Method } from './explain/attribution/types';
import { checked, floatData, int, keysOf, num, phrase, re, str, typed } from './protocol-blocks';

const METHOD_NAMES = { gradient: 1, 'grad-input': 1, 'integrated-gradients': 1, occlusion: 1, lrp: 1 } satisfies Record<Method, 1>;
export const method = v.picklist(keysOf(METHOD_NAMES));
const f64 = typed<Float64Array>(Float64Array);
const sizeIs = (shape: number[], n: number) => shape.reduce((a, d) => a * d, 1) === n;

/** One batch item of model output `output`, item shape `shape` ([units] or [steps, units]); values empty when too long to send. */
export const output = checked(
  v.object({ type: v.literal('output'), re, batch: int(), output: int(), outputs: int(1), shape: v.pipe(v.array(int(1)), v.minLength(1)), values: floatData }),
  (m) => m.values.length === 0 || sizeIs(m.shape, m.values.length),
  'values hold the item shape’s values (or none)',
);
export type OutputMessage = v.InferOutput<typeof output>;

/** Where an explanation under way is: attribution (points done of all, for the batched methods), then dynamics. */
export const explainProgress = v.object({ type: v.literal('explainProgress'), re, phase: v.picklist(['attribution', 'dynamics']), done: int(), total: int() });
export type ExplainProgressMessage = v.InferOutput<typeof explainProgress>;

/** One recurrent layer direction's dynamics for the target (`layer`: the id in InitMessage.layers). */
const layerDynamics = checked(
  v.object({
    layer: int(),
    /** ‖∂y/∂state_t‖ per input time, per state (h; c for LSTM). */
    gradient: v.array(v.object({ name: str, norm: f64 })),
    /** σ_max(∂s_t/∂s_{t−1}) per input time; NaN where sampled out (every `jacobianStride`-th step is computed). */
    jacobian: f64,
    jacobianStride: int(1),
    /** PCA of `state` over every item and step: points[(b·steps + t)·components + k], NaN at padding. */
    trajectory: v.object({ state: str, explained: v.array(num), components: int(1), batch: int(1), steps: int(1), points: f64 }),
  }),
  (d) => d.trajectory.points.length === d.trajectory.batch * d.trajectory.steps * d.trajectory.components && d.gradient.every((g) => g.norm.length === d.jacobian.length),
  'points hold batch × steps × components; one norm and σ per step',
);
export type LayerDynamicsView = v.InferOutput<typeof layerDynamics>;

/** One model input's attribution in an explanation of a model with several inputs (shape and data as the message's own). */
const inputAttribution = checked(
  v.object({
    /** The input's index in the model's input order (InitMessage.modelInputs). */
    input: int(),
    name: str,
    space: v.picklist(['input', 'embedding']),
    shape: v.pipe(v.array(int(1)), v.minLength(1), v.maxLength(2)),
    attribution: f64,
  }),
  (a) => sizeIs(a.shape, a.attribution.length),
  'an input’s attribution holds its shape’s values',
);
export type InputAttributionView = v.InferOutput<typeof inputAttribution>;

export const explanation = checked(
  v.object({
    type: v.literal('explanation'),
    re,
    batch: int(),
    output: int(),
    /** The target's indices within the batch item (resolved: no negatives). */
    target: v.array(int()),
    method,
    value: num,
    /** `embedding`: a token model, attributed per token (the sum over its embedding vector). */
    space: v.picklist(['input', 'embedding']),
    /** The attribution of this batch item: [steps, features] for an input, [steps] per token or per step (occlusion). */
    shape: v.pipe(v.array(int(1)), v.minLength(1), v.maxLength(2)),
    attribution: f64,
    /** A model with several inputs: every input's attribution in the model's input order (the first is the one above). */
    inputs: v.optional(v.array(inputAttribution)),
    /** Integrated gradients: |Σ attribution − (f(x) − f(baseline))|; LRP: |Σ relevance − explainedValue|. */
    completenessError: v.nullable(num),
    conservationError: v.nullable(num),
    explainedValue: v.nullable(num),
    ms: num,
    dynamics: v.array(layerDynamics),
  }),
  (m) => sizeIs(m.shape, m.attribution.length),
  'attribution holds the shape’s values',
);
export type ExplanationMessage = v.InferOutput<typeof explanation>;
export const explainError = v.object({ type: v.literal('explainError'), re, message: phrase });
