/**
 * The space attribution works in: the model's input, or for a token model the embedding vectors (token ids cannot
 * be interpolated or differentiated). `evaluate` runs the model on a batch of points of that space that all stand
 * for one batch item: for a token model through a stand-in Embedding whose table holds exactly the given vectors,
 * looked up by fresh ids that keep the item's padding (id 0 where it had 0, with mask_zero) so masks stay as they were.
 */
import type { EmbeddingLayer, Model } from '../engine/model';
import { recurrentLayersOf } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import { graphOf } from '../engine/model';
import { backward, forwardRun, inputList, type ForwardOptions, type ForwardRun, type InputGradient, type ModelInput, type Tensor64 } from './backward';
import { unpack, type InputPart } from './inputs';
import { backwardReads } from './cells';
import { ExplainError } from './layers';

export interface Space {
  kind: 'input' | 'embedding';
  /** The full batch's point in the space. */
  value: Tensor64;
  /** The recorded run of the original input and its gradient machinery. */
  run: ForwardRun;
  /**
   * Runs n points of item b's space ([n, ...item shape]), its trace kept for the gradient; `outputsOnly`: for their
   * outputs alone (the trace may then hold nothing: no backward may read it).
   */
  evaluate(points: Tensor, item: number, outputsOnly?: boolean): ForwardRun;
  /** How many points one forward/backward should take at most (keeps a chunk's trace near TRACE_BUDGET_BYTES). */
  chunk: number;
  /** Several model inputs: the packed parts of `value` (inputs.ts), one per input. */
  parts?: InputPart[];
}

/**
 * A chunk's trace. Small on purpose: the chunks reuse one another's arrays (reusingArrays), so this is about all the
 * fresh memory a long integrated gradients touches, and fresh pages cost more than batching saves (W1, 64 steps in
 * float32, CPU: 4.3–4.8 s in chunks of 1–4 points, 6.2 s in chunks of 16, 7.3 s in chunks of 32; dev VM, shared).
 */
const TRACE_BUDGET_BYTES = 32 * 1024 * 1024;

/**
 * `runRecords`: the trace quantities the input's own run must keep (SessionOptions.recordOnly; unset: all): integrated
 * gradients reads only its outputs (its gradients come from the points' runs), so it keeps none of them.
 */
export function spaceOf(model: Model, input: ModelInput, options: ForwardOptions = {}, runRecords?: readonly string[]): { space: Space; gradientAt: (seeds: (Float64Array | null)[]) => InputGradient } {
  const run = forwardRun(model, input, options, runRecords);
  const first = backward(run, run.run.outputs.map(() => null));
  const perItem = traceValuesPerItem(model, run.input);
  const bytes = (options.precision ?? 'float64') === 'float32' ? 4 : 8;
  const chunk = Math.max(1, Math.floor(TRACE_BUDGET_BYTES / bytes / Math.max(1, perItem)));
  const states = (item: number, n: number) => tileStates(run.initialStates, item, n);
  // The points' runs are read by the gradient (and for their outputs) only: their traces keep what it reads.
  const reads = gradientReads(model);
  const evaluate: Space['evaluate'] = first.parts
    ? severalInputs(model, inputList(input), first.parts, options, states, reads)
    : first.space === 'input'
      ? (points, item, outputsOnly = false) => forwardRun(model, points, { ...options, predictCalls: 1, initialStates: states(item, points.shape[0]!) }, outputsOnly ? [] : reads)
      : (points, item, outputsOnly = false) => {
          const { model: m, ids } = standInEmbedding(model, inputList(input)[0]!, points, item);
          return forwardRun(m, ids, { ...options, predictCalls: 1, initialStates: states(item, points.shape[0]!) }, outputsOnly ? [] : reads);
        };
  return { space: { kind: first.space, value: first.value, run, evaluate, chunk, ...(first.parts ? { parts: first.parts } : {}) }, gradientAt: (seeds) => backward(run, seeds) };
}

/**
 * `evaluate` for a model of several inputs: the packed points split back into one tensor per input; a token input's
 * part (its embedding vectors) looked up through a stand-in Embedding, as for a one-input token model.
 */
function severalInputs(model: Model, inputs: Tensor[], parts: InputPart[], options: ForwardOptions, states: (item: number, n: number) => Record<string, Tensor[]>, reads: readonly string[] | undefined) {
  const graph = graphOf(model);
  const embeddingOf = (at: number): number => {
    const readers = graph.nodes.filter((n) => model.layers[n.layer]!.kind === 'embedding' && readsInput(model, n.inputs[0]!, at));
    const layers = new Set(readers.map((n) => n.layer));
    if (layers.size !== 1) throw new ExplainError(`model "${model.name}": token input ${parts[at]!.name} is read by ${layers.size} Embedding layers; explain needs exactly one`);
    const e = readers[0]!.layer;
    if (graph.nodes.filter((n) => n.layer === e).length > 1) throw new ExplainError(`model "${model.name}": the Embedding "${model.layers[e]!.name}" is shared by several inputs; explain cannot replace its table for one of them`);
    return e;
  };
  const embeddings = parts.map((p, at) => (p.space === 'embedding' ? embeddingOf(at) : -1));
  return (points: Tensor, item: number, outputsOnly = false) => {
    const split = unpack(points, parts);
    let m = model;
    const given = split.map((t, at) => {
      if (embeddings[at]! < 0) return t;
      const r = standInEmbedding(m, inputs[at]!, t, item, embeddings[at]!);
      m = r.model;
      return r.ids;
    });
    return forwardRun(m, given, { ...options, predictCalls: 1, initialStates: states(item, points.shape[0]!) }, outputsOnly ? [] : reads);
  };
}

function readsInput(model: Model, ref: { input: number } | { node: number; output: number }, at: number): boolean {
  if ('input' in ref) return ref.input === at;
  const n = graphOf(model).nodes[ref.node]!;
  return model.layers[n.layer]!.kind === 'pass_through' && n.inputs.length === 1 && readsInput(model, n.inputs[0]!, at);
}

/** The trace quantities the backward reads, over every recurrent layer; undefined when some layer reads them all. */
function gradientReads(model: Model): string[] | undefined {
  // A wrapped layer (TimeDistributed) is not listed by recurrentLayersOf: its run records everything.
  if (model.layers.some((l) => l.kind === 'time_distributed')) return undefined;
  const keys = new Set<string>();
  for (const { layer } of recurrentLayersOf(model)) {
    const reads = backwardReads(layer);
    if (!reads) return undefined;
    reads.forEach((k) => keys.add(k));
  }
  return [...keys];
}

/** Recorded values per batch item over every recurrent layer (an upper bound on the quantities per step). */
function traceValuesPerItem(model: Model, input: Tensor): number {
  const steps = input.shape[1] ?? 1;
  return recurrentLayersOf(model).reduce((s, { layer }) => s + 10 * steps * layer.config.units, 0);
}

/** Initial states for n points of item b: row b of each state, n times. */
function tileStates(states: Record<string, Tensor[]>, item: number, n: number): Record<string, Tensor[]> {
  const out: Record<string, Tensor[]> = {};
  for (const [name, list] of Object.entries(states)) {
    out[name] = list.map((t) => {
      const u = t.shape[1]!;
      const data = new Float64Array(n * u);
      for (let k = 0; k < n; k++) data.set(t.data.subarray(item * u, (item + 1) * u), k * u);
      return { shape: [n, u], data };
    });
  }
  return out;
}

/** The model with its Embedding replaced by one whose table is the given vectors, and the ids that look them up. */
function standInEmbedding(model: Model, tokens: Tensor, points: Tensor, item: number, at?: number): { model: Model; ids: Tensor } {
  const e = at ?? model.layers.findIndex((l) => l.kind === 'embedding');
  if (e < 0) throw new ExplainError(`model "${model.name}" takes token ids but has no Embedding layer`);
  const emb = model.layers[e] as EmbeddingLayer;
  // Points [n, ...the item's token positions, dim] (a TimeDistributed model's ids: [n, sentences, words, dim]).
  const n = points.shape[0]!;
  const dim = points.shape.at(-1)!;
  const steps = points.data.length / (n * dim);
  const table = new Float64Array((n * steps + 1) * dim);
  const ids = new Float64Array(n * steps);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < steps; t++) {
      const padding = emb.maskZero && tokens.data[item * steps + t] === 0;
      const id = 1 + k * steps + t;
      // Padding keeps id 0 (masked, as before); its vector is then the zero row, which the masked layers skip.
      ids[k * steps + t] = padding ? 0 : id;
      table.set(points.data.subarray((k * steps + t) * dim, (k * steps + t + 1) * dim), id * dim);
    }
  }
  const standIn: EmbeddingLayer = { ...emb, inputDim: n * steps + 1, embeddings: { shape: [n * steps + 1, dim], data: table } };
  return { model: { ...model, layers: model.layers.map((l, i) => (i === e ? standIn : l)) }, ids: { shape: points.shape.slice(0, -1), data: ids } };
}
