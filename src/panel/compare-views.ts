/**
 * What the panel draws of a comparison with the recorded output, from the two outputs wherever they live (the host
 * for a long output, the webview for a small one: both call these). Outputs are read as [row][unit] from `base`:
 * the rows are the steps of one batch item (output over time) or the batch items (last-step output).
 *
 * One rule for a column of the |Δ| heatmap: the LARGEST |Δ| in it, so a single bad step shows at every zoom and for
 * every output size (a mean would dilute it into the column).
 */
import { bucketEnd, bucketStart } from './overview';

type Values = ArrayLike<number>;

export interface CompareSeries {
  actualMin: Float32Array;
  actualMax: Float32Array;
  expectedMin: Float32Array;
  expectedMax: Float32Array;
  /** Largest |Δ| per bucket. */
  errMax: Float32Array;
}

/** Output unit `unit` over `rows` rows: engine and recorded min/max, and the largest |Δ|, per bucket of rows. */
export function compareSeries(a: Values, e: Values, base: number, rows: number, units: number, unit: number, buckets: number): CompareSeries {
  const m: CompareSeries = { actualMin: new Float32Array(buckets), actualMax: new Float32Array(buckets), expectedMin: new Float32Array(buckets), expectedMax: new Float32Array(buckets), errMax: new Float32Array(buckets) };
  for (let b = 0; b < buckets; b++) {
    const ta = bucketStart(b, rows, buckets);
    const tb = bucketEnd(b, rows, buckets);
    let al = Infinity, ah = -Infinity, el = Infinity, eh = -Infinity, d = 0;
    for (let t = ta; t < tb; t++) {
      const x = a[base + t * units + unit]!;
      const y = e[base + t * units + unit]!;
      if (x < al) al = x;
      if (x > ah) ah = x;
      if (y < el) el = y;
      if (y > eh) eh = y;
      const dd = Math.abs(x - y);
      if (dd > d) d = dd;
    }
    m.actualMin[b] = al;
    m.actualMax[b] = ah;
    m.expectedMin[b] = el;
    m.expectedMax[b] = eh;
    m.errMax[b] = d;
  }
  return m;
}

/** The largest finite |Δ| of every unit in each of `cols` parts of rows [t0, t1): out[col·units + unit]. */
export function compareHeatColumns(a: Values, e: Values, base: number, units: number, t0: number, t1: number, cols: number): Float32Array {
  const out = new Float32Array(cols * units);
  const acc = new Float64Array(units);
  for (let k = 0; k < cols; k++) {
    const ta = t0 + bucketStart(k, t1 - t0, cols);
    const tb = t0 + bucketEnd(k, t1 - t0, cols);
    acc.fill(0);
    for (let t = ta; t < tb; t++) {
      const row = base + t * units;
      for (let j = 0; j < units; j++) {
        const d = Math.abs(a[row + j]! - e[row + j]!);
        if (d > acc[j]! && Number.isFinite(d)) acc[j] = d;
      }
    }
    out.set(acc, k * units);
  }
  return out;
}
