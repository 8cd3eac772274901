/**
 * SimpleRNN / LSTM / GRU and Bidirectional configs → recurrent layers, taking kernel, recurrent_kernel, bias from
 * the weight cursor and checking them against units × gates.
 */
import { CELL_KINDS } from '../engine/cells/kinds';
import { GATE_COUNT, type Layer, type BidirectionalLayer, type CellKind, type MergeMode, type RecurrentLayer } from '../engine/model';
import { shapeText } from '../engine/tensor';
import { describeValue } from './load-error';
import { child, fail, readBool, readPositiveInt } from './json-read';
import { readActivation } from './keras-activation';
import { readInnerLayer, type LayerEnv, type LayerHeader } from './keras-layer-json';
import { rnnAsLayer } from './keras-rnn-cells';
import type { WeightCursor } from './weights';

/**
 * Keras class name → cell kind (CELL_KINDS' titles: SimpleRNN, LSTM, GRU). ConvLSTM is left out: Keras has no class
 * of that name, and ConvLSTM1D/2D/3D have their own reader (keras-conv-lstm.ts) for their convolution settings.
 */
export const CELL_OF_CLASS: Record<string, CellKind> = Object.fromEntries(Object.values(CELL_KINDS).filter((k) => k.kind !== 'conv_lstm').map((k) => [k.title, k.kind]));

/** The sample shape flowing between layers (no batch axis); `null` until a layer or the input declares it. */
export interface Flow {
  dims: (number | null)[] | null;
  /** For messages: where these dims come from, e.g. `the output of layer "lstm"`. */
  from: string;
  /** Set by Flatten: a None here is a size Keras could not have built a Dense on. */
  flattened?: boolean;
}

export interface Converted<L> {
  layer: L;
  /** Layers that run before `layer`, each reading the one before (an RNN of StackedRNNCells: one per lower cell). */
  stack?: Layer[];
  out: Flow;
  /** The input shape as this layer understood it (features filled in from its kernel). */
  consumed: (number | null)[];
}

function gatesText(cell: CellKind, units: number): string {
  const gates = cell === 'custom' ? [] : CELL_KINDS[cell].gates;
  return gates.length > 1 ? `${gates.length} gates (${gates.map((g) => g.key).join(', ')}) × ${units} units` : `${units} units`;
}

function sequenceInput(h: LayerHeader, flow: Flow): { time: number | null; features: number | null } {
  if (!flow.dims) return { time: null, features: null };
  if (flow.dims.length !== 2) {
    fail(h.configAt, `a sequence input of shape (time steps, features) per sample for ${h.className} layer "${h.name}"`, `shape ${shapeText(flow.dims)} (${flow.from})`, {
      subject: `layer "${h.name}"`,
      hint: 'a recurrent layer reads (samples, time steps, features); to stack recurrent layers the one before needs return_sequences=True',
    });
  }
  return { time: flow.dims[0]!, features: flow.dims[1]! };
}

export function convertRecurrent(
  h: LayerHeader,
  flow: Flow,
  weights: WeightCursor,
  env: LayerEnv,
  wrap?: { direction: 'forward' | 'backward'; owner: string },
): Converted<RecurrentLayer> {
  const cell = CELL_OF_CLASS[h.className]!;
  const c = h.config;
  const at = (key: string) => child(h.configAt, key);
  const units = readPositiveInt(c.units, at('units'), 'the number of units (a positive integer)');
  if (c.time_major === true) fail(at('time_major'), 'time_major false (batch-major inputs)', 'true', { subject: `layer "${h.name}"` });
  const subject = (what: string) => `${what} of layer "${h.name}"`;
  const gruDefaultResetAfter = env.semantics.kerasMajor === 3;
  const resetAfter = cell === 'gru' ? readBool(c.reset_after, at('reset_after'), gruDefaultResetAfter) : false;
  const config = {
    units,
    activation: readActivation(c.activation, at('activation'), 'tanh', subject('activation')),
    recurrentActivation: cell === 'simple_rnn' ? 'sigmoid' : readActivation(c.recurrent_activation, at('recurrent_activation'), 'sigmoid', subject('recurrent_activation')),
    useBias: readBool(c.use_bias, at('use_bias'), true),
    returnSequences: readBool(c.return_sequences, at('return_sequences'), false),
    returnState: readBool(c.return_state, at('return_state'), false),
    goBackwards: readBool(c.go_backwards, at('go_backwards'), false),
    stateful: readBool(c.stateful, at('stateful'), false),
    resetAfter,
  };

  const { time, features } = sequenceInput(h, flow);
  const width = GATE_COUNT[cell] * units;
  const gates = gatesText(cell, units);
  const owner = wrap?.owner ?? h.name;
  const req = { layer: owner, ...(wrap ? { direction: wrap.direction } : {}) };
  const kernel = weights.take({
    ...req,
    role: 'kernel',
    shape: [features, width],
    because: `[${features ?? 'any number of'} input features${features !== null ? ` (${flow.from})` : ''}, ${gates}]`,
  });
  const recurrentKernel = weights.take({ ...req, role: 'recurrent_kernel', shape: [units, width], because: `[${units} units, ${gates}]` });
  let bias = null;
  if (config.useBias) {
    const biasShape = resetAfter ? [2, width] : [width];
    const why = cell === 'gru' ? `, reset_after=${resetAfter}${c.reset_after === undefined ? ` (the Keras ${env.semantics.kerasMajor} default; the config does not say)` : ''}` : '';
    bias = weights.take({
      ...req,
      role: 'bias',
      shape: biasShape,
      because: resetAfter ? `[2 rows (input bias, recurrent bias), ${gates}]${why}` : `[${gates}]${why}`,
      ...(cell === 'gru'
        ? { hint: `a GRU bias of shape [${width}] means reset_after=false and [2, ${width}] means reset_after=true; set reset_after in the layer config to match the weights` }
        : {}),
    });
  }
  const layer: RecurrentLayer = {
    kind: 'recurrent',
    name: wrap ? `${wrap.direction}_${h.name.replace(/^(forward|backward)_/, '')}` : h.name,
    cell,
    config,
    weights: { kernel, recurrentKernel, bias },
  };
  const featureCount = kernel.shape[0]!;
  return {
    layer,
    out: { dims: config.returnSequences ? [time, units] : [units], from: `the output of layer "${owner}"` },
    consumed: [time, featureCount],
  };
}

const MERGE_MODES: readonly (MergeMode | 'None')[] = ['concat', 'sum', 'mul', 'ave', null, 'None'];

/** Converts one direction of a Bidirectional: `convertRecurrent`, or another recurrent family's converter (ConvLSTM). */
export type DirectionConverter = (h: LayerHeader, flow: Flow, weights: WeightCursor, env: LayerEnv, wrap: { direction: 'forward' | 'backward'; owner: string }) => Converted<RecurrentLayer>;

/**
 * `others`: recurrent classes beyond SimpleRNN / LSTM / GRU and their converters, given by the caller (the ConvLSTM
 * reader imports this module's types, so this module cannot import it).
 */
export function convertBidirectional(h: LayerHeader, flow: Flow, weights: WeightCursor, env: LayerEnv, others: Record<string, DirectionConverter> = {}): Converted<BidirectionalLayer> {
  const read = (key: string, fallback: string) => {
    const l = readInnerLayer(h, key, fallback);
    return rnnAsLayer(l) ?? l;
  };
  const inner = read('layer', `${h.name}_layer`);
  const requireCell = (l: LayerHeader) => {
    if (!CELL_OF_CLASS[l.className] && !others[l.className]) {
      fail(child(l.at, 'class_name'), `SimpleRNN, LSTM or GRU${Object.keys(others).map((c) => `, ${c}`).join('')} inside Bidirectional`, `${l.className} layer "${l.name}"`, {
        subject: `layer "${h.name}"`,
      });
    }
  };
  requireCell(inner);
  const mergeRaw = h.config.merge_mode === undefined ? 'concat' : h.config.merge_mode;
  if (!MERGE_MODES.includes(mergeRaw as MergeMode)) {
    fail(child(h.configAt, 'merge_mode'), 'a merge_mode of "concat", "sum", "mul", "ave" or null', describeValue(mergeRaw), { subject: `layer "${h.name}"` });
  }
  const mergeMode = (mergeRaw === 'None' ? null : mergeRaw) as MergeMode;

  let backwardHeader: LayerHeader;
  if (h.config.backward_layer !== undefined && h.config.backward_layer !== null) {
    backwardHeader = read('backward_layer', `${h.name}_backward`);
    requireCell(backwardHeader);
    const fwdBack = inner.config.go_backwards === true;
    const bwdBack = backwardHeader.config.go_backwards === true;
    if (fwdBack === bwdBack) {
      fail(child(backwardHeader.configAt, 'go_backwards'), `go_backwards ${!fwdBack} (the opposite of the forward layer's)`, String(bwdBack), {
        subject: `backward layer of "${h.name}"`,
        hint: 'Keras requires the two directions of a Bidirectional to read the sequence in opposite orders',
      });
    }
  } else {
    // Keras builds the backward copy from the forward config with go_backwards flipped.
    backwardHeader = { ...inner, config: { ...inner.config, go_backwards: !(inner.config.go_backwards === true) } };
  }
  const convert = (l: LayerHeader): DirectionConverter => others[l.className] ?? convertRecurrent;
  const forward = convert(inner)(inner, flow, weights, env, { direction: 'forward', owner: h.name });
  const backward = convert(backwardHeader)(backwardHeader, flow, weights, env, { direction: 'backward', owner: h.name });
  if (forward.layer.config.returnSequences !== backward.layer.config.returnSequences) {
    fail(child(backwardHeader.configAt, 'return_sequences'), `return_sequences ${forward.layer.config.returnSequences} like the forward layer`, String(backward.layer.config.returnSequences), { subject: `backward layer of "${h.name}"` });
  }
  const fu = forward.layer.config.units;
  const bu = backward.layer.config.units;
  if (mergeMode !== 'concat' && mergeMode !== null && fu !== bu) {
    fail(child(backwardHeader.configAt, 'units'), `${fu} units like the forward layer (merge_mode "${mergeMode}" combines them element-wise)`, String(bu), { subject: `backward layer of "${h.name}"` });
  }
  // Keras concatenates on the last axis (units; a ConvLSTM's filters, or its last spatial axis for channels_first).
  const fDims = forward.out.dims ?? [];
  const lastOf = (d: (number | null)[] | null) => (d && d.length ? d[d.length - 1]! : null);
  const fLast = lastOf(forward.out.dims);
  const bLast = lastOf(backward.out.dims);
  const merged = mergeMode === 'concat' ? (fLast === null || bLast === null ? null : fLast + bLast) : fLast;
  const layer: BidirectionalLayer = { kind: 'bidirectional', name: h.name, mergeMode, forward: forward.layer, backward: backward.layer };
  return {
    layer,
    // merge_mode None returns two tensors; the engine carries the forward one down the chain (the backward one joins
    // the model's outputs), so a layer after it is checked against the forward output's shape.
    out: {
      dims: [...fDims.slice(0, -1), merged],
      from: mergeMode === null ? `the forward output of layer "${h.name}" (merge_mode None; the chain carries the forward output)` : `the output of layer "${h.name}"`,
    },
    consumed: forward.consumed,
  };
}
