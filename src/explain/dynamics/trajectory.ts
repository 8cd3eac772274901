/**
 * State trajectories: a recurrent layer's h_t (or c_t) projected onto its first principal components, fitted on
 * every recorded (unmasked) step of every batch item, so a path over time can be drawn per item. The eigenvectors
 * of the covariance come from ml-matrix.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { quantityIndex, type LayerTrace } from '../../engine/trace';

export interface Trajectory {
  state: string;
  components: number;
  /** Share of the variance each component explains. */
  explained: number[];
  /** The fitted mean [units] and the components' directions [components][units]. */
  mean: Float64Array;
  basis: Float64Array[];
  /** points[(b·steps + t)·components + k]: item b at input time t on component k (NaN at padding). */
  points: Float64Array;
  batch: number;
  steps: number;
}

export function stateTrajectory(lt: LayerTrace, state = 'h', components = 2): Trajectory {
  const values = lt.values[quantityIndex(lt, state)]!;
  const { batch, steps, units: u } = lt;
  const k = Math.max(1, Math.min(components, u));
  const rows: number[] = [];
  for (let r = 0; r < batch * steps; r++) if (!lt.masked?.[r]) rows.push(r);
  const mean = new Float64Array(u);
  for (const r of rows) for (let j = 0; j < u; j++) mean[j] += values[r * u + j]! / rows.length;
  const cov = Matrix.zeros(u, u);
  for (const r of rows) {
    for (let i = 0; i < u; i++) {
      const di = values[r * u + i]! - mean[i]!;
      if (di === 0) continue;
      for (let j = i; j < u; j++) cov.set(i, j, cov.get(i, j) + di * (values[r * u + j]! - mean[j]!));
    }
  }
  for (let i = 0; i < u; i++) for (let j = 0; j < i; j++) cov.set(i, j, cov.get(j, i));
  const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((e, i) => [e, i] as const).sort((a, b) => b[0] - a[0]);
  const total = order.reduce((s, [e]) => s + Math.max(0, e), 0) || 1;
  const V = evd.eigenvectorMatrix;
  const basis = order.slice(0, k).map(([, i]) => Float64Array.from(V.getColumn(i)));
  const points = new Float64Array(batch * steps * k).fill(NaN);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < steps; s++) {
      const r = b * steps + s;
      if (lt.masked?.[r]) continue;
      const t = lt.inputTimeOfStep[s]!;
      for (let c = 0; c < k; c++) {
        let p = 0;
        for (let j = 0; j < u; j++) p += (values[r * u + j]! - mean[j]!) * basis[c]![j]!;
        points[(b * steps + t) * k + c] = p;
      }
    }
  }
  return { state, components: k, explained: order.slice(0, k).map(([e]) => Math.max(0, e) / total), mean, basis, points, batch, steps };
}
