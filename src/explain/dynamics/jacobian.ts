/**
 * The step Jacobian J_t = ∂s_t/∂s_{t−1} of a recurrent layer, s the concatenated states (h, and c for LSTM), and
 * its largest singular value σ_t: > 1 the step can stretch a state difference (and a gradient flowing back through
 * it), < 1 it contracts. J_t's rows are vector-Jacobian products of one backward cell step (cells/), so it is exact;
 * σ_t comes from ml-matrix's SVD (n ≤ 64) or power iteration on J_tᵀJ_t. Padding steps copy the states (J = I, σ = 1).
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import type { RecurrentLayer } from '../../engine/model';
import type { LayerTrace } from '../../engine/trace';
import { cellBackward, type BackwardContext, type StepValues } from '../cells';
import { stateQuantities } from '../cells/cell';

/** σ_max by ml-matrix's SVD: exact, for the small Jacobians (n ≤ 64: well under a millisecond). */
function svdLargest(A: Float64Array, n: number): number {
  const M = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M.set(i, j, A[i * n + j]!);
  return new SingularValueDecomposition(M, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal[0]!;
}

/** Largest singular value of a dense n×n matrix (row-major) by power iteration on AᵀA (wide layers: O(n²) a round). */
export function largestSingularValue(A: Float64Array, n: number, iterations = 60): number {
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  const w = new Float64Array(n);
  let sigma = 0;
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j]! * v[j]!;
      w[i] = s;
    }
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = w[i]!;
      if (a !== 0) for (let j = 0; j < n; j++) next[j] += A[i * n + j]! * a;
    }
    let norm = 0;
    for (let j = 0; j < n; j++) norm += next[j]! * next[j]!;
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    const s = Math.sqrt(norm);
    if (Math.abs(s - sigma) <= 1e-12 * s) return s;
    sigma = s;
    for (let j = 0; j < n; j++) next[j] = next[j]! / norm;
    v = next;
  }
  return sigma;
}

/**
 * σ_t for every `stride`-th processing step of batch item b (others NaN), indexed by input time. `initial`: the
 * states the run started from (null: zeros).
 */
export function stepJacobianNorms(layer: RecurrentLayer, lt: LayerTrace, b: number, ctx: BackwardContext, x: Float64Array | null, initial: Float64Array[] | null, stride = 1): Float64Array {
  const cell = cellBackward(layer, ctx);
  const u = lt.units;
  const nS = cell.stateNames.length;
  const n = nS * u;
  const sq = stateQuantities(lt, cell.stateNames);
  const rows = sq.map((q) => lt.values[q]!);
  const zeros = new Float64Array(lt.batch * u);
  const init = sq.map((_, k) => initial?.[k] ?? zeros);
  const out = new Float64Array(lt.steps).fill(NaN);
  const J = new Float64Array(n * n);
  const dStates = sq.map(() => new Float64Array(u));
  const dOut = new Float64Array(u);
  const dx = new Float64Array(cell.features);
  for (let s = 0; s < lt.steps; s += stride) {
    const t = lt.inputTimeOfStep[s]!;
    if (lt.masked?.[b * lt.steps + s]) {
      out[t] = 1;
      continue;
    }
    const at = (b * lt.steps + s) * u;
    const v: StepValues = s > 0 ? { values: lt.values, at, prev: rows, prevOff: at - u, x: x ?? new Float64Array(0), xOff: (b * lt.steps + t) * cell.features } : { values: lt.values, at, prev: init, prevOff: b * u, x: x ?? new Float64Array(0), xOff: (b * lt.steps + t) * cell.features };
    // Row i of J: the gradient of state component i after the step with respect to every state component before.
    for (let i = 0; i < n; i++) {
      dStates.forEach((d) => d.fill(0));
      dStates[Math.floor(i / u)]![i % u] = 1;
      dOut.fill(0);
      cell.step(v, dStates, cell.outputState >= 0 ? null : dOut, dx, 0);
      for (let k = 0; k < nS; k++) J.set(dStates[k]!, i * n + k * u);
    }
    out[t] = n <= 64 ? svdLargest(J, n) : largestSingularValue(J, n);
  }
  return out;
}
