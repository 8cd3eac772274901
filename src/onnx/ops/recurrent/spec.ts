/** The attributes of LSTM, GRU and RNN, read once at load as the ONNX spec defines them (opsets 7 – 22). */
import { CELL_KINDS, cellKindOfClass, type BuiltinCellKind } from '../../../engine/cells/kinds';
import { nodeError } from '../../attributes';
import type { OnnxNode } from '../types';
import { ActivationListError, resolveActivations, type RecurrentActivation } from './activations';

export type RecurrentKind = 'LSTM' | 'GRU' | 'RNN';

/** The engine's cell kind of each op (CELL_KINDS' ONNX class names). */
export const CELL_OF_OP = Object.fromEntries((['LSTM', 'GRU', 'RNN'] as const).map((op) => [op, cellKindOfClass('onnx', op)!])) as Record<RecurrentKind, BuiltinCellKind>;
/** Gate blocks in W, R and B, in ONNX's order (CELL_KINDS' layout.onnx): LSTM i, o, f, c; GRU z, r, h; RNN one. */
export const GATES = Object.fromEntries(Object.entries(CELL_OF_OP).map(([op, k]) => [op, CELL_KINDS[k].gates.length])) as Record<RecurrentKind, number>;

const DEFAULT_ACTIVATIONS: Record<RecurrentKind, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };

export interface RecurrentSpec {
  kind: RecurrentKind;
  hiddenSize: number | undefined;
  /** One entry per direction of the op, in its order (bidirectional: forward then reverse). */
  directions: ('forward' | 'reverse')[];
  /** 0: X [seq, batch, in], Y [seq, dirs, batch, H]; 1: X [batch, seq, in], Y [batch, seq, dirs, H]. */
  layout: 0 | 1;
  /** Per direction: LSTM f, g, h; GRU f, g; RNN f. */
  activations: RecurrentActivation[][];
  /** Bound on every activation's input, or undefined. */
  clip: number | undefined;
  /** LSTM: f = 1 − i. */
  inputForget: boolean;
  /** GRU: the reset gate scales (h·Rhᵀ + Rbh) instead of h. */
  linearBeforeReset: boolean;
}

export function readRecurrentSpec(node: OnnxNode, kind: RecurrentKind): RecurrentSpec {
  const a = node.attrs;
  const where = node.where;
  const direction = a.string('direction', 'forward');
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') {
    throw nodeError(where, 'direction "forward", "reverse" or "bidirectional"', `"${direction}"`, undefined, 'direction');
  }
  const directions: RecurrentSpec['directions'] = direction === 'bidirectional' ? ['forward', 'reverse'] : [direction];
  const layout = a.int('layout', 0);
  if (layout !== 0 && layout !== 1) throw nodeError(where, 'layout 0 or 1', String(layout), undefined, 'layout');
  const hidden = a.has('hidden_size') ? a.int('hidden_size', 0) : undefined;
  if (hidden !== undefined && !(hidden > 0)) throw nodeError(where, 'hidden_size ≥ 1', String(hidden), undefined, 'hidden_size');
  const clip = a.has('clip') ? a.float('clip', 0) : undefined;
  if (clip !== undefined && !(clip > 0)) throw nodeError(where, 'clip > 0', String(clip), undefined, 'clip');

  const perDirection = DEFAULT_ACTIVATIONS[kind].length;
  let names = a.strings('activations') ?? directions.flatMap(() => DEFAULT_ACTIVATIONS[kind]);
  // Like onnxruntime, a bidirectional op that lists one direction's activations uses them for both.
  if (directions.length === 2 && names.length === perDirection) names = [...names, ...names];
  if (names.length !== perDirection * directions.length) {
    throw nodeError(where, `${perDirection * directions.length} activations (${perDirection} per direction)`, `${names.length}: [${names.join(', ')}]`, undefined, 'activations');
  }
  let resolved: RecurrentActivation[];
  try {
    resolved = resolveActivations(names, a.floats('activation_alpha') ?? [], a.floats('activation_beta') ?? []);
  } catch (e) {
    if (e instanceof ActivationListError) throw nodeError(where, 'activations ONNX defines for recurrent operators', e.message, undefined, 'activations');
    throw e;
  }
  return {
    kind,
    hiddenSize: hidden,
    directions,
    layout,
    activations: directions.map((_, d) => resolved.slice(d * perDirection, (d + 1) * perDirection)),
    clip,
    inputForget: kind === 'LSTM' && a.int('input_forget', 0) !== 0,
    linearBeforeReset: kind === 'GRU' && a.int('linear_before_reset', 0) !== 0,
  };
}
