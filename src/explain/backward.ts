/**
 * Reverse-mode differentiation of a whole model: one recorded forward run (the engine's Session, every quantity in
 * the trace), then the layer calls of the model's graph in reverse order, each turning ∂y/∂(its outputs) into
 * ∂y/∂(its input) (layers/). A chain model is the graph whose call i reads call i−1. The result is the gradient
 * with respect to the model's input, or, for a token model, with respect to the embedding vectors its Embedding
 * layer looked up (token ids have no gradient).
 */
import { recurrentLayersOf, stateNames, type HardSigmoidFlavor, type Model } from '../engine/model';
import { Session, type RunResult } from '../engine/session';
import { withPrecision, type FloatArray, type Precision, type Tensor } from '../engine/tensor';
import type { Trace } from '../engine/trace';
import type { BackwardContext } from './cells';
import type { RuleOptions } from './lrp/rule';
import { callGraph, type CallRef } from './graph';
import { ExplainError, layerBackward, type StepWatcher } from './layers';
import { mergeBackward } from './layers/merge';

export interface ForwardOptions {
  /** float64 (default) or float32: the forward's arithmetic; the backward accumulates in float64 either way. */
  precision?: Precision;
  hardSigmoid?: HardSigmoidFlavor;
  /** Initial states by layer name, as RunOptions.initialStates. */
  initialStates?: Record<string, Tensor[]>;
  /** Stateful models called N times: explain the last call, starting from the states the earlier calls left. */
  predictCalls?: number;
}

/** A recorded forward run and what the backward needs from it. */
export interface ForwardRun {
  model: Model;
  /** The input in the run's precision. */
  input: Tensor;
  run: RunResult;
  trace: Trace;
  ctx: BackwardContext;
  /** The states every recurrent layer started from, by name (given ones and stateful carry-overs). */
  initialStates: Record<string, Tensor[]>;
}

/** `recordOnly`: the trace quantities the caller reads (SessionOptions.recordOnly); unset: all. */
export function forwardRun(model: Model, input: Tensor, options: ForwardOptions = {}, recordOnly?: readonly string[]): ForwardRun {
  const precision = options.precision ?? 'float64';
  const session = new Session(model, { precision, record: true, ...(recordOnly ? { recordOnly } : {}), ...(options.hardSigmoid ? { hardSigmoid: options.hardSigmoid } : {}) });
  const initialStates: Record<string, Tensor[]> = { ...options.initialStates };
  const calls = options.predictCalls ?? 1;
  for (let i = 0; i < calls; i++) {
    const run = session.run(input, { initialStates: options.initialStates ?? {} });
    if (i === calls - 1) return { model, input: withPrecision(input, precision), run, trace: run.trace!, ctx: { precision, hardSigmoid: session.hardSigmoid }, initialStates };
    Object.assign(initialStates, finalStatesOfStateful(model, run.trace!));
  }
  throw new RangeError(`predictCalls must be ≥ 1; got ${calls}`);
}

/** The large arrays a forward run made (trace rows, layer outputs): what a chunked method recycles after a chunk. */
export function runArrays(fr: ForwardRun): FloatArray[] {
  return [...fr.trace.layers.flatMap((l) => l.values), ...fr.run.layerOutputs.map((t) => t.data)];
}

/** The states a stateful layer keeps for the next call: its trace's state rows at the last processed step. */
function finalStatesOfStateful(model: Model, trace: Trace): Record<string, Tensor[]> {
  const out: Record<string, Tensor[]> = {};
  for (const { layerIndex, direction, layer } of recurrentLayersOf(model)) {
    if (!layer.config.stateful) continue;
    const lt = trace.layers.find((t) => t.layerIndex === layerIndex && t.direction === direction)!;
    const names = stateNames(layer);
    const states = names.map((n) => {
      const values = lt.values[lt.quantities.findIndex((q) => q.key === n)]!;
      const data = new Float64Array(lt.batch * lt.units);
      for (let b = 0; b < lt.batch; b++) data.set(values.subarray((b * lt.steps + lt.steps - 1) * lt.units, (b * lt.steps + lt.steps) * lt.units), b * lt.units);
      return { shape: [lt.batch, lt.units], data };
    });
    const name = model.layers[layerIndex]!.name;
    out[name] = [...(out[name] ?? []), ...states];
  }
  return out;
}

/** A tensor the explain code computed: always float64. */
export interface Tensor64 extends Tensor {
  readonly data: Float64Array;
}

/** ∂y/∂(the differentiable input) and that input. */
export interface InputGradient {
  /** `input`: the model's input; `embedding`: the vectors the first Embedding layer looked up, [batch, time, dim]. */
  space: 'input' | 'embedding';
  /** Σ of ∂y/∂(every recurrent layer's initial states): for LRP, the relevance the initial states kept. */
  initialTotal: number;
  /** The differentiable input's value (float64). */
  value: Tensor64;
  grad: Tensor64;
}

/**
 * ∂(Σ_k ⟨seeds[k], outputs[k]⟩)/∂(input): the vector-Jacobian product of the model at the recorded run, one seed per
 * model output (null: none). `watch` sees every recurrent step's state gradients (gradient flow). The seeds are
 * given, not lent: the pass may add into them (every caller makes them for the one pass; a copy of a long
 * sequence's seed costs more than its backward's gate arithmetic).
 */
export function backward(fr: ForwardRun, seeds: (Float64Array | null)[], watch?: StepWatcher, lrp?: RuleOptions): InputGradient {
  const { model, run } = fr;
  const graph = callGraph(model);
  if (graph.inputs.length !== 1) throw new ExplainError(`model "${model.name}" has ${graph.inputs.length} inputs; explain handles one-input models`);
  const calls = new Map<number, number>();
  graph.nodes.forEach((n) => calls.set(n.layer, (calls.get(n.layer) ?? 0) + 1));
  const grads: (Float64Array | null)[][] = graph.nodes.map(() => []);
  let dInput: Float64Array | null = null;
  let initialTotal = 0;
  type Embedded = { grad: Float64Array | null; value: Tensor };
  let embedding = null as Embedded | null;
  const add = (ref: CallRef, g: Float64Array | null) => {
    if (!g) return;
    if ('input' in ref) {
      dInput = accumulate(dInput, g);
      return;
    }
    const slot = grads[ref.node]!;
    slot[ref.output] = accumulate(slot[ref.output] ?? null, g);
  };
  const valueOf = (ref: CallRef): Tensor => {
    if ('input' in ref) return fr.input;
    if (ref.output !== 0) throw new ExplainError(`layer "${model.layers[graph.nodes[ref.node]!.layer]!.name}": explain cannot read output ${ref.output} of a call (only the first)`);
    return run.layerOutputs[graph.nodes[ref.node]!.layer]!;
  };
  graph.outputs.forEach((ref, k) => add(ref, seeds[k] ?? null));
  // InputLayer and other pass-through calls between the model's input and the Embedding.
  const readsModelInput = (ref: CallRef): boolean => {
    if ('input' in ref) return true;
    const n = graph.nodes[ref.node]!;
    return model.layers[n.layer]!.kind === 'pass_through' && n.inputs.length === 1 && readsModelInput(n.inputs[0]!);
  };

  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    const dOutputs = grads[i]!;
    if (!dOutputs.some((g) => g)) continue;
    const layer = model.layers[node.layer]!;
    if ((calls.get(node.layer) ?? 0) > 1) throw new ExplainError(`layer "${layer.name}" is called ${calls.get(node.layer)} times; explain handles layers called once`);
    if (layer.kind === 'merge' && !lrp) {
      const ins = node.inputs.map(valueOf);
      mergeBackward(layer, ins, dOutputs[0]!).forEach((g, k) => add(node.inputs[k]!, g));
      continue;
    }
    // An explicit mask= shaped the forward (the trace records the skipped steps); no gradient flows into a mask.
    if (node.inputs.length !== 1 || node.initialState) {
      throw new ExplainError(`layer "${layer.name}" (${layer.kind}) is called with ${node.initialState ? 'initial_state' : `${node.inputs.length} inputs`}; explain handles calls of one input (merges and initial_state= are not differentiated yet)`);
    }
    const inputRef = node.inputs[0]!;
    if (layer.kind === 'embedding') {
      if (!readsModelInput(inputRef)) throw new ExplainError(`layer "${layer.name}" (Embedding) does not read the model's input; explain differentiates up to the first Embedding's vectors`);
      embedding = { grad: accumulate(embedding?.grad ?? null, dOutputs[0] ?? null), value: run.layerOutputs[node.layer]! };
      continue;
    }
    const input = valueOf(inputRef);
    const dx = layerBackward({
      layer,
      layerIndex: node.layer,
      input: () => valueOf(inputRef),
      inputShape: input.shape,
      dOutputs,
      traces: fr.trace.layers.filter((t) => t.layerIndex === node.layer),
      ...(fr.initialStates[layer.name] ? { initialStates: fr.initialStates[layer.name] } : {}),
      ctx: fr.ctx,
      ...(watch ? { watch } : {}),
      ...(lrp ? { lrp, isLast: i === graph.nodes.length - 1 } : {}),
      onInitial: (d) => d.forEach((a) => a.forEach((v) => (initialTotal += v))),
    });
    add(inputRef, dx);
  }

  if (model.inputIsTokens || embedding) {
    const e = embedding ?? { grad: null, value: embeddedValue(fr) };
    return { space: 'embedding', initialTotal, value: toFloat64(e.value), grad: { shape: [...e.value.shape], data: e.grad ?? new Float64Array(e.value.data.length) } };
  }
  return { space: 'input', initialTotal, value: toFloat64(fr.input), grad: { shape: [...fr.input.shape], data: dInput ?? new Float64Array(fr.input.data.length) } };
}

function embeddedValue(fr: ForwardRun): Tensor {
  const i = fr.model.layers.findIndex((l) => l.kind === 'embedding');
  if (i < 0) throw new ExplainError(`model "${fr.model.name}" takes token ids but has no Embedding layer to differentiate from`);
  return fr.run.layerOutputs[i]!;
}

/** acc + g into acc; the first g is taken as it is (add() is given seeds and layers' fresh gradients only). */
function accumulate(acc: Float64Array | null, g: Float64Array | null): Float64Array | null {
  if (!g) return acc;
  if (!acc) return g;
  for (let k = 0; k < acc.length; k++) acc[k] += g[k]!;
  return acc;
}

function toFloat64(t: Tensor): Tensor64 {
  return t.data instanceof Float64Array ? (t as Tensor64) : { shape: [...t.shape], data: Float64Array.from(t.data) };
}
