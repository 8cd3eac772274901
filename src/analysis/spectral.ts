/**
 * Spectral radius of each recurrent gate block U_g: the [units, units] slice of a recurrent kernel that feeds gate g
 * (SimpleRNN one block, LSTM i/f/c/o, GRU z/r/h). ρ(U_g) > 1 lets the linearised recurrence of that block alone
 * grow; the gates and activation slopes scale it down, so what a run does is src/explain/dynamics's step Jacobian. Eigenvalues come from ml-matrix's EigenvalueDecomposition (Hessenberg
 * + QR, the JAMA algorithm), accurate to rounding for these sizes.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Model } from '../engine/model';
import type { FloatArray } from '../engine/tensor';
import { blockWeightName, weightBlocks } from '../engine/weight-stats';

export interface GateRadius {
  layer: string;
  /** `recurrent_kernel`, prefixed `forward/` or `backward/` inside a Bidirectional. */
  weight: string;
  gate: string;
  units: number;
  /** max |λ| over the block's eigenvalues; NaN when the block holds a NaN or ±Inf. */
  radius: number;
}

/** The [n, n] column block [c0, c0 + n) of a row-major [n, cols] array, as rows. */
export function columnBlock(data: FloatArray, n: number, cols: number, c0: number): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < n; r++) {
    const row = new Array<number>(n);
    for (let c = 0; c < n; c++) row[c] = data[r * cols + c0 + c]!;
    rows.push(row);
  }
  return rows;
}

/** max |λ| of a square matrix given as rows. */
export function spectralRadius(rows: number[][]): number {
  if (!rows.length) return 0;
  if (rows.some((r) => r.some((v) => !Number.isFinite(v)))) return NaN;
  const e = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: false });
  const re = e.realEigenvalues;
  const im = e.imaginaryEigenvalues;
  let m = 0;
  for (let k = 0; k < re.length; k++) m = Math.max(m, Math.hypot(re[k]!, im[k]!));
  return m;
}

/** Every recurrent gate block of the model (the blocks `weightBlocks` marks recurrent), in layer order. */
export function spectralRadii(model: Model): GateRadius[] {
  return weightBlocks(model)
    .filter((b) => b.recurrent)
    .map((b) => ({ layer: b.layer, weight: blockWeightName(b), gate: b.gate, units: b.c1 - b.c0, radius: spectralRadius(columnBlock(b.data, b.c1 - b.c0, b.cols, b.c0)) }));
}

/**
 * A short reading of ρ for users. It is a statistic of the weights only: in a gated cell the gates and the
 * activations' slopes scale U's effect down, so ρ > 1 is no verdict (a 100 %-accurate character LSTM has ρ ≈ 2).
 * Whether a run stretches or contracts its state is the step Jacobian's σ_t (`cellscope explain --dynamics`).
 */
export function radiusHint(radius: number): string {
  if (!Number.isFinite(radius)) return 'not finite: the block holds NaN or ±Inf';
  if (radius > 1) return '> 1 (a weight statistic, not a verdict: `cellscope explain --dynamics` shows whether the run stretches its state)';
  if (radius < 0.5) return '< 0.5 (small recurrent weights)';
  return '≤ 1';
}
