/** A model described for people: each layer's class, units, output shape and parameter count, as Keras's summary(). */
import { customParams } from './custom/define';
import { GATE_COUNT, type CellKind, type Layer, type Model, type RecurrentLayer } from './model';
import { shapeText } from './tensor';

export const CELL_CLASS: Record<CellKind, string> = { simple_rnn: 'SimpleRNN', lstm: 'LSTM', gru: 'GRU', custom: 'CustomCell' };

export interface LayerSummary {
  name: string;
  /** Keras class name, e.g. `Bidirectional(LSTM)`. */
  className: string;
  /** Output shape without the batch axis; null where any size is allowed. */
  outputShape: (number | null)[];
  params: number;
  /** Settings worth showing, e.g. `units 100, tanh / sigmoid, return_sequences`. */
  details: string;
}

export interface ModelSummary {
  name: string;
  layers: LayerSummary[];
  params: number;
  inputShape: (number | null)[];
  semantics: string;
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
  return [`units ${c.units}`, acts, ...flags].join(', ');
}

function describeLayer(layer: Layer, inShape: (number | null)[]): LayerSummary {
  const base = { name: layer.name };
  const steps = inShape[0] ?? null;
  switch (layer.kind) {
    case 'recurrent': {
      const u = layer.config.units;
      return {
        ...base,
        className: CELL_CLASS[layer.cell],
        outputShape: layer.config.returnSequences ? [steps, u] : [u],
        params: recurrentParams(layer),
        details: recurrentDetails(layer),
      };
    }
    case 'bidirectional': {
      const u = layer.forward.config.units * (layer.mergeMode === 'concat' ? 2 : 1);
      return {
        ...base,
        className: `Bidirectional(${CELL_CLASS[layer.forward.cell]})`,
        outputShape: layer.forward.config.returnSequences ? [steps, u] : [u],
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
  }
}

export function summarizeModel(model: Model): ModelSummary {
  let shape = model.inputShape;
  const layers = model.layers.map((layer) => {
    const s = describeLayer(layer, shape);
    shape = s.outputShape;
    return s;
  });
  const sem = model.semantics;
  return {
    name: model.name,
    layers,
    params: layers.reduce((a, l) => a + l.params, 0),
    inputShape: model.inputShape,
    semantics: `Keras ${sem.kerasMajor} semantics (hard_sigmoid ${sem.hardSigmoid === 'keras2' ? 'clip(0.2x+0.5)' : 'clip(x/6+0.5)'}), ${sem.decidedBy}`,
  };
}

/** Plain-text table, as `cellscope inspect` and the output channel print it. */
export function summaryText(s: ModelSummary): string {
  const rows = s.layers.map((l) => [l.name, l.className, shapeText([null, ...l.outputShape]), String(l.params), l.details]);
  const head = ['layer', 'class', 'output shape', 'params', 'settings'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [
    `model "${s.name}": input ${shapeText([null, ...s.inputShape])}, ${s.params} parameters`,
    s.semantics,
    line(head),
    ...rows.map(line),
  ].join('\n');
}

/** Number of gate blocks, re-exported for views that split weights per gate. */
export { GATE_COUNT };
