/**
 * The one model type every file format is turned into, and the only thing the engine runs.
 * Config names are ours (camelCase); every weight is already checked against its layer's shape by the loader.
 */
import type { CustomCellDef } from './custom/define';
import type { Tensor } from './tensor';

export type KerasMajor = 2 | 3;

/** Which `hard_sigmoid` formula: Keras 2 / tf.keras ≤ 2.15 / TF.js `clip(0.2x+0.5)`, Keras 3 `clip(x/6+0.5)`. */
export type HardSigmoidFlavor = 'keras2' | 'keras3';

export interface Semantics {
  kerasMajor: KerasMajor;
  hardSigmoid: HardSigmoidFlavor;
  /** Human-readable reason, shown to the user, e.g. `keras_version "2.1.2" in the file`. */
  decidedBy: string;
}

export interface SourceInfo {
  /** Path or URI of the file the model came from, as shown in errors. */
  file: string;
  /** Loader that read it, e.g. `keras-export-json`, `keras-recorded-fixture/v1`. */
  format: string;
  kerasVersion?: string;
}

/** `custom`: a cell the user defined as expressions (RecurrentLayer.custom holds it). */
export type CellKind = 'simple_rnn' | 'lstm' | 'gru' | 'custom';

/**
 * Number of gate blocks a cell's kernel columns are cut into: SimpleRNN 1, LSTM 4 (i,f,c,o), GRU 3 (z,r,h).
 * A custom cell has no fused kernel (its weights are named arrays in `custom.weights`): 1, over an empty kernel.
 */
export const GATE_COUNT: Record<CellKind, number> = { simple_rnn: 1, lstm: 4, gru: 3, custom: 1 };

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

export interface RecurrentLayer {
  kind: 'recurrent';
  name: string;
  cell: CellKind;
  config: RecurrentConfig;
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

export type Layer =
  | RecurrentLayer
  | BidirectionalLayer
  | DenseLayer
  | EmbeddingLayer
  | FlattenLayer
  | ActivationLayer
  | PassThroughLayer;

export interface Model {
  name: string;
  /** In order; the engine runs them as a chain. */
  layers: Layer[];
  /** Input shape without the batch axis, `null` where Keras allows any size: [time, features] or [time] for tokens. */
  inputShape: (number | null)[];
  /** True when the first real layer is an Embedding: inputs are integer token ids of shape [batch, time]. */
  inputIsTokens: boolean;
  semantics: Semantics;
  source: SourceInfo;
  /** For token models: the character or word of each id, so views can show text. */
  vocabulary?: string[];
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
