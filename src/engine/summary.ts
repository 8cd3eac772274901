/** A model described for people: each layer's class, units, output shape and parameter count, as Keras's summary(). */
import { convOutput } from './conv-patches';
import { customParams } from './custom/define';
import { GATE_COUNT, type CellKind, type Layer, type Model, type RecurrentLayer, type TensorRef } from './model';
import type { GraphLayer } from './layers/types';
import { shapeText, type Tensor } from './tensor';
import { english, phrase, type Phrase } from '../phrase';

export const CELL_CLASS: Record<CellKind, string> = { simple_rnn: 'SimpleRNN', lstm: 'LSTM', gru: 'GRU', conv_lstm: 'ConvLSTM', custom: 'CustomCell' };

export interface LayerSummary {
  name: string;
  /** Keras class name, e.g. `Bidirectional(LSTM)`. */
  className: string;
  /** Output shape without the batch axis; null where any size is allowed. */
  outputShape: (number | null)[];
  params: number;
  /** Settings worth showing, e.g. `units 100, tanh / sigmoid, return_sequences`. */
  details: string;
  /** Graph models: what the layer's first call reads, e.g. `lstm, mask not_equal, initial_state lstm_1:1, lstm_1:2`. */
  reads?: string;
}

export interface ModelSummary {
  name: string;
  layers: LayerSummary[];
  params: number;
  inputShape: (number | null)[];
  /** Which framework semantics the engine follows, and why (src/phrase.ts: the panel words it). */
  semantics: Phrase;
}

function recurrentParams(l: RecurrentLayer): number {
  if (l.custom) return customParams(l.custom);
  const w = l.weights;
  return w.kernel.data.length + w.recurrentKernel.data.length + (w.bias?.data.length ?? 0);
}

function recurrentDetails(l: RecurrentLayer): string {
  const c = l.config;
  const custom = l.custom;
  const acts = custom
    ? `states ${custom.states.map((s) => s.name).join(', ')}; gates ${custom.gates.map((g) => g.name).join(', ') || 'none'}; output ${custom.output}`
    : l.cell === 'simple_rnn'
      ? c.activation
      : `${c.activation} / ${c.recurrentActivation}`;
  const flags = [
    c.returnSequences && 'return_sequences',
    c.returnState && 'return_state',
    c.goBackwards && 'go_backwards',
    c.stateful && 'stateful',
    !c.useBias && !custom && 'no bias',
    l.cell === 'gru' && `reset_after=${c.resetAfter}`,
  ].filter(Boolean);
  const conv = l.conv;
  const size = conv
    ? [`filters ${conv.filters}`, `kernel ${conv.kernelSize.join('×')}`, conv.padding, conv.strides.some((s) => s > 1) && `strides ${conv.strides.join('×')}`, conv.dilation.some((d) => d > 1) && `dilation ${conv.dilation.join('×')}`, conv.channelsFirst && 'channels_first'].filter(Boolean)
    : [`units ${c.units}`];
  return [...size, acts, ...flags].join(', ');
}

/** Keras's class of a recurrent layer: `LSTM`, `ConvLSTM2D`. */
function recurrentClass(l: RecurrentLayer): string {
  return l.conv ? `ConvLSTM${l.conv.spatial.length}D` : CELL_CLASS[l.cell];
}

/** One step's output shape: [units], or a ConvLSTM's output frame (null where the input leaves a size free). */
function stepShape(l: RecurrentLayer, inShape: (number | null)[]): (number | null)[] {
  const conv = l.conv;
  if (!conv) return [l.config.units];
  const rank = conv.spatial.length;
  const frame = inShape.slice(1);
  const spatial = frame.length === rank + 1 ? (conv.channelsFirst ? frame.slice(1) : frame.slice(0, rank)) : conv.spatial;
  const out = spatial.map((n, a) => (n === null ? null : convOutput({ spatial: [n], kernel: [conv.kernelSize[a]!], strides: [conv.strides[a]!], dilation: [conv.dilation[a]!], padding: conv.padding })[0]!));
  return conv.channelsFirst ? [conv.filters, ...out] : [...out, conv.filters];
}

function describeLayer(layer: Layer, inShape: (number | null)[]): LayerSummary {
  const base = { name: layer.name };
  const steps = inShape[0] ?? null;
  switch (layer.kind) {
    case 'recurrent': {
      const u = stepShape(layer, inShape);
      return {
        ...base,
        className: recurrentClass(layer),
        outputShape: layer.config.returnSequences ? [steps, ...u] : u,
        params: recurrentParams(layer),
        details: recurrentDetails(layer),
      };
    }
    case 'bidirectional': {
      const one = stepShape(layer.forward, inShape);
      const last = one[one.length - 1]!;
      const u = [...one.slice(0, -1), last === null ? null : last * (layer.mergeMode === 'concat' ? 2 : 1)];
      return {
        ...base,
        className: `Bidirectional(${recurrentClass(layer.forward)})`,
        outputShape: layer.forward.config.returnSequences ? [steps, ...u] : u,
        params: recurrentParams(layer.forward) + recurrentParams(layer.backward),
        details: `merge ${layer.mergeMode ?? 'none'}; ${recurrentDetails(layer.forward)}`,
      };
    }
    case 'dense':
      return {
        ...base,
        className: layer.timeDistributed ? 'TimeDistributed(Dense)' : 'Dense',
        outputShape: [...inShape.slice(0, -1), layer.units],
        params: layer.kernel.data.length + (layer.bias?.data.length ?? 0),
        details: `units ${layer.units}, ${layer.activation}`,
      };
    case 'embedding':
      return {
        ...base,
        className: 'Embedding',
        outputShape: [...inShape, layer.outputDim],
        params: layer.embeddings.data.length,
        details: `vocabulary ${layer.inputDim}, dim ${layer.outputDim}${layer.maskZero ? ', mask_zero' : ''}`,
      };
    case 'flatten': {
      const known = inShape.every((d) => d !== null);
      return { ...base, className: 'Flatten', outputShape: [known ? inShape.reduce<number>((a, d) => a * d!, 1) : null], params: 0, details: '' };
    }
    case 'activation':
      return { ...base, className: 'Activation', outputShape: inShape, params: 0, details: layer.activation };
    case 'pass_through':
      return { ...base, className: layer.className, outputShape: inShape, params: 0, details: 'no-op at inference' };
    case 'time_distributed': {
      const inner = describeLayer(layer.inner, inShape.slice(1));
      return { ...base, className: `TimeDistributed(${inner.className})`, outputShape: [inShape[0] ?? null, ...inner.outputShape], params: inner.params, details: inner.details };
    }
    default:
      return { ...base, ...describeGraphLayer(layer), outputShape: inShape };
  }
}

/** Class, parameters and settings of the layers of src/engine/layers (their shapes come from the graph). */
function describeGraphLayer(layer: GraphLayer): { className: string; params: number; details: string } {
  const size = (...ts: (Tensor | null)[]) => ts.reduce((a, t) => a + (t?.data.length ?? 0), 0);
  switch (layer.kind) {
    case 'merge':
      return { className: layer.op[0]!.toUpperCase() + layer.op.slice(1), params: 0, details: layer.op === 'concatenate' ? `axis ${layer.axis}` : '' };
    case 'conv1d':
      return { className: 'Conv1D', params: size(layer.kernel, layer.bias), details: `filters ${layer.filters}, kernel ${layer.kernelSize}, ${layer.padding}${layer.strides > 1 ? `, strides ${layer.strides}` : ''}${layer.dilation > 1 ? `, dilation ${layer.dilation}` : ''}${layer.groups > 1 ? `, groups ${layer.groups}` : ''}, ${layer.activation}` };
    case 'pool1d':
      return { className: layer.op === 'max' ? 'MaxPooling1D' : 'AveragePooling1D', params: 0, details: `pool ${layer.poolSize}, strides ${layer.strides}, ${layer.padding}` };
    case 'global_pool1d':
      return { className: layer.op === 'max' ? 'GlobalMaxPooling1D' : 'GlobalAveragePooling1D', params: 0, details: layer.op === 'average' ? 'skips masked steps' : '' };
    case 'batch_norm':
      return { className: 'BatchNormalization', params: size(layer.gamma, layer.beta, layer.movingMean, layer.movingVariance), details: `axis ${layer.axis}, epsilon ${layer.epsilon}, moving statistics` };
    case 'layer_norm':
      return { className: 'LayerNormalization', params: size(layer.gamma, layer.beta), details: `epsilon ${layer.epsilon}${layer.rmsScaling ? ', rms_scaling' : ''}` };
    case 'masking':
      return { className: 'Masking', params: 0, details: `mask_value ${layer.maskValue}` };
    case 'mask_op':
      return { className: MASK_OP_CLASS[layer.op], params: 0, details: 'computes a mask' };
    case 'tensor_op':
      if (layer.op === 'fold_time') return { className: 'TimeDistributed', params: 0, details: 'time steps folded into the batch for the wrapped model' };
      if (layer.op === 'unfold_time') return { className: 'TimeDistributed', params: 0, details: "the wrapped model's output per time step" };
      return { className: layer.className, params: 0, details: 'keras.ops' };
    case 'unit_norm':
      return { className: 'UnitNormalization', params: 0, details: `axis ${layer.axes.join(', ')}` };
    case 'prelu':
      return { className: 'PReLU', params: size(layer.alpha), details: '' };
    case 'attention':
      return { className: layer.additive ? 'AdditiveAttention' : 'Attention', params: size(layer.scale, layer.concatScoreWeight), details: `${layer.additive ? 'additive' : layer.concatScoreWeight ? 'concat' : 'dot'}${layer.scale ? ', scaled' : ''}${layer.causal ? ', causal' : ''}` };
    case 'multi_head_attention': {
      const w = [layer.query, layer.key, layer.value, layer.output];
      return { className: 'MultiHeadAttention', params: w.reduce((a, p) => a + size(p.kernel, p.bias), 0), details: `heads ${layer.heads}, key_dim ${layer.keyDim}, value_dim ${layer.valueDim}${layer.causal ? ', causal' : ''}` };
    }
    case 'dot':
      return { className: 'Dot', params: 0, details: `axes ${layer.axes.join(', ')}${layer.normalize ? ', normalized' : ''}` };
    case 'conv2d':
      return { className: 'Conv2D', params: size(layer.kernel, layer.bias), details: `filters ${layer.filters}, kernel ${layer.kernelSize.join('×')}, ${layer.padding}, ${layer.activation}` };
    case 'conv3d':
      return { className: 'Conv3D', params: size(layer.kernel, layer.bias), details: `filters ${layer.filters}, kernel ${layer.kernelSize.join('×')}, ${layer.padding}, ${layer.activation}` };
    case 'pool2d':
      return { className: layer.op === 'max' ? 'MaxPooling2D' : 'AveragePooling2D', params: 0, details: `pool ${layer.poolSize.join('×')}, ${layer.padding}` };
    case 'repeat_vector':
      return { className: 'RepeatVector', params: 0, details: `n ${layer.n}` };
    case 'up_sampling1d':
      return { className: 'UpSampling1D', params: 0, details: `size ${layer.size}` };
    case 'normalization':
      return { className: 'Normalization', params: size(layer.mean, layer.variance), details: `${layer.invert ? 'inverted, ' : ''}statistics over axis ${layer.keepAxes.join(', ') || 'none (one mean and variance)'}` };
    case 'rescaling':
      return { className: 'Rescaling', params: 0, details: `scale ${layer.scale.join(', ')}, offset ${layer.offset.join(', ')}` };
    default:
      return { className: GRAPH_CLASS[layer.kind], params: 0, details: '' };
  }
}

const MASK_OP_CLASS = { not_equal: 'NotEqual', equal: 'Equal', any: 'Any', all: 'All', cast: 'Cast', logical_or: 'LogicalOr', logical_and: 'LogicalAnd', expand_dims: 'ExpandDims', zeros_like: 'ZerosLike', ones_like: 'OnesLike' } as const;
const GRAPH_CLASS: Record<string, string> = {
  reshape: 'Reshape',
  permute: 'Permute',
  zero_padding1d: 'ZeroPadding1D',
  cropping1d: 'Cropping1D',
  relu: 'ReLU',
  leaky_relu: 'LeakyReLU',
  elu: 'ELU',
  softmax: 'Softmax',
};

export function summarizeModel(model: Model): ModelSummary {
  let shape = model.inputShape;
  // A graph's loader noted each call's output shape; a chain's shapes follow from the input.
  const nodeShape = new Map<number, (number | null)[]>();
  model.graph?.nodes.forEach((n) => {
    if (n.shape && !nodeShape.has(n.layer)) nodeShape.set(n.layer, n.shape);
  });
  const reads = model.graph ? callInputs(model) : new Map<number, string>();
  const layers = model.layers.map((layer, i) => {
    const s = describeLayer(layer, shape);
    const known = nodeShape.get(i);
    if (known) s.outputShape = known;
    const r = reads.get(i);
    if (r) s.reads = r;
    shape = s.outputShape;
    return s;
  });
  const sem = model.semantics;
  const formula = sem.hardSigmoid === 'keras2' ? 'clip(0.2x+0.5)' : 'clip(x/6+0.5)';
  return {
    name: model.name,
    layers,
    params: layers.reduce((a, l) => a + l.params, 0),
    inputShape: model.inputShape,
    semantics: model.dtypePolicies
      ? phrase('Keras {0} semantics (hard_sigmoid {1}), {2}; dtype policy {3}: computed as Keras does (float16 / bfloat16 layers rounded op by op) unless a precision is chosen', sem.kerasMajor, formula, sem.decidedBy, model.dtypePolicies)
      : phrase('Keras {0} semantics (hard_sigmoid {1}), {2}', sem.kerasMajor, formula, sem.decidedBy),
  };
}

/** Per layer of a graph model: the tensors its first call reads (`name` or `name:k` for output k, `input name`). */
function callInputs(model: Model): Map<number, string> {
  const g = model.graph!;
  const name = (r: TensorRef) => ('input' in r ? `input ${g.inputs[r.input]?.name ?? r.input}` : `${model.layers[g.nodes[r.node]!.layer]!.name}${r.output ? `:${r.output}` : ''}`);
  const out = new Map<number, string>();
  for (const n of g.nodes) {
    if (out.has(n.layer)) continue;
    const parts = [n.inputs.map(name).join(', ')];
    const masks = n.masks?.filter((m): m is TensorRef => m !== null);
    if (masks?.length) parts.push(`mask ${masks.map(name).join(', ')}`);
    if (n.initialState?.length) parts.push(`initial_state ${n.initialState.map(name).join(', ')}`);
    out.set(n.layer, parts.join('; '));
  }
  return out;
}

/** Plain-text table, as `cellscope inspect` and the output channel print it. */
export function summaryText(s: ModelSummary): string {
  const graph = s.layers.some((l) => l.reads !== undefined);
  const rows = s.layers.map((l) => [l.name, l.className, shapeText([null, ...l.outputShape]), String(l.params), l.details, ...(graph ? [l.reads ?? ''] : [])]);
  const head = ['layer', 'class', 'output shape', 'params', 'settings', ...(graph ? ['reads'] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [
    `model "${s.name}": input ${shapeText([null, ...s.inputShape])}, ${s.params} parameters`,
    english(s.semantics),
    line(head),
    ...rows.map(line),
  ].join('\n');
}

/** Number of gate blocks, re-exported for views that split weights per gate. */
export { GATE_COUNT };
