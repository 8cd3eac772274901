/**
 * Reverse-mode differentiation of a whole model: one recorded forward run (the engine's Session, every quantity in
 * the trace), then the layer calls of the model's graph in reverse order, each turning ∂y/∂(its outputs) into
 * ∂y/∂(its input) (layers/). A chain model is the graph whose call i reads call i−1. The result is the gradient
 * with respect to the model's input, or, for a token model, with respect to the embedding vectors its Embedding
 * layer looked up (token ids have no gradient).
 */
import { graphOf, recurrentLayersOf, stateNames, type HardSigmoidFlavor, type Model } from '../engine/model';
import { maskOf } from '../engine/layers';
import { Session, type RunResult } from '../engine/session';
import { withPrecision, type FloatArray, type Precision, type Tensor } from '../engine/tensor';
import type { Trace } from '../engine/trace';
import type { BackwardContext } from './cells';
import type { RuleOptions } from './lrp/rule';
import { callGraph, type CallRef } from './graph';
import { pack, type InputPart } from './inputs';
import { ExplainError, layerBackward, type StepWatcher } from './layers';
import { isMultiInputKind, multiInputBackward } from './layers/multi-input';

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
  /** The (first) input in the run's precision. */
  input: Tensor;
  /** Every model input in the run's precision, in the graph's input order. */
  inputs: Tensor[];
  run: RunResult;
  trace: Trace;
  ctx: BackwardContext;
  /** The states every recurrent layer started from, by name (given ones and stateful carry-overs). */
  initialStates: Record<string, Tensor[]>;
}

/** One tensor for a one-input model, or one per model input in the graph's input order. */
export type ModelInput = Tensor | readonly Tensor[];

export function inputList(input: ModelInput): Tensor[] {
  return Array.isArray(input) ? [...(input as readonly Tensor[])] : [input as Tensor];
}

/** `recordOnly`: the trace quantities the caller reads (SessionOptions.recordOnly); unset: all. */
export function forwardRun(model: Model, input: ModelInput, options: ForwardOptions = {}, recordOnly?: readonly string[]): ForwardRun {
  const precision = options.precision ?? 'float64';
  const session = new Session(model, { precision, record: true, ...(recordOnly ? { recordOnly } : {}), ...(options.hardSigmoid ? { hardSigmoid: options.hardSigmoid } : {}) });
  const initialStates: Record<string, Tensor[]> = { ...options.initialStates };
  const calls = options.predictCalls ?? 1;
  const list = inputList(input);
  const given = list.length === 1 ? list[0]! : list;
  for (let i = 0; i < calls; i++) {
    const run = session.run(given, { initialStates: options.initialStates ?? {} });
    if (i === calls - 1) {
      const inputs = list.map((t) => withPrecision(t, precision));
      return { model, input: inputs[0]!, inputs, run, trace: run.trace!, ctx: { precision, hardSigmoid: session.hardSigmoid }, initialStates };
    }
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
  /** The differentiable input's value (float64); several inputs: packed side by side per item (inputs.ts). */
  value: Tensor64;
  grad: Tensor64;
  /** Several model inputs: what each packed part is (absent for a one-input model). */
  parts?: InputPart[];
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
  const inputsMeta = graphOf(model).inputs;
  const nIn = graph.inputs.length;
  if (nIn > 1 && lrp) throw new ExplainError(`model "${model.name}" has ${nIn} inputs; lrp explains one-input models`, 'use --method gradient, grad-input or integrated-gradients');
  // Which call of its layer each node is (a shared layer's traces come one call after another).
  const callOf: number[] = [];
  const calls = new Map<number, number>();
  graph.nodes.forEach((n, i) => {
    if (run.nodeOutputs && !run.nodeOutputs[i]) return callOf.push(-1);
    callOf.push(calls.get(n.layer) ?? 0);
    calls.set(n.layer, (calls.get(n.layer) ?? 0) + 1);
  });
  const grads: (Float64Array | null)[][] = graph.nodes.map(() => []);
  const dInputs: (Float64Array | null)[] = graph.inputs.map(() => null);
  let initialTotal = 0;
  const embeddings: (Float64Array | null)[] = graph.inputs.map(() => null);
  const add = (ref: CallRef, g: Float64Array | null) => {
    if (!g) return;
    if ('input' in ref) {
      dInputs[ref.input] = accumulate(dInputs[ref.input] ?? null, g);
      return;
    }
    const slot = grads[ref.node]!;
    slot[ref.output] = accumulate(slot[ref.output] ?? null, g);
  };
  const flowOf = (ref: CallRef): { value: Tensor; mask: Uint8Array | null } => {
    if ('input' in ref) return { value: fr.inputs[ref.input]!, mask: null };
    const f = run.nodeOutputs?.[ref.node]?.[ref.output];
    if (f) return f;
    const layer = graph.nodes[ref.node]!.layer;
    if (ref.output !== 0 || (calls.get(layer) ?? 0) > 1) throw new ExplainError(`layer "${model.layers[layer]!.name}": explain cannot read output ${ref.output} of this call from the run`);
    return { value: run.layerOutputs[layer]!, mask: null };
  };
  const valueOf = (ref: CallRef): Tensor => flowOf(ref).value;
  /** The mask the call's k-th input carried in (explicit `mask=`, or the tensor's own). */
  const maskIn = (node: (typeof graph.nodes)[number], k: number): Uint8Array | null => {
    const given = run.nodeInputMasks?.[graph.nodes.indexOf(node)];
    if (given) return given[k] ?? null;
    const explicit = (node as { masks?: (CallRef | null)[] }).masks;
    if (explicit) return explicit[k] ? maskOf(valueOf(explicit[k]!)) : null;
    return flowOf(node.inputs[k]!).mask;
  };
  graph.outputs.forEach((ref, k) => add(ref, seeds[k] ?? null));
  // InputLayer and other pass-through calls between a model input and its Embedding (and TimeDistributed(model)'s
  // fold of time into the batch, which keeps the ids in order): the input's index, or −1.
  const modelInputOf = (ref: CallRef): number => {
    if ('input' in ref) return ref.input;
    const n = graph.nodes[ref.node]!;
    const l = model.layers[n.layer]!;
    const passes = l.kind === 'pass_through' || (l.kind === 'tensor_op' && l.op === 'fold_time');
    return passes && n.inputs.length === 1 ? modelInputOf(n.inputs[0]!) : -1;
  };

  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    const dOutputs = grads[i]!;
    if (!dOutputs.some((g) => g)) continue;
    const layer = model.layers[node.layer]!;
    const call = callOf[i]!;
    const layerTraces = fr.trace.layers.filter((t) => t.layerIndex === node.layer);
    // Each call of a layer records the same number of traces (one per direction, also inside a TimeDistributed).
    const nCalls = calls.get(node.layer) ?? 1;
    const perCall = layerTraces.length / nCalls;
    if (!Number.isInteger(perCall)) throw new ExplainError(`layer "${layer.name}" is called ${nCalls} times and its recorded traces do not tell the calls apart; explain handles such a layer called once`);
    const initialRefs = node.initialState as CallRef[] | undefined;
    if (node.inputs.length !== 1 || isMultiInputKind(layer)) {
      if (lrp) throw new ExplainError(`layer "${layer.name}" (${layer.kind}) reads ${node.inputs.length} inputs; lrp has no rule for it`, 'use --method gradient or integrated-gradients');
      const ins = node.inputs.map(valueOf);
      const masks = node.inputs.map((_, k) => maskIn(node, k));
      multiInputBackward(layer, ins, masks, dOutputs[0] ?? null, fr.ctx).forEach((g, k) => add(node.inputs[k]!, g));
      continue;
    }
    const inputRef = node.inputs[0]!;
    if (layer.kind === 'embedding') {
      const at = modelInputOf(inputRef);
      if (at < 0) throw new ExplainError(`layer "${layer.name}" (Embedding) does not read a model input; explain differentiates up to the Embedding vectors of the model's inputs`);
      embeddings[at] = accumulate(embeddings[at] ?? null, dOutputs[0] ?? null);
      continue;
    }
    const input = valueOf(inputRef);
    const given = initialRefs ? initialRefs.map(valueOf) : call === 0 ? fr.initialStates[layer.name] : undefined;
    const dInitial: Float64Array[] = [];
    const dx = layerBackward({
      layer,
      layerIndex: node.layer,
      input: () => valueOf(inputRef),
      inputMask: () => maskIn(node, 0),
      inputShape: input.shape,
      dOutputs,
      traces: layerTraces.slice(call * perCall, (call + 1) * perCall),
      ...(given ? { initialStates: given } : {}),
      ctx: fr.ctx,
      ...(watch ? { watch } : {}),
      ...(lrp ? { lrp, isLast: i === graph.nodes.length - 1 } : {}),
      onInitial: (d) => d.forEach((a) => (dInitial.push(a), a.forEach((v) => (initialTotal += v)))),
    });
    add(inputRef, dx);
    // initial_state= of another call's output: its gradient flows on into that call.
    if (initialRefs && !lrp) initialRefs.forEach((r, k) => add(r, dInitial[k] ?? null));
  }

  const embeddingValue = (at: number): Tensor => {
    const k = graph.nodes.findIndex((n, j) => model.layers[n.layer]!.kind === 'embedding' && callOf[j]! >= 0 && modelInputOf(n.inputs[0]!) === at);
    if (k >= 0) return valueOf({ node: k, output: 0 });
    if (nIn === 1) return embeddedValue(fr);
    throw new ExplainError(`model "${model.name}": input ${inputsMeta[at]?.name ?? at} takes token ids but no Embedding layer reads it`);
  };
  if (nIn === 1) {
    const embedded = graph.nodes.some((n, j) => model.layers[n.layer]!.kind === 'embedding' && callOf[j]! >= 0 && modelInputOf(n.inputs[0]!) === 0);
    if (model.inputIsTokens || embeddings[0] || embedded) {
      const found = embeddingValue(0);
      // The vectors as the ids stand in the input: [...input shape, dim] (undoes a TimeDistributed fold).
      const shape = found.data.length === fr.input.data.length * found.shape.at(-1)! ? [...fr.input.shape, found.shape.at(-1)!] : [...found.shape];
      const value = { shape, data: found.data };
      return { space: 'embedding', initialTotal, value: toFloat64(value), grad: { shape, data: embeddings[0] ?? new Float64Array(value.data.length) } };
    }
    return { space: 'input', initialTotal, value: toFloat64(fr.input), grad: { shape: [...fr.input.shape], data: dInputs[0] ?? new Float64Array(fr.input.data.length) } };
  }
  const parts: InputPart[] = [];
  const values: Tensor[] = [];
  const gs: Tensor[] = [];
  graph.inputs.forEach((_, k) => {
    const tokens = inputsMeta[k]?.tokens ?? false;
    const value = tokens ? embeddingValue(k) : fr.inputs[k]!;
    parts.push({ name: inputsMeta[k]?.name ?? `input ${k}`, space: tokens ? 'embedding' : 'input', shape: [...value.shape] });
    values.push(value);
    gs.push({ shape: value.shape, data: (tokens ? embeddings[k] : dInputs[k]) ?? new Float64Array(value.data.length) });
  });
  return { space: 'input', initialTotal, value: pack(values), grad: pack(gs), parts };
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
