/**
 * The ε-rule of layer-wise relevance propagation for z_j = Σ_k a_k·w_kj + b_j, as Arras et al. (2017) write it
 * (their lrp_linear): input k receives Σ_j (a_k·w_kj + β·(b_j + ε·s_j)/N) / (z_j + ε·s_j) · R_j, s_j = sign(z_j),
 * N the number of inputs. With β = 0 (their default) the bias and the stabiliser keep their share: that is the
 * conservation error; with β = 1 every share reaches the inputs and Σ R_in = Σ R_out exactly.
 */
export interface RuleOptions {
  eps: number;
  /** β: the share of bias and stabiliser given back to the inputs (0 or 1). */
  biasFactor: number;
}

/** The stabilised denominator's reciprocal times the relevance, per output: f_j = R_j / (z_j + ε·s_j). */
export function ratios(z: ArrayLike<number>, zOff: number, R: ArrayLike<number>, rOff: number, m: number, eps: number, out: Float64Array): void {
  for (let j = 0; j < m; j++) {
    const zj = z[zOff + j]!;
    out[j] = R[rOff + j]! / (zj + (zj >= 0 ? eps : -eps));
  }
}

/**
 * R_in[k] += a_k · Σ_j w[k·cols + colOff + j]·f_j + β·Σ_j (b_j + ε·s_j)·f_j / N for the n inputs of one group (the
 * x part or the h part of a gate's product), `f` from `ratios`. `shared` is β·Σ_j(...)/N, the same for every input.
 */
export function spread(Rin: Float64Array, rinOff: number, a: ArrayLike<number>, aOff: number, n: number, W: Float64Array, cols: number, colOff: number, m: number, f: Float64Array, shared: number): void {
  for (let k = 0; k < n; k++) {
    const row = k * cols + colOff;
    let s = 0;
    for (let j = 0; j < m; j++) s += W[row + j]! * f[j]!;
    Rin[rinOff + k] = Rin[rinOff + k]! + a[aOff + k]! * s + shared;
  }
}

/** β·Σ_j (b_j + ε·s_j)·f_j / N: what every input gets of the bias and stabiliser. */
export function sharedPart(z: ArrayLike<number>, zOff: number, bias: ArrayLike<number> | null, bOff: number, m: number, f: Float64Array, n: number, o: RuleOptions): number {
  if (!o.biasFactor) return 0;
  let s = 0;
  for (let j = 0; j < m; j++) s += ((bias ? bias[bOff + j]! : 0) + (z[zOff + j]! >= 0 ? o.eps : -o.eps)) * f[j]!;
  return (o.biasFactor * s) / n;
}

/** Element-wise sums y_j = Σ_i t_ij (no weights): term i's share of R_j, with β's share split over the terms. */
export function splitSum(terms: ArrayLike<number>[], tOff: number[], y: ArrayLike<number>, yOff: number, R: ArrayLike<number>, rOff: number, m: number, o: RuleOptions, outs: Float64Array[], outOff: number[]): void {
  const n = terms.length;
  for (let j = 0; j < m; j++) {
    const yj = y[yOff + j]!;
    const s = yj >= 0 ? o.eps : -o.eps;
    const f = R[rOff + j]! / (yj + s);
    for (let i = 0; i < n; i++) outs[i]![outOff[i]! + j] += (terms[i]![tOff[i]! + j]! + (o.biasFactor * s) / n) * f;
  }
}
