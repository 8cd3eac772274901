/**
 * Runs a model the way Keras's `predict` does, layer after layer, for a whole batch. A session keeps the states of
 * stateful layers from one run to the next until `resetStates()`, as a stateful Keras model does.
 */
import type { CellContext } from './cells';
import { RunError } from './errors';
import { applyActivation, applyDense, applyEmbedding, applyFlatten } from './feedforward';
import { halfRounding, roundRange, type HalfDtype, type Round } from './half';
import { mergeDirections } from './merge';
import { applyGraphLayer, maskOf, type Flow } from './layers';
import { graphOf, stateNames, type BidirectionalLayer, type HardSigmoidFlavor, type Layer, type Model, type ModelGraph, type RecurrentLayer, type TensorRef } from './model';
import { recurrentSteps, type ChunkProgress, type RecurrentResult } from './recurrent';
import { finish, relay } from './steps';
import { atInputShape, withStepShape, type RecurrentView } from './recurrent-shape';
import { allocate, shapeText, withPrecision, type FloatArray, type Precision, type Tensor } from './tensor';
import type { Direction, LayerTrace, Trace } from './trace';

export interface SessionOptions {
  /**
   * float64 or float32, Keras's own arithmetic. Unset: float64, or, when the model's layers declare float16 /
   * bfloat16 dtype policies (`Model.layerDtypes`), those policies (see `policies`).
   */
  precision?: Precision;
  /**
   * Compute each layer in the dtype its Keras policy names (float16 / bfloat16 layers rounded as Keras rounds them,
   * the rest in float32), as Keras itself runs the model. Default: true when no `precision` is given.
   */
  policies?: boolean;
  /** Overrides the hard_sigmoid formula the file's Keras version implies. */
  hardSigmoid?: HardSigmoidFlavor;
  /** Record every quantity at every step (default true). */
  record?: boolean;
  /**
   * With `record`: the quantities (trace keys, e.g. `['i', 'f', 'c_tilde', 'o', 'c']`) the caller will read; a layer
   * may then leave its other quantities out of the trace (rows of length 0: trace.ts `isRecorded`, and the trace's
   * readers throw on them). Only the float32 gate kernels' walk leaves rows out (it writes each row in one copy);
   * other walks record everything. Keys a layer's cell does not have are ignored (a model may mix cell kinds).
   */
  recordOnly?: readonly string[];
}

export interface RunOptions {
  /** Overrides the session's `record` for this run. */
  record?: boolean;
  /** Initial states by layer name: [h] or [h, c], each [batch, units]; Bidirectional: forward's then backward's. */
  initialStates?: Record<string, Tensor[]>;
  /**
   * For `runSteps`: about how many multiply-adds of a recurrent layer's steps make one chunk, after which it yields
   * (src/panel/run-in-blocks.ts). Unset: each layer in one go, no yield.
   */
  chunkWork?: number;
}

/** How far a chunked run is (`Session.runSteps` yields it): time steps of its recurrent passes done, of all. */
export interface RunProgress {
  done: number;
  total: number;
}

export interface RunResult {
  /** The model's output (the first of `outputs`). */
  output: Tensor;
  /** The model's outputs in order; for a chain: the output, then the final states when the last layer has return_state, as Keras returns them. */
  outputs: Tensor[];
  /** Each layer's output (its last call's first output; empty for a layer the outputs do not need), in layer order. */
  layerOutputs: Tensor[];
  /**
   * Every output of every call (graph node order; null for a call the outputs do not need), with the mask that rode
   * on it: what explain's backward reads for a call's second output or a shared layer's earlier call. A session
   * run always gives it; results assembled elsewhere (panel blocks) may not.
   */
  nodeOutputs?: (Flow[] | null)[];
  /** The masks each call was given, as it was given them (a later call may delete a tensor's mask, as MultiHeadAttention does). */
  nodeInputMasks?: ((Uint8Array | null)[] | null)[];
  trace: Trace | null;
}

const EMPTY: Tensor = { shape: [0], data: new Float64Array(0) };

function isTensorList(x: Tensor | readonly Tensor[]): x is readonly Tensor[] {
  return Array.isArray(x);
}

/** A mask given as `mask=`: the referenced tensor's nonzero positions (null: explicitly none). */
function explicitMask(ref: TensorRef | null | undefined, read: (r: TensorRef) => Flow): Uint8Array | null {
  return ref ? maskOf(read(ref).value) : null;
}

/** The nodes the outputs depend on (a model cut for a per-layer check leaves the later calls out). */
function neededNodes(graph: ModelGraph): boolean[] {
  const needed = graph.nodes.map(() => false);
  const visit = (r: TensorRef | null | undefined) => {
    if (r && 'node' in r) needed[r.node] = true;
  };
  graph.outputs.forEach(visit);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    if (!needed[i]) continue;
    const n = graph.nodes[i]!;
    n.inputs.forEach(visit);
    n.masks?.forEach(visit);
    n.initialState?.forEach(visit);
  }
  return needed;
}

/** Recurrent passes over the time axis a run makes: one per needed recurrent call, two per Bidirectional one. */
function recurrentPasses(model: Model, graph: ModelGraph, needed: boolean[]): number {
  return graph.nodes.reduce((n, node, i) => {
    const kind = needed[i] ? model.layers[node.layer]!.kind : null;
    return n + (kind === 'recurrent' ? 1 : kind === 'bidirectional' ? 2 : 0);
  }, 0);
}

/** The float16 / bfloat16 layers a session runs as such, by name, or null: every layer in `precision`. */
function halfLayers(model: Model, options: SessionOptions): Record<string, HalfDtype> | null {
  const follow = options.policies ?? options.precision === undefined;
  return follow && model.layerDtypes && Object.keys(model.layerDtypes).length > 0 ? model.layerDtypes : null;
}

export class Session {
  readonly precision: Precision;
  /** Layers computed in float16 / bfloat16 (their dtype policy), by name; null when the policies are not followed. */
  readonly halfLayers: Record<string, HalfDtype> | null;
  readonly hardSigmoid: HardSigmoidFlavor;
  readonly record: boolean;
  readonly recordOnly: readonly string[] | undefined;
  /** Kept states of stateful layers, by `layerIndex/direction`. */
  private readonly kept = new Map<string, FloatArray[]>();
  /** The run in progress: its chunk size and how far it is (what `runSteps` yields). */
  private chunking: { work: number | undefined; done: number; total: number } = { work: undefined, done: 0, total: 0 };

  constructor(
    readonly model: Model,
    options: SessionOptions = {},
  ) {
    this.halfLayers = halfLayers(model, options);
    // Half values live in float32 arrays; a float32-policy layer beside them computes in float32, as in Keras.
    this.precision = this.halfLayers ? 'float32' : (options.precision ?? 'float64');
    this.hardSigmoid = options.hardSigmoid ?? model.semantics.hardSigmoid;
    this.record = options.record ?? true;
    this.recordOnly = options.recordOnly;
  }

  resetStates(): void {
    this.kept.clear();
  }

  /** One tensor for a one-input model, or one per model input in the graph's input order. */
  run(input: Tensor | readonly Tensor[], options: RunOptions = {}): RunResult {
    return finish(this.runSteps(input, options));
  }

  /**
   * `run` as a generator: with `options.chunkWork` it yields between chunks of its recurrent layers' steps (the
   * states carried across, the result the same bit for bit), so that its caller can give the thread back. One run
   * of a session at a time.
   */
  *runSteps(input: Tensor | readonly Tensor[], options: RunOptions = {}): Generator<RunProgress, RunResult> {
    const ctx: CellContext = { precision: this.precision, hardSigmoid: this.hardSigmoid };
    const record = options.record ?? this.record;
    const graph = graphOf(this.model);
    const given = isTensorList(input) ? input : [input];
    if (given.length !== graph.inputs.length) {
      throw new RunError(
        `model "${this.model.name}" takes ${graph.inputs.length} input(s) (${graph.inputs.map((i) => i.name).join(', ')}); got ${given.length}`,
        graph.inputs.length > 1 ? 'give one array per input, in the model\'s input order' : undefined,
      );
    }
    const inputs: Flow[] = given.map((t) => ({ value: withPrecision(t, this.precision), mask: null }));
    const values: (Flow[] | null)[] = graph.nodes.map(() => null);
    const inputMasks: ((Uint8Array | null)[] | null)[] = graph.nodes.map(() => null);
    const read = (ref: TensorRef): Flow => {
      const f = 'input' in ref ? inputs[ref.input] : values[ref.node]?.[ref.output];
      if (!f) throw new RunError(`the model's graph reads ${'input' in ref ? `input ${ref.input}` : `output ${ref.output} of node ${ref.node}`}, which no call produced`);
      return f;
    };
    const layerOutputs: Tensor[] = this.model.layers.map(() => EMPTY);
    const traces: LayerTrace[] = [];
    const calls = new Map<number, number>();
    const needed = neededNodes(graph);
    const steps = given[0]?.shape[1] ?? 1;
    this.chunking = { work: options.chunkWork, done: 0, total: recurrentPasses(this.model, graph, needed) * steps };
    for (const [i, node] of graph.nodes.entries()) {
      if (!needed[i]) continue;
      const layer = this.model.layers[node.layer]!;
      const call = calls.get(node.layer) ?? 0;
      calls.set(node.layer, call + 1);
      let ins = node.inputs.map(read);
      if (node.masks) ins = ins.map((f, k) => ({ value: f.value, mask: explicitMask(node.masks![k], read) }));
      inputMasks[i] = ins.map((f) => f.mask);
      const initial = node.initialState ? node.initialState.map((r) => read(r).value) : call === 0 ? options.initialStates?.[layer.name] : undefined;
      const outs = yield* this.callLayer(layer, node.layer, call, ins, initial, ctx, record, traces);
      values[i] = outs;
      layerOutputs[node.layer] = outs[0]!.value;
    }
    const outputs = graph.outputs.map((r) => read(r).value);
    return {
      output: outputs[0]!,
      outputs,
      layerOutputs,
      nodeOutputs: values,
      nodeInputMasks: inputMasks,
      trace: record ? { precision: this.precision, layers: traces } : null,
    };
  }

  /** Every output of one call of `layer` (the output, then merge_mode None's backward output, then return_state's states). */
  private *callLayer(
    layer: Layer,
    index: number,
    call: number,
    ins: Flow[],
    initial: Tensor[] | undefined,
    ctx: CellContext,
    record: boolean,
    traces: LayerTrace[],
  ): Generator<RunProgress, Flow[]> {
    const dtype = this.halfLayers?.[layer.name];
    if (!dtype) return yield* this.callInPrecision(layer, index, call, ins, initial, ctx, record, traces);
    // A float16 / bfloat16 layer, as Keras's `Layer.__call__` runs it: floating inputs (and initial states) cast to
    // the compute dtype, the layer computing in it (cells, Dense, Embedding, activations round op by op: `ctx.half`),
    // its outputs in it. Layers without a half-precision form compute in float32 and have their outputs rounded.
    const round = halfRounding(dtype);
    const cast = (t: Tensor): Tensor => roundedCopy(t, round);
    // Token ids stay integers (Keras does not cast an Embedding's int input).
    const castIns = layer.kind === 'embedding' ? ins : ins.map((f) => ({ value: cast(f.value), mask: f.mask }));
    const outs = yield* this.callInPrecision(layer, index, call, castIns, initial?.map(cast), { ...ctx, half: dtype }, record, traces);
    return outs.map((f) => ({ value: cast(f.value), mask: f.mask }));
  }

  private *callInPrecision(
    layer: Layer,
    index: number,
    call: number,
    ins: Flow[],
    initial: Tensor[] | undefined,
    ctx: CellContext,
    record: boolean,
    traces: LayerTrace[],
  ): Generator<RunProgress, Flow[]> {
    const flow = ins[0]!;
    const one = (value: Tensor, mask: Uint8Array | null = flow.mask): Flow[] => [{ value, mask }];
    const half = ctx.half ? halfRounding(ctx.half) : undefined;
    switch (layer.kind) {
      case 'pass_through':
        return [flow];
      case 'embedding': {
        const { output, mask } = applyEmbedding(layer, flow.value, this.precision);
        return one(output, mask);
      }
      case 'dense':
        return one(applyDense(layer, flow.value, this.precision, this.hardSigmoid, half));
      case 'activation':
        return one(applyActivation(layer, flow.value, this.hardSigmoid, half));
      case 'flatten':
        return one(applyFlatten(flow.value), null);
      case 'recurrent': {
        const view = atInputShape(layer, flow.value);
        const r = yield* this.runDirection(view.layer, index, call, 'forward', { value: view.input, mask: flow.mask }, ctx, record, initial, false);
        if (r.trace) traces.push(r.trace);
        const batch = flow.value.shape[0]!;
        const stateTensor = (s: FloatArray): Tensor => withStepShape({ shape: [batch, view.layer.config.units], data: s }, view.stepShape);
        const states = layer.config.returnState ? r.states.map((s): Flow => ({ value: stateTensor(s), mask: null })) : [];
        const value = withStepShape(sequenceOutput(view.layer, r.sequence, view.input), view.stepShape);
        return [{ value, mask: layer.config.returnSequences ? flow.mask : null }, ...states];
      }
      case 'bidirectional': {
        const out = yield* this.runBidirectional(layer, index, call, flow, ctx, record, initial);
        out.traces.forEach((t) => traces.push(t));
        const mask = layer.forward.config.returnSequences ? flow.mask : null;
        const rest = [...out.others.map((value) => ({ value, mask })), ...(layer.forward.config.returnState ? out.states.map((value) => ({ value, mask: null })) : [])];
        return [{ value: out.value, mask }, ...rest];
      }
      case 'time_distributed': {
        // Keras folds time into the batch, runs the layer, and unfolds: [b, t, ...] → [b·t, ...] → [b, t, ...].
        const [b, t, ...rest] = flow.value.shape;
        const folded = { value: { shape: [b! * t!, ...rest], data: flow.value.data }, mask: null };
        const out = (yield* this.callLayer(layer.inner, index, call, [folded], undefined, ctx, record, traces))[0]!.value;
        return one({ shape: [b!, t!, ...out.shape.slice(1)], data: out.data });
      }
      default:
        return [applyGraphLayer(layer, ins, ctx)];
    }
  }

  private *runBidirectional(
    layer: BidirectionalLayer,
    index: number,
    call: number,
    flow: Flow,
    ctx: CellContext,
    record: boolean,
    initial: Tensor[] | undefined,
  ): Generator<RunProgress, { value: Tensor; others: Tensor[]; states: Tensor[]; traces: LayerTrace[] }> {
    const half = initial ? initial.length / 2 : 0;
    const seq = layer.forward.config.returnSequences;
    const fv = atInputShape(layer.forward, flow.value);
    const bv = atInputShape(layer.backward, flow.value);
    const input = { value: fv.input, mask: flow.mask };
    const f = yield* this.runDirection(fv.layer, index, call, 'forward', input, ctx, record, initial?.slice(0, half), seq);
    const b = yield* this.runDirection(bv.layer, index, call, 'backward', input, ctx, record, initial?.slice(half), seq);
    const [batch, steps] = flow.value.shape as [number, number];
    const fOut = withStepShape(sequenceOutput(fv.layer, f.sequence, fv.input), fv.stepShape);
    // Keras flips the backward sequence back to input time so that step t of both directions lines up.
    const bOut = withStepShape(sequenceOutput(bv.layer, seq ? reverseTime(b.sequence, batch, steps, bv.layer.config.units) : b.sequence, bv.input), bv.stepShape);
    const toTensors = (r: RecurrentResult, v: RecurrentView) => r.states.map((s) => withStepShape({ shape: [batch, v.layer.config.units], data: s }, v.stepShape));
    const [value, ...others] = mergeDirections(layer.mergeMode, fOut, bOut, ctx.half ? halfRounding(ctx.half) : undefined);
    return {
      value: value!,
      others,
      states: [...toTensors(f, fv), ...toTensors(b, bv)],
      traces: [f.trace, b.trace].filter((t): t is LayerTrace => t !== null),
    };
  }

  private *runDirection(
    layer: RecurrentLayer,
    index: number,
    call: number,
    direction: Direction,
    flow: Flow,
    ctx: CellContext,
    record: boolean,
    initial: Tensor[] | undefined,
    zeroOutputForMask: boolean,
  ): Generator<RunProgress, RecurrentResult> {
    const x = flow.value;
    checkRecurrentInput(layer, x, this.model.inputIsTokens);
    const [batch, steps] = x.shape as [number, number, number];
    const key = `${index}/${direction}${call ? `/${call}` : ''}`;
    const kept = layer.config.stateful ? this.kept.get(key) : undefined;
    if (kept && kept[0]!.length !== batch * layer.config.units) {
      throw new RunError(
        `stateful layer "${layer.name}" holds states for a batch of ${kept[0]!.length / layer.config.units}; this input has ${batch}`,
        'reset the states, or run with the same batch size (Keras requires a fixed batch for stateful layers)',
      );
    }
    const { work } = this.chunking;
    const units = layer.config.units;
    // A step's products: x·K and h·U of every batch item, up to four gate blocks wide.
    const chunkSteps = work === undefined ? undefined : Math.max(1, Math.floor(work / (batch * (x.shape[2]! + units) * 4 * units)));
    const walk = recurrentSteps(
      layer,
      { data: x.data, batch, steps, mask: flow.mask },
      {
        ctx,
        record,
        ...(this.recordOnly ? { recordOnly: this.recordOnly } : {}),
        initialStates: kept ?? initialStates(layer, initial, batch, this.precision),
        layerIndex: index,
        layerName: call ? `${layer.name} (call ${call + 1})` : layer.name,
        direction,
        zeroOutputForMask,
        ...(chunkSteps === undefined ? {} : { chunkSteps }),
      },
    );
    const result = yield* relay(walk, (p) => this.progressAt(p));
    this.chunking.done += steps;
    if (layer.config.stateful) this.kept.set(key, result.states.map((s) => s.slice()));
    return result;
  }

  /** The run's progress at a chunk of the current pass (a layer after a pooling may have fewer steps: capped). */
  private progressAt(p: ChunkProgress): RunProgress {
    const { done, total } = this.chunking;
    return { done: Math.min(done + p.done, total), total };
  }
}

/** A copy of `t` with every value rounded (the cast Keras applies at a half-precision layer's inputs and outputs). */
function roundedCopy(t: Tensor, round: Round): Tensor {
  const data = t.data.slice();
  roundRange(data, 0, data.length, round);
  return { shape: t.shape, data };
}

function initialStates(layer: RecurrentLayer, given: Tensor[] | undefined, batch: number, precision: Precision): FloatArray[] | null {
  if (!given) return customInitialStates(layer, batch, precision);
  const expected = stateNames(layer).length;
  if (given.length !== expected) {
    throw new RunError(`layer "${layer.name}" takes ${expected} initial state(s); got ${given.length}`);
  }
  return given.map((t, i) => {
    if (t.data.length !== batch * layer.config.units) {
      throw new RunError(
        `initial state ${i} of layer "${layer.name}" has shape ${shapeText(t.shape)}; expected [${batch}, ${layer.config.units}]`,
      );
    }
    const a = allocate(t.data.length, precision);
    a.set(t.data);
    return a;
  });
}

/** A custom cell's declared initial values (null when every state starts at 0, as built-in cells do). */
function customInitialStates(layer: RecurrentLayer, batch: number, precision: Precision): FloatArray[] | null {
  const states = layer.custom?.states;
  if (!states || states.every((s) => s.initial === null)) return null;
  return states.map((s) => {
    const a = allocate(batch * layer.config.units, precision);
    if (s.initial) for (let b = 0; b < batch; b++) a.set(s.initial, b * layer.config.units);
    return a;
  });
}

function checkRecurrentInput(layer: RecurrentLayer, x: Tensor, tokens: boolean): void {
  const features = layer.weights.kernel.shape[0]!;
  if (x.shape.length !== 3) {
    throw new RunError(
      `layer "${layer.name}" needs a 3-D input [batch, time steps, features]; got ${shapeText(x.shape)}`,
      x.shape.length === 2 && !tokens
        ? `an input of shape ${shapeText(x.shape)} is read as (samples, time steps) with no feature axis: reshape it to ${shapeText([...x.shape, 1])} for one feature per step, or to ${shapeText([1, ...x.shape])} for one sequence`
        : undefined,
    );
  }
  // A ConvLSTM's frame was checked against its channels when the layer was specialized (atInputShape).
  if (!layer.conv && x.shape[2] !== features) {
    throw new RunError(
      `layer "${layer.name}" expects ${features} feature(s) per time step; the input has ${x.shape[2]} (shape ${shapeText(x.shape)})`,
    );
  }
  if (x.shape[1] === 0) throw new RunError(`layer "${layer.name}" got an empty sequence (0 time steps)`);
}

/** The layer's output as Keras gives it: the whole sequence, or the last processed step. */
function sequenceOutput(layer: RecurrentLayer, sequence: FloatArray, x: Tensor): Tensor {
  const [batch, steps] = x.shape as [number, number];
  const u = layer.config.units;
  if (layer.config.returnSequences) return { shape: [batch, steps, u], data: sequence };
  const last = allocate(batch * u, sequence instanceof Float32Array ? 'float32' : 'float64');
  for (let b = 0; b < batch; b++) last.set(sequence.subarray((b * steps + steps - 1) * u, (b * steps + steps) * u), b * u);
  return { shape: [batch, u], data: last };
}

function reverseTime(seq: FloatArray, batch: number, steps: number, u: number): FloatArray {
  const out = seq.slice();
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < steps; s++) out.set(seq.subarray((b * steps + s) * u, (b * steps + s + 1) * u), (b * steps + steps - 1 - s) * u);
  }
  return out;
}
