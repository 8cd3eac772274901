/**
 * The one model type every file format is turned into, and the only thing the engine runs.
 * Config names are ours (camelCase); every weight is already checked against its layer's shape by the loader.
 */
import { CELL_KINDS, type BuiltinCellKind } from './cells/kinds';
import type { CustomCellDef } from './custom/define';
import type { HalfDtype } from './half';
import type { HardSigmoidFlavor } from './hard-sigmoid';
import type { GraphLayer } from './layers/types';
import type { Tensor } from './tensor';
import type { Phrase } from '../phrase';

export type { HardSigmoidFlavor } from './hard-sigmoid';

export type KerasMajor = 2 | 3;

export interface Semantics {
  kerasMajor: KerasMajor;
  hardSigmoid: HardSigmoidFlavor;
  /** Why, shown to the user (in the display language in the panel), e.g. `keras_version "2.1.2" in the file`. */
  decidedBy: Phrase;
}

export interface SourceInfo {
  /** Path or URI of the file the model came from, as shown in errors. */
  file: string;
  /** Loader that read it, e.g. `keras-export-json`, `keras-recorded-fixture/v1`. */
  format: string;
  kerasVersion?: string;
}

/** A built-in kind (src/engine/cells/kinds.ts), or `custom`: a cell the user defined as expressions (RecurrentLayer.custom holds it). */
export type CellKind = BuiltinCellKind | 'custom';

/**
 * Number of gate blocks a cell's kernel columns are cut into (CELL_KINDS: SimpleRNN 1, LSTM 4, GRU 3). A custom cell
 * has no fused kernel (its weights are named arrays in `custom.weights`): 1, over an empty kernel.
 */
export const GATE_COUNT = { ...Object.fromEntries(Object.values(CELL_KINDS).map((k) => [k.kind, k.gates.length])), custom: 1 } as Record<CellKind, number>;

/** The names of the states a recurrent layer carries, in Keras's order (h, then c): its kind's, or its definition's. */
export function stateNames(layer: Pick<RecurrentLayer, 'cell' | 'custom'>): readonly string[] {
  if (layer.custom) return layer.custom.states.map((s) => s.name);
  return layer.cell === 'custom' ? ['h'] : CELL_KINDS[layer.cell].states;
}

export interface RecurrentConfig {
  units: number;
  activation: string;
  /** Unused by SimpleRNN. */
  recurrentActivation: string;
  useBias: boolean;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
  /** GRU only: reset gate applied after the recurrent matmul (cuDNN style, Keras 3 default). */
  resetAfter: boolean;
}

export interface CellWeights {
  /** [features, gates·units] */
  kernel: Tensor;
  /** [units, gates·units] */
  recurrentKernel: Tensor;
  /** [gates·units], or [2, 3·units] for GRU reset_after (input bias row, recurrent bias row); null without bias. */
  bias: Tensor | null;
  /**
   * LSTM only, PyTorch `proj_size`: [units, proj] (W_hrᵀ); h = (o·act(c))·projection. h then has `proj` values,
   * stored in the first `proj` of the `units` slots of the h state (the rest stay 0), so `recurrentKernel` is
   * [units, 4·units] with zero rows from `proj` on; a following layer reads h's first `proj` values.
   */
  projection?: Tensor;
}

/**
 * How a ConvLSTM layer's products are convolutions (Keras ConvLSTM1D/2D/3D). Its weights are the Keras arrays with
 * the kernel axes folded into rows: kernel [taps·channels, 4·filters], recurrent kernel [taps·filters, 4·filters]
 * (taps = product of kernel_size), bias [4·filters]; `config.units` is the number of filters. A run specializes the
 * layer to its input (`atInputShape`, src/engine/recurrent-shape.ts): `spatial` known, `config.units` = output
 * positions × filters, the units the trace records (channels_last: position-major; channels_first: filter-major).
 */
export interface ConvRecurrentSpec {
  filters: number;
  /** Input channels per position. */
  channels: number;
  kernelSize: number[];
  strides: number[];
  dilation: number[];
  padding: 'valid' | 'same';
  channelsFirst: boolean;
  /** Input sizes per spatial axis (the rank is its length); null where the file leaves a size free. */
  spatial: (number | null)[];
}

export interface RecurrentLayer {
  kind: 'recurrent';
  name: string;
  cell: CellKind;
  config: RecurrentConfig;
  /** ConvLSTM only (`cell: 'conv_lstm'`). */
  conv?: ConvRecurrentSpec;
  /** For `cell: 'custom'`: kernel [features, 0] and recurrent kernel [units, 0] (no values; they only carry the sizes), no bias. */
  weights: CellWeights;
  /** The definition of a `cell: 'custom'` layer, with its named weights. */
  custom?: CustomCellDef;
}

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null;

export interface BidirectionalLayer {
  kind: 'bidirectional';
  name: string;
  mergeMode: MergeMode;
  forward: RecurrentLayer;
  /** Its own weights; `goBackwards` is already the flipped flag of the forward layer, as Keras builds it. */
  backward: RecurrentLayer;
}

export interface DenseLayer {
  kind: 'dense';
  name: string;
  units: number;
  activation: string;
  /** [inputs, units] */
  kernel: Tensor;
  /** [units] or null */
  bias: Tensor | null;
  /** Wrapped in TimeDistributed (same arithmetic: Dense acts on the last axis). */
  timeDistributed: boolean;
}

export interface EmbeddingLayer {
  kind: 'embedding';
  name: string;
  inputDim: number;
  outputDim: number;
  /** [inputDim, outputDim] */
  embeddings: Tensor;
  /** Token 0 is padding: later recurrent layers skip those steps. */
  maskZero: boolean;
}

export interface FlattenLayer {
  kind: 'flatten';
  name: string;
}

export interface ActivationLayer {
  kind: 'activation';
  name: string;
  activation: string;
}

/** Layers that do nothing at inference: InputLayer, Dropout, SpatialDropout1D, GaussianNoise, GaussianDropout. */
export interface PassThroughLayer {
  kind: 'pass_through';
  name: string;
  className: string;
}

/** TimeDistributed around a layer other than Dense: the layer applied to every time step (frame) on its own. */
export interface TimeDistributedLayer {
  kind: 'time_distributed';
  name: string;
  inner: Layer;
}

export type Layer =
  | RecurrentLayer
  | TimeDistributedLayer
  | BidirectionalLayer
  | DenseLayer
  | EmbeddingLayer
  | FlattenLayer
  | ActivationLayer
  | PassThroughLayer
  | GraphLayer;

/** A tensor in the graph: one of the model's inputs, or output `output` of node `node` (0 for a one-output call). */
export type TensorRef = { input: number } | { node: number; output: number };

/** One call of a layer (a layer called twice, with shared weights, has two nodes). */
export interface GraphNode {
  /** Index into `Model.layers`. */
  layer: number;
  /** The tensors the call reads, in order (Concatenate's list, Attention's [query, value, key]). */
  inputs: TensorRef[];
  /**
   * The mask given explicitly (Keras 3 writes `mask=` for every call that receives one: `NotEqual`/`Any` nodes or a
   * layer's output), one per input; null entries mean "explicitly none". Absent: the input tensors' own masks, as
   * Keras propagates them.
   */
  masks?: (TensorRef | null)[];
  /** `initial_state=` of a recurrent call: [h] or [h, c] (Bidirectional: forward's then backward's). */
  initialState?: TensorRef[];
  /** The loader's view of the call's first output's sample shape (no batch axis), for summaries and views. */
  shape?: (number | null)[];
}

export interface GraphInput {
  name: string;
  /** Sample shape (no batch axis). */
  shape: (number | null)[];
  /** Integer token ids for an Embedding. */
  tokens: boolean;
}

/** The directed acyclic graph of layer calls; nodes are in an order where every node comes after its inputs. */
export interface ModelGraph {
  inputs: GraphInput[];
  nodes: GraphNode[];
  outputs: TensorRef[];
}

export interface Model {
  name: string;
  /** Each layer once, with its weights (a shared layer too), in the order Keras lists them. */
  layers: Layer[];
  /** How the layers are called; absent: a chain, each layer reading the one before (`chainGraph`). */
  graph?: ModelGraph;
  /** Input shape (the first input's) without the batch axis, `null` where Keras allows any size: [time, features] or [time] for tokens. */
  inputShape: (number | null)[];
  /** True when the first input feeds an Embedding: inputs are integer token ids of shape [batch, time]. */
  inputIsTokens: boolean;
  semantics: Semantics;
  source: SourceInfo;
  /** For token models: the character or word of each id, so views can show text. */
  vocabulary?: string[];
  /**
   * Keras dtype policies other than float32 that the file's layers declare, e.g. `mixed_float16 (5 layers),
   * float32 (1 layer)`, as shown to the user.
   */
  dtypePolicies?: string;
  /**
   * The layers whose dtype policy computes in float16 or bfloat16 (`float16`, `mixed_float16`, `bfloat16`,
   * `mixed_bfloat16`), by layer name: the engine reproduces Keras's rounding there (src/engine/half.ts).
   */
  layerDtypes?: Record<string, HalfDtype>;
}

/** The recurrent layers of a model, with Bidirectional unpacked, in run order. */
export function recurrentLayersOf(model: Model): { layerIndex: number; direction: 'forward' | 'backward'; layer: RecurrentLayer }[] {
  const out: { layerIndex: number; direction: 'forward' | 'backward'; layer: RecurrentLayer }[] = [];
  model.layers.forEach((layer, layerIndex) => {
    if (layer.kind === 'recurrent') out.push({ layerIndex, direction: 'forward', layer });
    else if (layer.kind === 'bidirectional') {
      out.push({ layerIndex, direction: 'forward', layer: layer.forward });
      out.push({ layerIndex, direction: 'backward', layer: layer.backward });
    }
  });
  return out;
}

/** How many tensors a call of the layer returns: the output, then Bidirectional's backward output (merge_mode None), then return_state's states. */
export function outputCount(layer: Layer): number {
  const states = (l: RecurrentLayer) => (l.config.returnState ? stateNames(l).length : 0);
  if (layer.kind === 'recurrent') return 1 + states(layer);
  if (layer.kind === 'bidirectional') return (layer.mergeMode === null ? 2 : 1) + 2 * states(layer.forward);
  return 1;
}

/** The graph of a chain: node i reads node i−1 (the first reads input 0); every output of the last node is a model output. */
export function chainGraph(layers: readonly Layer[], inputShape: (number | null)[], inputIsTokens: boolean): ModelGraph {
  const nodes: GraphNode[] = layers.map((_, i) => ({ layer: i, inputs: [i === 0 ? { input: 0 } : { node: i - 1, output: 0 }] }));
  const last = layers.length - 1;
  const outputs: TensorRef[] = last < 0 ? [{ input: 0 }] : Array.from({ length: outputCount(layers[last]!) }, (_, output) => ({ node: last, output }));
  return { inputs: [{ name: 'input', shape: inputShape, tokens: inputIsTokens }], nodes, outputs };
}

/** The model's graph: its own, or the chain of its layers. */
export function graphOf(model: Model): ModelGraph {
  return model.graph ?? chainGraph(model.layers, model.inputShape, model.inputIsTokens);
}

/**
 * The model cut after layer `k` (its last call), with `replacement` in its place: what per-layer checks run to get
 * one layer's own output. Its outputs are every output of that call.
 */
export function modelUpTo(model: Model, k: number, replacement: Layer): Model {
  const layers = model.layers.map((l, i) => (i === k ? replacement : l));
  if (!model.graph) return { ...model, layers: layers.slice(0, k + 1) };
  const g = model.graph;
  let node = -1;
  g.nodes.forEach((n, i) => {
    if (n.layer === k) node = i;
  });
  if (node < 0) return { ...model, layers };
  const outputs = Array.from({ length: outputCount(replacement) }, (_, output) => ({ node, output }));
  return { ...model, layers, graph: { ...g, outputs } };
}
