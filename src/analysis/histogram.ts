/** Histograms and downsampled heatmaps of weight blocks (column ranges of row-major [rows, cols] arrays). */
import type { FloatArray } from '../engine/tensor';

export interface Histogram {
  lo: number;
  hi: number;
  /** counts[b]: finite values in [lo + b·w, lo + (b+1)·w), the last bin closed. */
  counts: Uint32Array;
}

/** Histogram of the finite values in columns [c0, c1) of a row-major [rows, cols] array. */
export function histogram(data: FloatArray, cols: number, c0: number, c1: number, bins = 24): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  const rows = data.length / cols;
  for (let r = 0; r < rows; r++)
    for (let c = c0; c < c1; c++) {
      const v = data[r * cols + c]!;
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  const counts = new Uint32Array(bins);
  if (!(lo <= hi)) return { lo: 0, hi: 0, counts };
  const w = hi - lo;
  for (let r = 0; r < rows; r++)
    for (let c = c0; c < c1; c++) {
      const v = data[r * cols + c]!;
      if (!Number.isFinite(v)) continue;
      const b = w > 0 ? Math.min(bins - 1, Math.floor(((v - lo) / w) * bins)) : Math.floor(bins / 2);
      counts[b]!++;
    }
  return { lo, hi, counts };
}

export interface BlockImage {
  rows: number;
  cols: number;
  /** Row-major [rows, cols]; a cell averages the block's values it covers (NaN when any is not finite). */
  values: Float32Array;
}

/** Columns [c0, c1) of a row-major [rows, cols] array, averaged down to at most maxSide × maxSide cells. */
export function blockImage(data: FloatArray, cols: number, c0: number, c1: number, maxSide = 64): BlockImage {
  const R = data.length / cols;
  const C = c1 - c0;
  const rows = Math.max(1, Math.min(R, maxSide));
  const outCols = Math.max(1, Math.min(C, maxSide));
  const values = new Float32Array(rows * outCols);
  const n = new Uint32Array(rows * outCols);
  for (let r = 0; r < R; r++) {
    const ir = Math.floor((r * rows) / R);
    for (let c = 0; c < C; c++) {
      const ic = Math.floor((c * outCols) / C);
      values[ir * outCols + ic]! += data[r * cols + c0 + c]!;
      n[ir * outCols + ic]!++;
    }
  }
  for (let k = 0; k < values.length; k++) values[k] = n[k] ? values[k]! / n[k]! : 0;
  return { rows, cols: outCols, values };
}
