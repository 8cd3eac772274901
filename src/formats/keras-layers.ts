/**
 * One Keras layer entry → one Model layer, and a chain of them → the layers of a Model. Shared by every format
 * that carries Keras layer configs (to_json exports, fixtures, and later .keras / .h5 / TF.js).
 */
import type { DenseLayer, EmbeddingLayer, Layer } from '../engine/model';
import { shapeText } from '../engine/tensor';
import { child, fail, readBool, readPositiveInt, type At } from './json-read';
import { readActivation } from './keras-activation';
import { declaredInputShape, defaultLayerNames, readInnerLayer, readLayerHeader, type LayerEnv, type LayerHeader } from './keras-layer-json';
import { CELL_OF_CLASS, convertBidirectional, convertRecurrent, type Converted, type Flow } from './keras-recurrent';
import { CUSTOM_CELL_CLASS, convertCustomCell } from './custom-cell';
import type { WeightCursor } from './weights';
import { convertConv1D, convertConv2D, convertConv3D, convertGlobalPool1D, convertPool1D, convertPool2D } from './keras-conv';
import { convertBatchNorm, convertLayerNorm, convertUnitNorm } from './keras-norm';
import { convertNormalization, convertRescaling } from './keras-preprocessing';
import { convertReshapeFamily, RESHAPE_CLASSES } from './keras-reshape';
import { ACTIVATION_LAYER_CLASSES, convertActivationLayer } from './keras-activation-layers';
import { convertMasking } from './keras-mask';
import { convertRnnLayer } from './keras-rnn-layer';
import { CONV_LSTM_RANK, convertConvLstm } from './keras-conv-lstm';

const CONV_LSTM_CONVERTERS = Object.fromEntries(Object.keys(CONV_LSTM_RANK).map((c) => [c, convertConvLstm]));

type SingleInputConverter = (h: LayerHeader, flow: Flow, weights: WeightCursor, env: LayerEnv) => Converted<Layer>;

/** The layers around the cells that read one tensor (src/engine/layers). */
const AROUND_CELLS: Record<string, SingleInputConverter> = {
  Conv1D: convertConv1D,
  Conv2D: convertConv2D,
  Conv3D: convertConv3D,
  MaxPooling2D: convertPool2D,
  AveragePooling2D: convertPool2D,
  MaxPool2D: convertPool2D,
  AvgPool2D: convertPool2D,
  MaxPooling1D: convertPool1D,
  AveragePooling1D: convertPool1D,
  MaxPool1D: convertPool1D,
  AvgPool1D: convertPool1D,
  GlobalMaxPooling1D: convertGlobalPool1D,
  GlobalAveragePooling1D: convertGlobalPool1D,
  GlobalMaxPool1D: convertGlobalPool1D,
  GlobalAvgPool1D: convertGlobalPool1D,
  BatchNormalization: convertBatchNorm,
  LayerNormalization: convertLayerNorm,
  UnitNormalization: convertUnitNorm,
  Normalization: convertNormalization,
  Rescaling: convertRescaling,
  Masking: convertMasking,
  RNN: convertRnnLayer,
  ...Object.fromEntries(RESHAPE_CLASSES.map((c) => [c, convertReshapeFamily])),
  ...Object.fromEntries(ACTIVATION_LAYER_CLASSES.map((c) => [c, convertActivationLayer])),
};

const PASS_THROUGH = new Set(['InputLayer', 'Identity', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization']);

export const SUPPORTED_LAYERS =
  'InputLayer, SimpleRNN, LSTM, GRU, Bidirectional, Dense, TimeDistributed(any of these, or a model), ConvLSTM1D/2D/3D, Embedding, Flatten, Activation, Dropout and the other noise layers, Identity, Masking, Conv1D, Conv2D, Conv3D, MaxPooling1D/2D, AveragePooling1D/2D, AveragePooling1D, GlobalMax/GlobalAveragePooling1D, BatchNormalization, LayerNormalization, UnitNormalization, Normalization, Rescaling, RepeatVector, Reshape, Permute, ZeroPadding1D, Cropping1D, UpSampling1D, ReLU, LeakyReLU, PReLU, ELU, Softmax, Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum, keras.ops nodes (sum, mean, max, transpose, squeeze, concatenate, arithmetic…), RNN of SimpleRNNCell/LSTMCell/GRUCell/StackedRNNCells; CustomCell in keras-model-fixture/v1 files';

/** The way out for a model that holds Python code: the exporter's recording, and each recurrent layer replayed on it. */
export const LAYER_REPLAY_HINT =
  'record the model with python/cellscope_export.py MODEL --input X.json --out-dir DIR (add --unsafe-lambda for a Lambda, --custom-objects FILE.py for your classes), then `cellscope compare MODEL --recording DIR/recording.json` replays each recurrent layer on the input Keras fed it';

/** Preprocessing that turns raw inputs (strings, categories) into the numbers the rest of the model reads. */
const INPUT_PREPROCESSING = new Set(['StringLookup', 'TextVectorization', 'IntegerLookup', 'Hashing', 'CategoryEncoding', 'Discretization', 'HashedCrossing']);

function noImplementationHint(h: LayerHeader): string {
  if (INPUT_PREPROCESSING.has(h.className)) {
    return `${h.className} prepares raw inputs (strings or categories) before the network and has no implementation in Cellscope; open the model from the layer after it (keras.Model(the ${h.className} output as a new keras.Input, the model's output)) and feed it what ${h.className} outputs (in Python: layer(raw_inputs))`;
  }
  return `${h.className} has no implementation in Cellscope (docs/graph.md lists the layers it runs); save the recurrent part alone (keras.Model(its input, the recurrent layer's output)) and open that`;
}

export function unsupported(h: LayerHeader, inside?: string): never {
  const what = h.className === 'Lambda' ? 'a Lambda layer holds Python code, which only Python can run' : `${h.className} is a layer class defined in Python, outside Keras`;
  return fail(child(h.at, 'class_name'), `a supported layer (${SUPPORTED_LAYERS})`, `${h.className} layer "${h.name}"${inside ? ` inside ${inside}` : ''}`, {
    subject: `layer "${h.name}"`,
    ...(h.pythonCode ? { pythonLayer: h.name } : {}),
    hint: h.pythonCode
      ? `${what}, so the whole model cannot run here; ${LAYER_REPLAY_HINT}`
      : noImplementationHint(h),
  });
}

function convertDense(h: LayerHeader, flow: Flow, weights: WeightCursor, timeDistributed: boolean, owner = h.name): Converted<DenseLayer> {
  const c = h.config;
  const at = (key: string) => child(h.configAt, key);
  const units = readPositiveInt(c.units, at('units'), 'the number of units (a positive integer)');
  const activation = readActivation(c.activation, at('activation'), 'linear', `activation of layer "${owner}"`);
  const useBias = readBool(c.use_bias, at('use_bias'), true);
  if (flow.dims && flow.dims.length === 0) fail(h.configAt, `an input with at least one axis for layer "${owner}"`, `shape ${shapeText(flow.dims)} (${flow.from})`);
  if (timeDistributed && flow.dims && flow.dims.length < 2) {
    fail(h.configAt, `a sequence input (time steps, features) for TimeDistributed layer "${owner}"`, `shape ${shapeText(flow.dims)} (${flow.from})`, {
      hint: 'TimeDistributed applies Dense at every time step; the layer before needs return_sequences=True',
    });
  }
  const inputs = flow.dims ? flow.dims[flow.dims.length - 1]! : null;
  if (flow.dims && inputs === null && flow.dims.length === 1 && flow.flattened) {
    // Keras cannot build Dense on a Flatten of a shape with None: the kernel's rows would fix a size nothing declares.
    fail(h.configAt, `a known input size for Dense layer "${owner}"`, `shape ${shapeText(flow.dims)} (${flow.from}, a Flatten of a shape with a free size)`, {
      hint: 'declare the input length (batch_input_shape / batch_shape with a fixed number of time steps) so the Flatten output has a size',
    });
  }
  const kernel = weights.take({
    layer: owner,
    role: 'kernel',
    shape: [inputs, units],
    because: `[${inputs ?? 'any number of'} inputs${inputs !== null ? ` (${flow.from})` : ''}, ${units} units]`,
  });
  const bias = useBias ? weights.take({ layer: owner, role: 'bias', shape: [units], because: `[${units} units]` }) : null;
  const lead = flow.dims ? flow.dims.slice(0, -1) : [];
  const layer: DenseLayer = { kind: 'dense', name: owner, units, activation, kernel, bias, timeDistributed };
  return { layer, out: { dims: [...lead, units], from: `the output of layer "${owner}"` }, consumed: [...lead, kernel.shape[0]!] };
}

function convertEmbedding(h: LayerHeader, flow: Flow, weights: WeightCursor): Converted<EmbeddingLayer> {
  const c = h.config;
  const at = (key: string) => child(h.configAt, key);
  const inputDim = readPositiveInt(c.input_dim, at('input_dim'), 'the vocabulary size input_dim (a positive integer)');
  const outputDim = readPositiveInt(c.output_dim, at('output_dim'), 'the vector size output_dim (a positive integer)');
  const maskZero = readBool(c.mask_zero, at('mask_zero'), false);
  const embeddings = weights.take({
    layer: h.name,
    role: 'embeddings',
    shape: [inputDim, outputDim],
    because: `[input_dim ${inputDim}, output_dim ${outputDim}]`,
  });
  const dims = flow.dims ?? [null];
  const layer: EmbeddingLayer = { kind: 'embedding', name: h.name, inputDim, outputDim, embeddings, maskZero };
  return { layer, out: { dims: [...dims, outputDim], from: `the output of layer "${h.name}"` }, consumed: dims };
}

function convertFlatten(h: LayerHeader, flow: Flow): Converted<Layer> {
  const dims = flow.dims ? [flow.dims.some((d) => d === null) ? null : flow.dims.reduce<number>((a, d) => a * d!, 1)] : null;
  return { layer: { kind: 'flatten', name: h.name }, out: { dims, from: `the output of layer "${h.name}"`, flattened: true }, consumed: flow.dims ?? [] };
}

export function convertKerasLayer(h: LayerHeader, flow: Flow, weights: WeightCursor, env: LayerEnv): Converted<Layer> {
  const same = (layer: Layer): Converted<Layer> => ({ layer, out: flow, consumed: flow.dims ?? [] });
  if (PASS_THROUGH.has(h.className)) return same({ kind: 'pass_through', name: h.name, className: h.className });
  if (CELL_OF_CLASS[h.className]) return convertRecurrent(h, flow, weights, env);
  if (CONV_LSTM_RANK[h.className]) return convertConvLstm(h, flow, weights, env);
  if (h.className === CUSTOM_CELL_CLASS) return convertCustomCell(h, flow, weights, env);
  const around = AROUND_CELLS[h.className];
  if (around) return around(h, flow, weights, env);
  switch (h.className) {
    case 'Bidirectional':
      return convertBidirectional(h, flow, weights, env, CONV_LSTM_CONVERTERS);
    case 'Dense':
      return convertDense(h, flow, weights, false);
    case 'TimeDistributed': {
      const inner = readInnerLayer(h, 'layer', `${h.name}_layer`);
      if (inner.className === 'Dense') return convertDense(inner, flow, weights, true, h.name);
      return convertTimeDistributed(h, inner, flow, weights, env);
    }
    case 'Embedding':
      return convertEmbedding(h, flow, weights);
    case 'Flatten':
      return convertFlatten(h, flow);
    case 'Activation':
      return same({ kind: 'activation', name: h.name, activation: readActivation(h.config.activation, child(h.configAt, 'activation'), 'linear', `activation of layer "${h.name}"`) });
    default:
      return unsupported(h);
  }
}

/** TimeDistributed around any other one-tensor layer (Conv2D, pooling, Flatten…): the layer on each step's slice. */
function convertTimeDistributed(h: LayerHeader, inner: LayerHeader, flow: Flow, weights: WeightCursor, env: LayerEnv): Converted<Layer> {
  if (flow.dims && flow.dims.length < 2) {
    fail(h.configAt, `an input with a time axis for TimeDistributed layer "${h.name}"`, `shape ${shapeText(flow.dims)} (${flow.from})`, { subject: `layer "${h.name}"` });
  }
  const step: Flow = { dims: flow.dims ? flow.dims.slice(1) : null, from: `one time step of ${flow.from}` };
  const converted = convertKerasLayer(inner, step, weights, env);
  const time = flow.dims ? flow.dims[0]! : null;
  return {
    layer: { kind: 'time_distributed', name: h.name, inner: converted.layer },
    out: { dims: converted.out.dims ? [time, ...converted.out.dims] : null, from: `the output of layer "${h.name}"` },
    consumed: flow.dims ?? [],
  };
}

export interface ChainItem {
  json: unknown;
  at: At;
  weights: WeightCursor;
  /** Called after the layer took its weights (fixtures check each layer's own list is used up). */
  done?: () => void;
}

export interface Chain {
  layers: Layer[];
  inputShape: (number | null)[];
  inputIsTokens: boolean;
}

/** Layers in run order; the input shape comes from the first declaration, else from the first computing layer. */
export function convertChain(items: readonly ChainItem[], env: LayerEnv, inputShapeHint?: (number | null)[]): Chain {
  const layers: Layer[] = [];
  let inputShape: (number | null)[] | null = inputShapeHint ?? null;
  let flow: Flow = { dims: inputShape, from: inputShape ? `the input shape ${shapeText(inputShape)}` : 'the input' };
  let firstReal: Layer | undefined;
  const fallbackNames = defaultLayerNames(items.map((i) => i.json));
  items.forEach((item, index) => {
    const h = readLayerHeader(item.json, item.at, fallbackNames[index]!);
    if (!firstReal && (inputShape === null || (inputShapeHint && index === 0))) {
      const declared = declaredInputShape(h);
      if (declared && inputShape !== null) {
        // The model config's build_input_shape and the first layer's own declaration must agree (None matches any size).
        const hint = inputShape;
        const agree = hint.length === declared.length && hint.every((d, i) => d === null || declared[i] === null || d === declared[i]);
        if (!agree) {
          fail(h.configAt, `an input shape that agrees with the model's build_input_shape ${shapeText([null, ...hint])}`, `layer "${h.name}" declaring ${shapeText([null, ...declared])}`, {
            hint: 'the model config and its first layer describe different inputs; the file was edited or is damaged',
          });
        }
        inputShape = hint.map((d, i) => d ?? declared[i]!);
        flow = { dims: inputShape, from: `the input shape ${shapeText(inputShape)}` };
      } else if (declared) {
        inputShape = declared;
        flow = { dims: declared, from: `the input shape ${shapeText(declared)}` };
      }
    }
    const converted = convertKerasLayer(h, flow, item.weights, env);
    item.done?.();
    if (!firstReal && converted.layer.kind !== 'pass_through') {
      firstReal = converted.layer;
      if (inputShape === null && converted.consumed.length) inputShape = converted.consumed;
    }
    layers.push(...(converted.stack ?? []), converted.layer);
    flow = converted.out;
  });
  if (inputShape === null) {
    fail(items[0]?.at ?? { file: env.file, path: [] }, 'an input shape (batch_input_shape, batch_shape or an InputLayer) or a first layer with weights that tell it', 'none');
  }
  return { layers, inputShape, inputIsTokens: firstReal?.kind === 'embedding' };
}
