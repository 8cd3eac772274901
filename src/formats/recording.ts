/**
 * `cellscope-recording/v1`: what Keras computed for an input (written by the Python exporter), including every
 * recurrent layer's full hidden sequence so per-step activations can be compared, not only the final output.
 */
import type { Tensor } from '../engine/tensor';
import { shapeText } from '../engine/tensor';
import { describeValue } from './load-error';
import { readArrayValue } from './arrays';
import { child, fail, readArray, readObject, readPositiveInt, readString, type At } from './json-read';

export const RECORDING_FORMAT = 'cellscope-recording/v1';

export interface RecordedLayer {
  name: string;
  className: string;
  /** Full hidden sequence [batch, time, units] ([batch, time, 2·units] for a Bidirectional concat). */
  output: Tensor;
  /** Final states as Keras returns them (LSTM: h, c; Bidirectional: forward then backward). */
  states?: Tensor[];
  /** Position in Keras's model.layers. */
  index?: number;
  /** What the layer outputs as configured (the last step when return_sequences is false). */
  layerOutput?: Tensor;
  /** For layer replay (docs/graph.md): what the layer read in the model, as Keras computed it. */
  replay?: ReplayRecord;
}

/** One recurrent layer on its own: its input sequence, mask and initial states as Keras fed them, its config and weights. */
export interface ReplayRecord {
  /** [batch, time, features] */
  input: Tensor;
  /** [batch, time], 1 for a real step, 0 for a padded one; absent: no mask reached the layer. */
  mask?: Tensor;
  /** `initial_state=` tensors ([h] or [h, c]; Bidirectional: forward's then backward's), each [batch, units]. */
  initialState?: Tensor[];
  /** The layer's serialized Keras config (`{class_name, config, …}`) and where it sits in the recording file. */
  config: unknown;
  configPath: (string | number)[];
  /** `layer.get_weights()` in Keras's order, and where they sit. */
  weights: Tensor[];
  weightsPath: (string | number)[];
}

export interface Recording {
  input?: Tensor;
  output: Tensor;
  /** Every output, when the model has several (return_state); `output` is the first. */
  outputs?: Tensor[];
  predictCalls: number;
  kerasVersion?: string;
  /** Every input of a multi-input model, in the model's input order (`input` is the first). */
  inputs?: Tensor[];
  layers: RecordedLayer[];
  /** The exporter found layers only Python runs (Lambda, custom classes): compare per layer (layer replay). */
  replayOnly?: boolean;
}

export function readRecording(doc: unknown, file: string): Recording {
  const rootAt: At = { file, path: [] };
  const root = readObject(doc, rootAt, `a ${RECORDING_FORMAT} object`);
  if (root.format !== RECORDING_FORMAT) fail(child(rootAt, 'format'), `"${RECORDING_FORMAT}"`, describeValue(root.format));
  if (root.output === undefined) fail(child(rootAt, 'output'), "the model's output (an array)", 'nothing');
  const output = readArrayValue(root.output, child(rootAt, 'output')).tensor;
  const input = root.input === undefined ? undefined : readArrayValue(root.input, child(rootAt, 'input')).tensor;
  if (input && output.shape[0] !== input.shape[0]) {
    fail(child(rootAt, 'output'), `batch size ${input.shape[0]} like the input`, `shape ${shapeText(output.shape)}`);
  }
  const predictCalls = root.predict_calls === undefined ? 1 : readPositiveInt(root.predict_calls, child(rootAt, 'predict_calls'));
  const kerasVersion = root.keras_version === undefined ? undefined : readString(root.keras_version, child(rootAt, 'keras_version'), 'a version string like "3.15.1"');
  const layersAt = child(rootAt, 'layers');
  const layers = readArray(root.layers ?? [], layersAt, 'a list of recorded layers').map((l, i) => readLayer(l, child(layersAt, i), output.shape[0]!));
  const outputs = root.outputs === undefined ? undefined : readArray(root.outputs, child(rootAt, 'outputs'), 'a list of arrays').map((o, i) => readArrayValue(o, child(rootAt, 'outputs', i)).tensor);
  const inputs = root.inputs === undefined ? undefined : readArray(root.inputs, child(rootAt, 'inputs'), 'a list of arrays').map((o, i) => readArrayValue(o, child(rootAt, 'inputs', i)).tensor);
    return { ...(input ? { input } : {}), ...(inputs ? { inputs } : {}), output, ...(outputs ? { outputs } : {}), predictCalls, ...(kerasVersion ? { kerasVersion } : {}), layers, ...(root.replay === true ? { replayOnly: true } : {}) };
}

function readLayer(v: unknown, at: At, batch: number): RecordedLayer {
  const obj = readObject(v, at, 'a recorded layer {"name", "class_name", "output", "states"?}');
  const name = readString(obj.name, child(at, 'name'), 'the layer name');
  const className = readString(obj.class_name, child(at, 'class_name'), 'the layer class name');
  const output = readArrayValue(obj.output, child(at, 'output')).tensor;
  if (output.shape.length !== 3 || output.shape[0] !== batch) {
    fail(child(at, 'output'), `the full hidden sequence of layer "${name}": shape [${batch}, time steps, units]`, `shape ${shapeText(output.shape)}`);
  }
  const layer: RecordedLayer = { name, className, output };
  if (obj.index !== undefined) {
    if (typeof obj.index !== 'number' || !Number.isInteger(obj.index) || obj.index < 0) fail(child(at, 'index'), 'a layer index (integer ≥ 0)', describeValue(obj.index));
    layer.index = obj.index;
  }
  if (obj.layer_output !== undefined) layer.layerOutput = readArrayValue(obj.layer_output, child(at, 'layer_output')).tensor;
  if (obj.states !== undefined) {
    layer.states = readArray(obj.states, child(at, 'states'), 'a list of state arrays').map((s, j) => readArrayValue(s, child(at, 'states', j)).tensor);
  }
  if (obj.input !== undefined && obj.config !== undefined) layer.replay = readReplay(obj, at, batch);
  return layer;
}

function readReplay(obj: Record<string, unknown>, at: At, batch: number): ReplayRecord {
  const input = readArrayValue(obj.input, child(at, 'input')).tensor;
  if (input.shape.length !== 3 || input.shape[0] !== batch) {
    fail(child(at, 'input'), `the layer's input sequence: shape [${batch}, time steps, features]`, `shape ${shapeText(input.shape)}`);
  }
  const replay: ReplayRecord = {
    input,
    config: readObject(obj.config, child(at, 'config'), "the layer's Keras config {class_name, config}"),
    configPath: child(at, 'config').path as (string | number)[],
    weights: readArray(obj.weights ?? [], child(at, 'weights'), "the layer's weights (layer.get_weights())").map((w, j) => readArrayValue(w, child(at, 'weights', j)).tensor),
    weightsPath: child(at, 'weights').path as (string | number)[],
  };
  if (obj.mask !== undefined) {
    const mask = readArrayValue(obj.mask, child(at, 'mask')).tensor;
    if (mask.shape.length !== 2 || mask.shape[0] !== batch || mask.shape[1] !== input.shape[1]) {
      fail(child(at, 'mask'), `one flag per step: shape [${batch}, ${input.shape[1]}]`, `shape ${shapeText(mask.shape)}`);
    }
    replay.mask = mask;
  }
  if (obj.initial_state !== undefined) {
    replay.initialState = readArray(obj.initial_state, child(at, 'initial_state'), 'a list of state arrays').map((s, j) => readArrayValue(s, child(at, 'initial_state', j)).tensor);
  }
  return replay;
}
