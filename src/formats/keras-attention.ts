/** Attention (Luong, score_mode dot/concat) and AdditiveAttention (Bahdanau) → the engine's attention layer. */
import type { Layer } from '../engine/model';
import { shapeText } from '../engine/tensor';
import { child, fail, readBool } from './json-read';
import { readChoice } from './keras-layer-args';
import type { LayerHeader } from './keras-layer-json';
import type { Converted, Flow } from './keras-recurrent';
import type { WeightCursor } from './weights';

export const ATTENTION_CLASSES = ['Attention', 'AdditiveAttention'];

export function convertAttention(h: LayerHeader, flows: Flow[], weights: WeightCursor, kwargs: Record<string, unknown>): Converted<Layer> {
  if (flows.length < 2 || flows.length > 3) {
    fail(h.at, `[query, value] or [query, value, key] for ${h.className} layer "${h.name}"`, `${flows.length} input tensor(s)`, { subject: `layer "${h.name}"` });
  }
  if (kwargs.return_attention_scores === true) {
    fail(h.at, `return_attention_scores false for layer "${h.name}"`, 'true', { subject: `layer "${h.name}"`, hint: 'the attention scores as a second output are not supported; call the layer without them' });
  }
  const additive = h.className === 'AdditiveAttention';
  const q = flows[0]!.dims;
  const dim = q && q.length === 2 ? q[1]! : null;
  if (q && q.length !== 2) fail(h.at, `a query sequence (time steps, features) for layer "${h.name}"`, `shape ${shapeText(q)} (${flows[0]!.from})`, { subject: `layer "${h.name}"` });
  const useScale = readBool(h.config.use_scale, child(h.configAt, 'use_scale'), additive);
  const mode = additive ? 'dot' : readChoice(h, 'score_mode', ['dot', 'concat'] as const, 'dot');
  const scale = useScale ? weights.take({ layer: h.name, role: 'scale', shape: additive ? [dim] : [], because: additive ? `[${dim ?? 'any number of'} query features]` : 'a scalar' }) : null;
  const concatScoreWeight = mode === 'concat' ? weights.take({ layer: h.name, role: 'concat_score_weight', shape: [], because: 'a scalar' }) : null;
  const causal = kwargs.use_causal_mask === true || h.config.causal === true;
  const v = flows[1]!.dims;
  const dims = q && v ? [q[0]!, v[v.length - 1]!] : null;
  return { layer: { kind: 'attention', name: h.name, additive, scale, concatScoreWeight, causal }, out: { dims, from: `the output of layer "${h.name}"` }, consumed: q ?? [] };
}
