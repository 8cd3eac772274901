/**
 * A token model's predictions: the top-k next tokens of every step (with their probabilities), read from the run's
 * output — the panel never runs the head itself. Whether the output already is a distribution is decided from the
 * layer that makes it: a softmax head gives probabilities as they are; a linear head gives logits, which are turned
 * into probabilities with a softmax here (and the panel says so); log_softmax is exponentiated. Any other head
 * (sigmoid, tanh, relu…) does not give a distribution over the vocabulary: no predictions, and the reason.
 */
import { graphOf, type GraphNode, type Model, type TensorRef } from '../engine/model';
import type { Tensor } from '../engine/tensor';

/** How the output's scores become probabilities. */
export type ScoreKind = 'probabilities' | 'logits' | 'log-probabilities';

export interface OutputHead {
  kind: ScoreKind;
  /** The layer whose activation decided it (for the panel's note). */
  layer: string;
  activation: string;
}

/** The layer that makes the model's (first) output, looking through pass-through layers, and what its scores are; a reason when they are no distribution. */
export function outputHead(model: Model): OutputHead | { reason: string } {
  const g = graphOf(model);
  let ref: TensorRef | undefined = g.outputs[0];
  let activation: string | null = null;
  let named = '';
  while (ref && 'node' in ref && activation === null) {
    const node: GraphNode = g.nodes[ref.node]!;
    const layer = model.layers[node.layer]!;
    // Dropout & co. and a linear Activation layer change nothing: the layer before them decides.
    if (layer.kind === 'pass_through' || (layer.kind === 'activation' && layer.activation === 'linear')) ref = node.inputs[0];
    else if (layer.kind === 'activation' || layer.kind === 'dense') [activation, named] = [layer.activation, layer.name];
    else return { reason: `the output comes from ${layer.name} (${layer.kind}), not a Dense or Activation head` };
  }
  if (activation === null) return { reason: 'the model has no output layer' };
  const kind: ScoreKind | null = activation === 'softmax' ? 'probabilities' : activation === 'linear' ? 'logits' : activation === 'log_softmax' ? 'log-probabilities' : null;
  if (!kind) return { reason: `the head ${named} has activation ${activation}: its outputs are no distribution over the vocabulary` };
  return { kind, layer: named, activation };
}

export interface TopK {
  k: number;
  batch: number;
  /** Steps with a prediction: the output's time axis, or 1 for an output without one (the prediction after the last step). */
  steps: number;
  /** ids[(b·steps + t)·k + r]: the r-th most likely token id; probs alike. */
  ids: Int32Array;
  probs: Float32Array;
}

/**
 * Top-k of every (batch item, step) of an output [batch, steps, V] or [batch, V], V the vocabulary size: probabilities
 * from the scores as `kind` says (softmax computed in float64, largest score subtracted first). Ties keep the lower id.
 */
export function topKPredictions(output: Tensor, vocabularySize: number, kind: ScoreKind, k: number): TopK | null {
  const shape = output.shape;
  const V = shape[shape.length - 1];
  if (V !== vocabularySize || (shape.length !== 2 && shape.length !== 3)) return null;
  const batch = shape[0]!;
  const steps = shape.length === 3 ? shape[1]! : 1;
  const K = Math.max(1, Math.min(k, V));
  const ids = new Int32Array(batch * steps * K);
  const probs = new Float32Array(batch * steps * K);
  const p = new Float64Array(V);
  const d = output.data;
  for (let r = 0; r < batch * steps; r++) {
    const o = r * V;
    if (kind === 'logits') {
      let max = -Infinity;
      for (let i = 0; i < V; i++) max = Math.max(max, d[o + i]!);
      let sum = 0;
      for (let i = 0; i < V; i++) sum += p[i] = Math.exp(d[o + i]! - max);
      for (let i = 0; i < V; i++) p[i]! /= sum;
    } else if (kind === 'log-probabilities') for (let i = 0; i < V; i++) p[i] = Math.exp(d[o + i]!);
    else for (let i = 0; i < V; i++) p[i] = d[o + i]!;
    // k is small (≤ 10): insertion into a sorted list of k beats sorting V scores.
    const at = r * K;
    let n = 0;
    for (let i = 0; i < V; i++) {
      const x = p[i]!;
      if (n === K && !(x > probs[at + K - 1]!)) continue;
      let j = Math.min(n, K - 1);
      while (j > 0 && x > probs[at + j - 1]!) {
        probs[at + j] = probs[at + j - 1]!;
        ids[at + j] = ids[at + j - 1]!;
        j--;
      }
      probs[at + j] = x;
      ids[at + j] = i;
      if (n < K) n++;
    }
  }
  return { k: K, batch, steps, ids, probs };
}


/** A token as the panel shows it: a newline, space or tab visible. */
export function tokenText(token: string): string {
  return token === '\n' ? '↵' : token === ' ' ? '␣' : token === '\t' ? '⇥' : token;
}

/** What names output unit k besides its number: a token model's head scores one token per unit, so unit k is token k (` “e”`; '' otherwise). */
export function outputUnitToken(k: number, vocabulary: readonly string[] | null, scoresTokens: boolean): string {
  const token = scoresTokens ? vocabulary?.[k] : undefined;
  return token === undefined ? '' : ` “${tokenText(token)}”`;
}
