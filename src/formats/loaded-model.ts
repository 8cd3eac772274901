/** What every model loader returns: the model and, for fixture files, the run they recorded. */
import type { Model } from '../engine/model';
import type { ModelSummary } from '../engine/summary';
import type { Tensor } from '../engine/tensor';

export interface LoadedModel {
  model: Model;
  input?: Tensor;
  expectedOutput?: Tensor;
  /** 2 for stateful fixtures: Keras ran predict twice without resetting, and expectedOutput is the second result. */
  predictCalls: number;
  /**
   * What the file leaves to the user and what was picked (PyTorch state dicts: which recurrent module, nn.RNN's
   * nonlinearity): the panel shows them as pickers. Absent for files that say everything themselves.
   */
  choices?: ChoicesOffered;
  /** Every input of a model with several, in its graph's order (`input` is the first): a layer replay's recorded inputs. */
  inputs?: Tensor[];
  /** Every expected output, in the graph's order (`expectedOutput` is the first). */
  expectedOutputs?: Tensor[];
  /** The outputs' names when the file gives them (a layer replay's `encoder: h[t]`); else they come from the graph. */
  outputNames?: string[];
  /** Opened as layer replay (src/formats/layer-replay-model.ts): why, and what was left out. */
  replay?: LayerReplayInfo;
}

/** What the panel says about a layer replay: why the model cannot run whole, and the layers that could not be replayed. */
export interface LayerReplayInfo {
  /** The layer only Python can run, as the refusal names it (e.g. `Lambda layer "double"`). */
  refusal: string;
  /** Recorded layers left out, each with why (English, as the CLI prints it). */
  skipped: { name: string; reason: string }[];
}

export interface ChoicesOffered {
  /** Every recurrent module in the file: its key prefix ('' for the top level) and how it is described. */
  modules: { prefix: string; label: string }[];
  /** The prefix of the module opened. */
  module: string;
  /** nn.RNN / RNNCell: the nonlinearity used (not stored in the file); null for LSTM and GRU, which have none to pick. */
  nonlinearity: 'tanh' | 'relu' | null;
}

/**
 * A model that runs as a whole graph (ONNX) rather than as the engine's layer chain, as the extension keeps it: the
 * file's bytes (the engine worker reads them again: a graph's prepared kernels do not cross threads) and what the
 * panel shows of it before a run.
 */
export interface LoadedGraph {
  kind: 'graph';
  file: string;
  bytes: Uint8Array;
  summary: ModelSummary;
  inputNames: string[];
  outputNames: string[];
}

/** Whatever a model file opens as in the extension: an engine model or a whole graph. */
export type OpenedModel = LoadedModel | LoadedGraph;

export const isGraph = (m: OpenedModel): m is LoadedGraph => 'kind' in m && m.kind === 'graph';
