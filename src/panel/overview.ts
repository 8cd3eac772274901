/**
 * What the panel draws of a long trace, computed from the full trace wherever it lives (the host for long traces,
 * the webview for small ones): per-unit min/max series over buckets of input time (line charts), mean columns over
 * a time range (heatmap), and the bucket boundaries both sides agree on. Pure functions, no `vscode`, no engine: the
 * webview bundle imports this file too.
 */

/** Line charts never get more points per series than this (two per bucket: min and max). */
export const MAX_BUCKETS = 2048;
/** A trace with at most this many values per batch item (steps × units × quantities) is sent to the webview whole. */
export const WHOLE_TRACE_VALUES = 1_000_000;
/** Budget of one full-resolution window in bytes (steps × units × quantities × 4 or 8); steps a power of two. */
export const WINDOW_BYTES = 4 * 1024 * 1024;
/** A long trace's input goes whole up to this many values per batch item, else as a chart plus rows per window. */
export const WHOLE_INPUT_VALUES = 65_536;
/** Largest window the host sends (values), whatever the webview asks. */
export const MAX_WINDOW_VALUES = 16_000_000;
/** Largest heat image the host sends (columns × units). */
export const MAX_HEAT_VALUES = 8_000_000;

type Values = ArrayLike<number>;

/** First input time of bucket b when `steps` steps fall into `buckets` buckets. */
export function bucketStart(b: number, steps: number, buckets: number): number {
  return Math.floor((b * steps) / buckets);
}

/** End (exclusive) of bucket b: the next bucket's start, and never an empty bucket (more buckets than steps). */
export function bucketEnd(b: number, steps: number, buckets: number): number {
  return Math.max(bucketStart(b, steps, buckets) + 1, bucketStart(b + 1, steps, buckets));
}

/** Buckets a series of `steps` steps is drawn with: every step when they fit, else MAX_BUCKETS. */
export function bucketsFor(steps: number, max = MAX_BUCKETS): number {
  return Math.max(1, Math.min(steps, max));
}

/** Steps per window for a layer: a power of two of about WINDOW_BYTES, 16 … 65536. */
export function windowSteps(units: number, quantities: number, bytesPerValue: number): number {
  const raw = WINDOW_BYTES / Math.max(1, units * quantities * bytesPerValue);
  return Math.max(16, Math.min(65536, 2 ** Math.floor(Math.log2(Math.max(1, raw)))));
}

/**
 * Min and max of unit `unit` in each of `buckets` buckets of input time. `values` is one quantity laid out
 * [step][unit] in processing steps from `base`; `stepOfTime[t]` is the processing step of input time t. Buckets with
 * no finite value get NaN.
 */
export function minMaxSeries(values: Values, base: number, units: number, unit: number, stepOfTime: Int32Array, buckets: number, outMin: Float32Array, outMax: Float32Array, at = 0): void {
  minMaxSeriesOf(values, base, units, [unit], stepOfTime, buckets, outMin.subarray(at, at + buckets), outMax.subarray(at, at + buckets));
}

/**
 * Mean of every unit over each of `cols` columns of input time [t0, t1): out[col·units + unit]. The per-column sums
 * run over contiguous rows, so a long range costs one pass over its values.
 */
export function heatColumns(values: Values, base: number, units: number, stepOfTime: Int32Array, t0: number, t1: number, cols: number, out = new Float32Array(cols * units)): Float32Array {
  const span = t1 - t0;
  const acc = new Float64Array(units);
  for (let c = 0; c < cols; c++) {
    const ta = t0 + bucketStart(c, span, cols);
    const tb = t0 + bucketEnd(c, span, cols);
    acc.fill(0);
    for (let t = ta; t < tb; t++) {
      const row = base + stepOfTime[t]! * units;
      for (let j = 0; j < units; j++) acc[j]! += values[row + j]!;
    }
    const n = tb - ta;
    const o = c * units;
    for (let j = 0; j < units; j++) out[o + j] = acc[j]! / n;
  }
  return out;
}

/**
 * minMaxSeries for several units at once, one pass over the rows (a long trace's rows are far apart in memory: one
 * visit per row instead of one per unit). out[k·buckets + b] for units[k].
 */
export function minMaxSeriesOf(values: Values, base: number, units: number, sel: readonly number[], stepOfTime: Int32Array, buckets: number, outMin: Float32Array, outMax: Float32Array): void {
  const steps = stepOfTime.length;
  const n = sel.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  for (let b = 0; b < buckets; b++) {
    const ta = bucketStart(b, steps, buckets);
    const tb = bucketEnd(b, steps, buckets);
    lo.fill(Infinity);
    hi.fill(-Infinity);
    for (let t = ta; t < tb; t++) {
      const row = base + stepOfTime[t]! * units;
      for (let k = 0; k < n; k++) {
        const v = values[row + sel[k]!]!;
        if (v < lo[k]!) lo[k] = v;
        if (v > hi[k]!) hi[k] = v;
      }
    }
    for (let k = 0; k < n; k++) {
      outMin[k * buckets + b] = lo[k] === Infinity ? NaN : lo[k]!;
      outMax[k * buckets + b] = hi[k] === -Infinity ? NaN : hi[k]!;
    }
  }
}

/** The chart points of a min/max series: one point per step when each bucket is one step, else min then max. */
export function seriesPoints(min: ArrayLike<number>, max: ArrayLike<number>, at: number, buckets: number, steps: number): { xs: Float64Array; ys: Float64Array } {
  if (buckets >= steps) {
    const xs = new Float64Array(buckets);
    const ys = new Float64Array(buckets);
    for (let b = 0; b < buckets; b++) {
      xs[b] = b;
      ys[b] = min[at + b]!;
    }
    return { xs, ys };
  }
  const xs = new Float64Array(2 * buckets);
  const ys = new Float64Array(2 * buckets);
  for (let b = 0; b < buckets; b++) {
    const ta = bucketStart(b, steps, buckets);
    const tb = bucketEnd(b, steps, buckets);
    xs[2 * b] = ta;
    ys[2 * b] = min[at + b]!;
    xs[2 * b + 1] = Math.max(ta, tb - 1);
    ys[2 * b + 1] = max[at + b]!;
  }
  return { xs, ys };
}

/** Processing-step order of input times: the inverse of inputTimeOfStep. */
export function invertOrder(inputTimeOfStep: Int32Array): Int32Array {
  const out = new Int32Array(inputTimeOfStep.length);
  for (let s = 0; s < inputTimeOfStep.length; s++) out[inputTimeOfStep[s]!] = s;
  return out;
}
