/**
 * What the extension tells the user about a loaded model: layers with their Keras class, units and parameter count,
 * plus which Keras semantics apply. Computed from the loaded `Model`, nothing read from the file directly.
 */
import type { CellKind, Layer, Model, RecurrentLayer } from '../engine/model';

const CELL_CLASS: Record<CellKind, string> = { simple_rnn: 'SimpleRNN', lstm: 'LSTM', gru: 'GRU' };

export interface LayerInfo {
  name: string;
  /** Our layer kind: recurrent, bidirectional, dense, embedding, flatten, activation, pass_through. */
  kind: Layer['kind'];
  /** As Keras names it: `LSTM`, `Bidirectional(GRU)`, `TimeDistributed(Dense)`, `Dropout`. */
  className: string;
  /** Units of the layer (per direction for Bidirectional); embedding output size; absent for Flatten and friends. */
  units?: number;
  params: number;
  details: string;
}

export interface ModelSummaryInfo {
  name: string;
  file: string;
  format: string;
  kerasVersion?: string;
  inputShape: (number | null)[];
  inputIsTokens: boolean;
  semantics: { kerasMajor: 2 | 3; hardSigmoid: string; decidedBy: string };
  layers: LayerInfo[];
  params: number;
  /** The file carries an input (and maybe Keras's own output for it). */
  hasInput: boolean;
  hasExpectedOutput: boolean;
  predictCalls: number;
}

const count = (t: { data: ArrayLike<number> } | null | undefined): number => t?.data.length ?? 0;

function recurrentParams(l: RecurrentLayer): number {
  return count(l.weights.kernel) + count(l.weights.recurrentKernel) + count(l.weights.bias);
}

function recurrentDetails(l: RecurrentLayer): string {
  const c = l.config;
  const acts = l.cell === 'simple_rnn' ? c.activation : `${c.activation}/${c.recurrentActivation}`;
  const flags = [
    c.returnSequences && 'return_sequences',
    c.returnState && 'return_state',
    c.goBackwards && 'go_backwards',
    c.stateful && 'stateful',
    !c.useBias && 'no bias',
    l.cell === 'gru' && `reset_after=${c.resetAfter}`,
  ].filter((f): f is string => typeof f === 'string');
  return [acts, ...flags].join(', ');
}

export function describeLayer(layer: Layer): LayerInfo {
  const base = { name: layer.name, kind: layer.kind };
  switch (layer.kind) {
    case 'recurrent':
      return {
        ...base,
        className: CELL_CLASS[layer.cell],
        units: layer.config.units,
        params: recurrentParams(layer),
        details: recurrentDetails(layer),
      };
    case 'bidirectional':
      return {
        ...base,
        className: `Bidirectional(${CELL_CLASS[layer.forward.cell]})`,
        units: layer.forward.config.units,
        params: recurrentParams(layer.forward) + recurrentParams(layer.backward),
        details: `merge_mode=${layer.mergeMode ?? 'none'}, ${recurrentDetails(layer.forward)}`,
      };
    case 'dense':
      return {
        ...base,
        className: layer.timeDistributed ? 'TimeDistributed(Dense)' : 'Dense',
        units: layer.units,
        params: count(layer.kernel) + count(layer.bias),
        details: layer.activation,
      };
    case 'embedding':
      return {
        ...base,
        className: 'Embedding',
        units: layer.outputDim,
        params: count(layer.embeddings),
        details: `vocabulary ${layer.inputDim}${layer.maskZero ? ', mask_zero' : ''}`,
      };
    case 'flatten':
      return { ...base, className: 'Flatten', params: 0, details: '' };
    case 'activation':
      return { ...base, className: 'Activation', params: 0, details: layer.activation };
    case 'pass_through':
      return { ...base, className: layer.className, params: 0, details: 'no effect at inference' };
  }
}

export function summarizeModel(loaded: {
  model: Model;
  input?: unknown;
  expectedOutput?: unknown;
  predictCalls?: number;
}): ModelSummaryInfo {
  const m = loaded.model;
  const layers = m.layers.map(describeLayer);
  return {
    name: m.name,
    file: m.source.file,
    format: m.source.format,
    ...(m.source.kerasVersion ? { kerasVersion: m.source.kerasVersion } : {}),
    inputShape: m.inputShape,
    inputIsTokens: m.inputIsTokens,
    semantics: { ...m.semantics },
    layers,
    params: layers.reduce((s, l) => s + l.params, 0),
    hasInput: loaded.input !== undefined,
    hasExpectedOutput: loaded.expectedOutput !== undefined,
    predictCalls: loaded.predictCalls ?? 1,
  };
}

const shape = (s: (number | null)[]): string => `(${s.map((d) => d ?? 'None').join(', ')})`;

export function semanticsText(s: ModelSummaryInfo['semantics']): string {
  return `Keras ${s.kerasMajor} semantics (hard_sigmoid ${s.hardSigmoid}; ${s.decidedBy})`;
}

/** One line for a notification: `model "x": Bidirectional(GRU) 8 → Dense 3 · 1,234 params · Keras 3 semantics`. */
export function summaryOneLine(s: ModelSummaryInfo): string {
  const layers = s.layers
    .filter((l) => l.kind !== 'pass_through')
    .map((l) => (l.units !== undefined ? `${l.className} ${l.units}` : l.className))
    .join(' → ');
  return `${s.file}: ${layers || 'no layers'} · ${s.params.toLocaleString('en-US')} params · Keras ${s.semantics.kerasMajor} semantics`;
}

/** Multi-line text for the output channel, in the spirit of Keras's `model.summary()`. */
export function summaryText(s: ModelSummaryInfo): string {
  const rows = s.layers.map((l) => [
    l.name,
    l.className,
    l.units !== undefined ? String(l.units) : '',
    l.params.toLocaleString('en-US'),
    l.details,
  ]);
  const head = ['layer', 'class', 'units', 'params', 'details'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [
    `Model "${s.name}" from ${s.file}`,
    `  format: ${s.format}${s.kerasVersion ? ` (keras_version ${s.kerasVersion})` : ''}`,
    `  input: ${shape(s.inputShape)}${s.inputIsTokens ? ' token ids' : ''}`,
    `  ${semanticsText(s.semantics)}`,
    '',
    '  ' + fmt(head),
    ...rows.map((r) => '  ' + fmt(r)),
    '',
    `  total params: ${s.params.toLocaleString('en-US')}`,
    `  sample input in file: ${s.hasInput ? 'yes' : 'no'}; Keras output in file: ${s.hasExpectedOutput ? 'yes' : 'no'}` +
      (s.predictCalls > 1 ? `; predict calls: ${s.predictCalls}` : ''),
  ].join('\n');
}
