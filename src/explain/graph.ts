/**
 * The layer calls explain walks backwards. A model may carry a graph of calls (`model.graph`, being introduced
 * beside this code); without one it is a chain, call i reading call i−1. Typed here by what explain reads, so the
 * walk works with either.
 */
import { stateNames, type Layer, type Model, type RecurrentLayer } from '../engine/model';

export type CallRef = { input: number } | { node: number; output: number };

export interface Call {
  /** Index into model.layers. */
  layer: number;
  inputs: CallRef[];
  /** Explicit masks (no gradient flows into them) or initial states (not differentiated yet). */
  masks?: unknown[];
  initialState?: unknown[];
}

export interface CallGraph {
  inputs: readonly unknown[];
  nodes: readonly Call[];
  outputs: readonly CallRef[];
}

function states(l: RecurrentLayer): number {
  return l.config.returnState ? stateNames(l).length : 0;
}

/** Outputs of one call: the output, Bidirectional merge_mode None's backward output, then return_state's states. */
function outputCount(layer: Layer): number {
  if (layer.kind === 'recurrent') return 1 + states(layer);
  if (layer.kind === 'bidirectional') return (layer.mergeMode === null ? 2 : 1) + 2 * states(layer.forward);
  return 1;
}

export function callGraph(model: Model): CallGraph {
  const own = (model as Model & { graph?: CallGraph }).graph;
  if (own) return own;
  const nodes: Call[] = model.layers.map((_, i) => ({ layer: i, inputs: [i === 0 ? { input: 0 } : { node: i - 1, output: 0 }] }));
  const last = model.layers.length - 1;
  const outputs: CallRef[] = last < 0 ? [{ input: 0 }] : Array.from({ length: outputCount(model.layers[last]!) }, (_, output) => ({ node: last, output }));
  return { inputs: [{}], nodes, outputs };
}
