/**
 * MultiHeadAttention backwards (src/engine/layers/multi-head-attention.ts). With Q = (query·Wq + bq)/√E, K, V the
 * projections, a = softmax_j(Q_i·K_j) zeroed where the attention mask drops (i, j), O_i = Σ_j a_ij V_j and
 * out = O·Wo + bo: dO = dy·Woᵀ, dV_j += a_ij dO_i, da_ij = ⟨dO_i, V_j⟩, ds_ij = p_ij (da_ij·kept − Σ_j' p_ij' da_ij'·kept')
 * only where the score was computed (a masked score is the constant −1e9), dQ_i += ds_ij K_j / √E, dK_j += ds_ij Q_i;
 * the inputs' gradients through the projections' kernels. Without a key input the key is the value: both add into it.
 */
import type { MultiHeadAttentionLayer } from '../../engine/layers/multi-head-attention';
import type { Tensor } from '../../engine/tensor';

type Projection = MultiHeadAttentionLayer['query'];

function project(x: Tensor, w: Projection): Float64Array {
  const D = x.shape[2]!;
  const rows = x.data.length / D;
  const n = w.kernel.data.length / D;
  const out = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < D; d++) {
      const xv = x.data[r * D + d]!;
      for (let k = 0; k < n; k++) out[r * n + k] += xv * w.kernel.data[d * n + k]!;
    }
    if (w.bias) for (let k = 0; k < n; k++) out[r * n + k] += w.bias.data[k]!;
  }
  return out;
}

/** dx = dY·Wᵀ for a projection of an input of D features per row. */
function projectBack(dY: Float64Array, w: Projection, D: number): Float64Array {
  const n = w.kernel.data.length / D;
  const rows = dY.length / n;
  const dx = new Float64Array(rows * D);
  for (let r = 0; r < rows; r++) for (let d = 0; d < D; d++) {
    let acc = 0;
    for (let k = 0; k < n; k++) acc += dY[r * n + k]! * w.kernel.data[d * n + k]!;
    dx[r * D + d] = acc;
  }
  return dx;
}

export function multiHeadAttentionBackward(layer: MultiHeadAttentionLayer, ins: readonly Tensor[], masks: readonly (Uint8Array | null)[], dy: Float64Array): Float64Array[] {
  const q = ins[0]!;
  const v = ins[1]!;
  const k = ins[2] ?? v;
  const [B, Tq] = q.shape as [number, number];
  const Tv = v.shape[1]!;
  const { heads: H, keyDim: E, valueDim: F } = layer;
  const scale = 1 / Math.sqrt(E);
  const Q = project(q, layer.query).map((x) => x * scale);
  const K = project(k, layer.key);
  const V = project(v, layer.value);
  const qMask = masks[0] ?? null;
  const vMask = masks[1] ?? null;
  const kMask = ins[2] ? (masks[2] ?? null) : null;
  const dO = projectBack(dy, layer.output, H * F);
  const dQ = new Float64Array(Q.length);
  const dK = new Float64Array(K.length);
  const dV = new Float64Array(V.length);
  const s = new Float64Array(Tv);
  const keep = new Uint8Array(Tv);
  const kept = new Uint8Array(Tv);
  const dp = new Float64Array(Tv);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let i = 0; i < Tq; i++) {
    const qi = ((b * Tq + i) * H + h) * E;
    const o = ((b * Tq + i) * H + h) * F;
    let max = -Infinity;
    for (let j = 0; j < Tv; j++) {
      const kj = ((b * Tv + j) * H + h) * E;
      let acc = 0;
      for (let e = 0; e < E; e++) acc += Q[qi + e]! * K[kj + e]!;
      keep[j] = (!qMask || qMask[b * Tq + i]) && (!vMask || vMask[b * Tv + j]) && (!kMask || kMask[b * Tv + j]) && (!layer.causal || j <= i) ? 1 : 0;
      s[j] = keep[j] ? acc : -1e9;
      kept[j] = keep[j] || (qMask && !qMask[b * Tq + i]) ? 1 : 0;
      max = Math.max(max, s[j]!);
    }
    let sum = 0;
    for (let j = 0; j < Tv; j++) sum += (s[j] = Math.exp(s[j]! - max));
    let mean = 0;
    for (let j = 0; j < Tv; j++) {
      const p = (s[j] = s[j]! / sum);
      if (!kept[j]) {
        dp[j] = 0;
        continue;
      }
      const vj = ((b * Tv + j) * H + h) * F;
      let g = 0;
      for (let f = 0; f < F; f++) {
        dV[vj + f] += p * dO[o + f]!;
        g += dO[o + f]! * V[vj + f]!;
      }
      dp[j] = g;
      mean += p * g;
    }
    for (let j = 0; j < Tv; j++) {
      if (!keep[j]) continue;
      const ds = s[j]! * (dp[j]! - mean);
      const kj = ((b * Tv + j) * H + h) * E;
      for (let e = 0; e < E; e++) {
        dQ[qi + e] += ds * K[kj + e]!;
        dK[kj + e] += ds * Q[qi + e]!;
      }
    }
  }
  for (let x = 0; x < dQ.length; x++) dQ[x] = dQ[x]! * scale;
  const dq = projectBack(dQ, layer.query, q.shape[2]!);
  const dv = projectBack(dV, layer.value, v.shape[2]!);
  const dk = projectBack(dK, layer.key, k.shape[2]!);
  if (!ins[2]) {
    for (let x = 0; x < dv.length; x++) dv[x] += dk[x]!;
    return [dq, dv];
  }
  return [dq, dv, dk];
}
