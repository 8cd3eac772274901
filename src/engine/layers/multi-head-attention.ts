/**
 * Keras MultiHeadAttention (inputs [query, value, key = value]), per head h:
 *   Q = (query·Wq + bq) / √key_dim,  K = key·Wk + bk,  V = value·Wv + bv        ([T, heads, dim] einsum projections)
 *   s[h, i, j] = Q[i, h]·K[j, h], replaced by −1e9 where the attention mask is 0, a = softmax_j(s) set to 0 there,
 *   O[i, h] = Σ_j a[h, i, j] · V[j, h],  out[i] = Σ_h O[i, h]·Wo[h] + bo
 * The attention mask (Keras 3.15) keeps (i, j) when query step i is real, value and key step j are real (each
 * tensor's mask), and j ≤ i with use_causal_mask; a padded query step (a row masked entirely) attends to every value
 * step equally. The call deletes its inputs' masks and its output has none (Keras 3.15's behaviour).
 */
import { RunError } from '../errors';
import type { Tensor } from '../tensor';
import { rounding, shapeText } from '../tensor';
import { alloc, type Flow, type LayerContext } from './flow';

export interface MultiHeadAttentionLayer {
  kind: 'multi_head_attention';
  name: string;
  heads: number;
  keyDim: number;
  valueDim: number;
  causal: boolean;
  /** [dim_q, heads, key_dim] and [heads, key_dim]; key: [dim_k, heads, key_dim]; value: [dim_v, heads, value_dim]. */
  query: { kernel: Tensor; bias: Tensor | null };
  key: { kernel: Tensor; bias: Tensor | null };
  value: { kernel: Tensor; bias: Tensor | null };
  /** [heads, value_dim, out_dim] and [out_dim]. */
  output: { kernel: Tensor; bias: Tensor | null };
}

/** x [B, T, D] · W [D, H·E] + b → [B, T, H·E] in the run's precision. */
function project(x: Tensor, w: { kernel: Tensor; bias: Tensor | null }, ctx: LayerContext): Float32Array | Float64Array {
  const [B, T, D] = x.shape as [number, number, number];
  const n = w.kernel.data.length / D;
  const out = alloc(B * T * n, ctx);
  for (let r = 0; r < B * T; r++) {
    for (let d = 0; d < D; d++) {
      const xv = x.data[r * D + d]!;
      for (let k = 0; k < n; k++) out[r * n + k] = out[r * n + k]! + xv * w.kernel.data[d * n + k]!;
    }
    if (w.bias) for (let k = 0; k < n; k++) out[r * n + k] = out[r * n + k]! + w.bias.data[k]!;
  }
  return out;
}

export function applyMultiHeadAttention(layer: MultiHeadAttentionLayer, inputs: Flow[], ctx: LayerContext): Flow {
  if (inputs.length < 2 || inputs.length > 3) throw new RunError(`layer "${layer.name}" (MultiHeadAttention) reads query, value and optionally key; got ${inputs.length} tensors`);
  const q = inputs[0]!.value;
  const v = inputs[1]!.value;
  const k = (inputs[2] ?? inputs[1]!).value;
  if (q.shape.length !== 3 || v.shape.length !== 3 || k.shape.length !== 3) {
    throw new RunError(`layer "${layer.name}" (MultiHeadAttention) needs 3-D query, value and key; got ${inputs.map((f) => shapeText(f.value.shape)).join(', ')}`);
  }
  const [B, Tq] = q.shape as [number, number];
  const Tv = v.shape[1]!;
  const { heads: H, keyDim: E, valueDim: F } = layer;
  const r = rounding(ctx.precision);
  const Q = project(q, layer.query, ctx);
  const scale = r(1 / Math.sqrt(E));
  for (let i = 0; i < Q.length; i++) Q[i] = Q[i]! * scale;
  const K = project(k, layer.key, ctx);
  const V = project(v, layer.value, ctx);
  const qMask = inputs[0]!.mask;
  const vMask = inputs[1]!.mask;
  const kMask = inputs[2] ? inputs[2].mask : null;
  // Keras 3.15's call deletes the masks of the tensors it reads (`set_keras_mask(query/value/key, None)`): a later
  // layer reading the same tensors sees no mask.
  for (const f of inputs) f.mask = null;
  const O = alloc(B * Tq * H * F, ctx);
  const s = alloc(Tv, ctx);
  const kept = new Uint8Array(Tv);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < Tq; i++) {
        let max = -Infinity;
        for (let j = 0; j < Tv; j++) {
          let acc = 0;
          for (let e = 0; e < E; e++) acc = r(acc + r(Q[((b * Tq + i) * H + h) * E + e]! * K[((b * Tv + j) * H + h) * E + e]!));
          const keep = (!qMask || qMask[b * Tq + i]) && (!vMask || vMask[b * Tv + j]) && (!kMask || kMask[b * Tv + j]) && (!layer.causal || j <= i);
          s[j] = keep ? acc : -1e9;
          // Keras zeroes masked weights, except on a row masked entirely (a padded query step), where the equal
          // -1e9 scores give every value step the same weight.
          kept[j] = keep || (qMask && !qMask[b * Tq + i]) ? 1 : 0;
          max = Math.max(max, s[j]!);
        }
        let sum = 0;
        for (let j = 0; j < Tv; j++) {
          s[j] = Math.exp(s[j]! - max);
          sum += s[j]!;
        }
        const o = ((b * Tq + i) * H + h) * F;
        for (let j = 0; j < Tv; j++) {
          const a = kept[j] ? r(s[j]! / sum) : 0;
          for (let f = 0; f < F; f++) O[o + f] = O[o + f]! + a * V[((b * Tv + j) * H + h) * F + f]!;
        }
      }
    }
  }
  const out = project({ shape: [B, Tq, H * F], data: O }, layer.output, ctx);
  const D = out.length / (B * Tq);
  // The output mask Keras computes after the call reads the query's mask, which the call deleted: none.
  return { value: { shape: [B, Tq, D], data: out }, mask: null };
}
