/**
 * Dot and the attention layers backwards (src/engine/layers/dot.ts, attention.ts).
 * Dot: out[n, i, j] = Σ_c â[n, i, c] · b̂[n, j, c] (the contracted axis last; normalize: â = a / ‖a‖), so
 *   dâ = dy · b̂, db̂ = dyᵀ · â, and through the normalization da = (dâ − â ⟨dâ, â⟩) / ‖a‖.
 * Attention: out_i = Σ_j a_ij v_j, a_i = softmax(s_i) (masked scores shifted by a constant: same derivative):
 *   dv_j += a_ij · dout_i, ds_ij = a_ij (⟨dout_i, v_j⟩ − Σ_j' a_ij' ⟨dout_i, v_j'⟩), then each score's partials
 *   (dot: scale · k_j and scale · q_i; additive and concat: through tanh). A masked query step's output was zeroed:
 *   no gradient from it. Without a key input the key is the value: both gradients add into it.
 */
import type { AttentionLayer } from '../../engine/layers/attention';
import type { DotLayer } from '../../engine/layers/dot';
import type { Tensor } from '../../engine/tensor';

/** Where element (n, r, c) of the [batch, rest, k] view (contracted axis last) sits in x. */
function viewIndex(x: Tensor, axis: number): { rest: number; k: number; at: (n: number, r: number, c: number) => number } {
  const k = x.shape[axis]!;
  const rest = x.data.length / x.shape[0]! / k;
  const moved = x.shape.length === 3 && axis === 1;
  return { rest, k, at: (n, r, c) => (moved ? (n * k + c) * rest + r : (n * rest + r) * k + c) };
}

export function dotBackward(layer: DotLayer, x: Tensor, y: Tensor, dy: Float64Array): [Float64Array, Float64Array] {
  const batch = x.shape[0]!;
  const va = viewIndex(x, layer.axes[0]);
  const vb = viewIndex(y, layer.axes[1]);
  const k = va.k;
  const view = (t: Tensor, v: typeof va) => {
    const raw = new Float64Array(batch * v.rest * k);
    for (let n = 0; n < batch; n++) for (let r = 0; r < v.rest; r++) for (let c = 0; c < k; c++) raw[(n * v.rest + r) * k + c] = t.data[v.at(n, r, c)]!;
    const inv = new Float64Array(batch * v.rest).fill(1);
    if (layer.normalize) {
      for (let row = 0; row < inv.length; row++) {
        let sq = 0;
        for (let c = 0; c < k; c++) sq += raw[row * k + c]! ** 2;
        inv[row] = 1 / Math.sqrt(Math.max(sq, 1e-12));
      }
    }
    const hat = raw.map((val, i) => val * inv[Math.floor(i / k)]!);
    return { hat, inv, clamped: (row: number) => inv[row] === 1e6 };
  };
  const A = view(x, va);
  const B = view(y, vb);
  const dA = new Float64Array(A.hat.length);
  const dB = new Float64Array(B.hat.length);
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < va.rest; i++) {
      for (let j = 0; j < vb.rest; j++) {
        const g = dy[(n * va.rest + i) * vb.rest + j]!;
        if (g === 0) continue;
        const ai = (n * va.rest + i) * k;
        const bj = (n * vb.rest + j) * k;
        for (let c = 0; c < k; c++) {
          dA[ai + c] += g * B.hat[bj + c]!;
          dB[bj + c] += g * A.hat[ai + c]!;
        }
      }
    }
  }
  const back = (t: Tensor, v: typeof va, V: typeof A, dHat: Float64Array): Float64Array => {
    const dx = new Float64Array(t.data.length);
    for (let n = 0; n < batch; n++) {
      for (let r = 0; r < v.rest; r++) {
        const row = n * v.rest + r;
        let dot = 0;
        if (layer.normalize && !V.clamped(row)) for (let c = 0; c < k; c++) dot += dHat[row * k + c]! * V.hat[row * k + c]!;
        for (let c = 0; c < k; c++) dx[v.at(n, r, c)] = V.inv[row]! * (dHat[row * k + c]! - V.hat[row * k + c]! * dot);
      }
    }
    return dx;
  };
  return [back(x, va, A, dA), back(y, vb, B, dB)];
}

export function attentionBackward(layer: AttentionLayer, ins: readonly Tensor[], masks: readonly (Uint8Array | null)[], dy: Float64Array): Float64Array[] {
  const q = ins[0]!;
  const v = ins[1]!;
  const k = ins[2] ?? v;
  const [batch, tq, dim] = q.shape as [number, number, number];
  const tv = v.shape[1]!;
  const dv = v.shape[2]!;
  const qMask = masks[0] ?? null;
  const vMask = masks[1] ?? null;
  const dq = new Float64Array(q.data.length);
  const dV = new Float64Array(v.data.length);
  const dk = new Float64Array(k.data.length);
  const s = new Float64Array(tv);
  const a = new Float64Array(tv);
  const da = new Float64Array(tv);
  const sc = layer.scale ? layer.scale.data : null;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < tq; i++) {
      if (qMask && !qMask[b * tq + i]) continue;
      const qi = (b * tq + i) * dim;
      const o = (b * tq + i) * dv;
      let max = -Infinity;
      for (let j = 0; j < tv; j++) {
        const kj = (b * tv + j) * dim;
        let sum = 0;
        if (layer.additive) for (let d = 0; d < dim; d++) sum += (sc ? sc[d]! : 1) * Math.tanh(q.data[qi + d]! + k.data[kj + d]!);
        else if (layer.concatScoreWeight) {
          for (let d = 0; d < dim; d++) sum += Math.tanh((sc ? sc[0]! : 1) * (q.data[qi + d]! + k.data[kj + d]!));
          sum *= layer.concatScoreWeight.data[0]!;
        } else {
          for (let d = 0; d < dim; d++) sum += q.data[qi + d]! * k.data[kj + d]!;
          if (sc) sum *= sc[0]!;
        }
        const masked = (vMask && vMask[b * tv + j] === 0) || (layer.causal && j > i);
        s[j] = masked ? sum - 1e9 : sum;
        max = Math.max(max, s[j]!);
      }
      let total = 0;
      for (let j = 0; j < tv; j++) total += (a[j] = Math.exp(s[j]! - max));
      let mean = 0;
      for (let j = 0; j < tv; j++) {
        a[j] = a[j]! / total;
        const vj = (b * tv + j) * dv;
        let g = 0;
        for (let d = 0; d < dv; d++) {
          dV[vj + d] += a[j]! * dy[o + d]!;
          g += dy[o + d]! * v.data[vj + d]!;
        }
        da[j] = g;
        mean += a[j]! * g;
      }
      for (let j = 0; j < tv; j++) {
        const ds = a[j]! * (da[j]! - mean);
        if (ds === 0) continue;
        const kj = (b * tv + j) * dim;
        for (let d = 0; d < dim; d++) {
          let pq: number;
          let pk: number;
          if (layer.additive) {
            const t = Math.tanh(q.data[qi + d]! + k.data[kj + d]!);
            pq = pk = (sc ? sc[d]! : 1) * (1 - t * t);
          } else if (layer.concatScoreWeight) {
            const c = sc ? sc[0]! : 1;
            const t = Math.tanh(c * (q.data[qi + d]! + k.data[kj + d]!));
            pq = pk = layer.concatScoreWeight.data[0]! * c * (1 - t * t);
          } else {
            pq = (sc ? sc[0]! : 1) * k.data[kj + d]!;
            pk = (sc ? sc[0]! : 1) * q.data[qi + d]!;
          }
          dq[qi + d] += ds * pq;
          dk[kj + d] += ds * pk;
        }
      }
    }
  }
  if (ins.length < 3) {
    for (let i = 0; i < dV.length; i++) dV[i] += dk[i]!;
    return [dq, dV];
  }
  return [dq, dV, dk];
}
