/** Attention (Luong, score_mode dot/concat) and AdditiveAttention (Bahdanau) → the engine's attention layer. */
import type { Layer } from '../engine/model';
import { shapeText } from '../engine/tensor';
import { child, fail, readBool, readPositiveInt } from './json-read';
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

/** MultiHeadAttention: query/key/value/output projections ([dim, heads, size] kernels), masks from the inputs. */
export function convertMultiHeadAttention(h: LayerHeader, flows: Flow[], weights: WeightCursor, kwargs: Record<string, unknown>): Converted<Layer> {
  if (flows.length < 2 || flows.length > 3) fail(h.at, `query and value (and optionally key) for MultiHeadAttention layer "${h.name}"`, `${flows.length} input tensor(s)`, { subject: `layer "${h.name}"` });
  for (const key of ['return_attention_scores', 'attention_mask']) {
    if (kwargs[key] !== undefined && kwargs[key] !== null && kwargs[key] !== false) {
      fail(h.at, `no ${key} for layer "${h.name}"`, JSON.stringify(kwargs[key]).slice(0, 80), { subject: `layer "${h.name}"`, hint: key === 'attention_mask' ? 'an explicit attention_mask tensor is not supported; masks from Embedding/Masking are' : 'the scores as a second output are not supported' });
    }
  }
  const at = (k: string) => child(h.configAt, k);
  const heads = readPositiveInt(h.config.num_heads, at('num_heads'), 'the number of heads (a positive integer)');
  const keyDim = readPositiveInt(h.config.key_dim, at('key_dim'), 'key_dim (a positive integer)');
  const valueDim = h.config.value_dim === null || h.config.value_dim === undefined ? keyDim : readPositiveInt(h.config.value_dim, at('value_dim'));
  const useBias = readBool(h.config.use_bias, at('use_bias'), true);
  if (h.config.output_shape !== null && h.config.output_shape !== undefined) fail(at('output_shape'), `output_shape null for layer "${h.name}"`, JSON.stringify(h.config.output_shape), { subject: `layer "${h.name}"` });
  const last = (f: Flow | undefined) => (f?.dims ? f.dims[f.dims.length - 1]! : null);
  const dq = last(flows[0]);
  const dv = last(flows[1]);
  const dk = flows[2] ? last(flows[2]) : dv;
  const proj = (role: string, dim: number | null, size: number) => ({
    kernel: weights.take({ layer: `${h.name}/${role}`, role: 'kernel', shape: [dim, heads, size], because: `[${dim ?? 'any number of'} features, ${heads} heads, ${size}]` }),
    bias: useBias ? weights.take({ layer: `${h.name}/${role}`, role: 'bias', shape: [heads, size], because: `[${heads} heads, ${size}]` }) : null,
  });
  const query = proj('query', dq, keyDim);
  const key = proj('key', dk, keyDim);
  const value = proj('value', dv, valueDim);
  const outKernel = weights.take({ layer: `${h.name}/output`, role: 'kernel', shape: [heads, valueDim, dq], because: `[${heads} heads, ${valueDim}, ${dq ?? 'the query size'}]` });
  const outDim = outKernel.shape[2]!;
  const output = { kernel: outKernel, bias: useBias ? weights.take({ layer: `${h.name}/output`, role: 'bias', shape: [outDim], because: `[${outDim}]` }) : null };
  const causal = kwargs.use_causal_mask === true;
  const q = flows[0]!.dims;
  return {
    layer: { kind: 'multi_head_attention', name: h.name, heads, keyDim, valueDim, causal, query, key, value, output },
    out: { dims: q ? [q[0]!, outDim] : null, from: `the output of layer "${h.name}"` },
    consumed: q ?? [],
  };
}
