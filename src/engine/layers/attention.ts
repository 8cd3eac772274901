/**
 * Keras's dot-product and additive attention over sequences, inputs [query, value, key = value]:
 *   Attention (Luong):           s[i, j] = scale · q_i · k_j         (score_mode "dot")
 *                                s[i, j] = w · Σ tanh(scale · (q_i + k_j))   (score_mode "concat")
 *   AdditiveAttention (Bahdanau): s[i, j] = Σ_d scale_d · tanh(q_id + k_jd)
 * then s[i, j] −= 1e9 where value step j is masked (or j > i with use_causal_mask), a = softmax_j(s),
 * out_i = Σ_j a[i, j] · v_j, zeroed where query step i is masked; the output carries the query's mask.
 */
import { RunError } from '../errors';
import type { Tensor } from '../tensor';
import { rounding, shapeText } from '../tensor';
import { alloc, type Flow, type LayerContext } from './flow';

export interface AttentionLayer {
  kind: 'attention';
  name: string;
  additive: boolean;
  /** Attention: a scalar (use_scale); AdditiveAttention: [dim] (use_scale). */
  scale: Tensor | null;
  /** Attention score_mode "concat": its scalar weight; null for "dot". */
  concatScoreWeight: Tensor | null;
  causal: boolean;
}

const MASKED = 1e9;

export function applyAttention(layer: AttentionLayer, inputs: Flow[], ctx: LayerContext): Flow {
  if (inputs.length < 2 || inputs.length > 3) throw new RunError(`layer "${layer.name}" (attention) reads [query, value] or [query, value, key]; got ${inputs.length} tensors`);
  const q = inputs[0]!.value;
  const v = inputs[1]!.value;
  const k = (inputs[2] ?? inputs[1]!).value;
  const [batch, tq, dim] = q.shape as [number, number, number];
  const tv = v.shape[1]!;
  if (q.shape.length !== 3 || v.shape.length !== 3 || k.shape[2] !== dim || k.shape[1] !== tv || v.shape[0] !== batch) {
    throw new RunError(`layer "${layer.name}" needs query [batch, Tq, dim], value [batch, Tv, dv] and key [batch, Tv, dim]; got ${inputs.map((f) => shapeText(f.value.shape)).join(', ')}`);
  }
  const dv = v.shape[2]!;
  const qMask = inputs[0]!.mask;
  const vMask = inputs[1]!.mask;
  const r = rounding(ctx.precision);
  const scores = alloc(tv, ctx);
  const out = alloc(batch * tq * dv, ctx);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < tq; i++) {
      const qi = (b * tq + i) * dim;
      let max = -Infinity;
      for (let j = 0; j < tv; j++) {
        const kj = (b * tv + j) * dim;
        let s = 0;
        if (layer.additive) {
          for (let d = 0; d < dim; d++) s = r(s + r((layer.scale ? layer.scale.data[d]! : 1) * Math.tanh(r(q.data[qi + d]! + k.data[kj + d]!))));
        } else if (layer.concatScoreWeight) {
          const sc = layer.scale ? layer.scale.data[0]! : 1;
          for (let d = 0; d < dim; d++) s = r(s + Math.tanh(r(sc * r(q.data[qi + d]! + k.data[kj + d]!))));
          s = r(layer.concatScoreWeight.data[0]! * s);
        } else {
          for (let d = 0; d < dim; d++) s = r(s + r(q.data[qi + d]! * k.data[kj + d]!));
          if (layer.scale) s = r(s * layer.scale.data[0]!);
        }
        const masked = (vMask && vMask[b * tv + j] === 0) || (layer.causal && j > i);
        scores[j] = masked ? r(s - MASKED) : s;
        max = Math.max(max, scores[j]!);
      }
      let sum = 0;
      for (let j = 0; j < tv; j++) {
        scores[j] = Math.exp(scores[j]! - max);
        sum += scores[j]!;
      }
      for (let j = 0; j < tv; j++) scores[j] = scores[j]! / sum;
      const keep = qMask ? qMask[b * tq + i]! : 1;
      const o = (b * tq + i) * dv;
      for (let j = 0; j < tv; j++) {
        const a = scores[j]!;
        const vj = (b * tv + j) * dv;
        for (let d = 0; d < dv; d++) out[o + d] = out[o + d]! + a * v.data[vj + d]!;
      }
      if (!keep) out.fill(0, o, o + dv);
    }
  }
  return { value: { shape: [batch, tq, dv], data: out }, mask: qMask };
}
