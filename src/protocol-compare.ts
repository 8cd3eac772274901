/**
 * The comparison of the engine with the recorded output, as the panel receives it: the verdict and figures, the
 * diagnosis that follows a mismatch, and a kept (long) comparison's chart and |Δ| heatmap. Part of the panel's
 * channel: src/protocol.ts lists these among the host's messages.
 */
import * as v from 'valibot';
import { bool, checked, f32, floatData, indices, int, lines, num, re, str } from './protocol-blocks';

export const comparison = checked(
  v.object({
    type: v.literal('comparison'),
    re,
    /** Which model output this compares (index in InitMessage.modelOutputs). */
    output: int(),
    /** Every output that has a recording, judged under this message's tolerance: the Compare card's output picker. */
    outputs: v.array(v.object({ name: str, pass: bool, maxAbs: num, shapeMismatch: v.nullable(str) })),
    /** Shape of the output, batch first: [batch, units] or [batch, steps, units]. */
    shape: v.pipe(v.array(int(1)), v.minLength(1)),
    /**
     * A long output over time (more than WHOLE_TRACE_VALUES values) stays on the host: `actual` and `expected` are
     * empty, the figures below are the host's (a new tolerance is asked for with `requestCompare`) and the panel asks
     * for its chart (`requestCompareSeries`) and |Δ| heatmap (`requestCompareHeat`).
     */
    kept: bool,
    actual: floatData,
    expected: floatData,
    pass: bool,
    maxAbs: num,
    maxRel: num,
    mismatches: int(),
    count: int(),
    atol: num,
    rtol: num,
    maxAbsAt: indices,
    firstDivergence: indices,
    shapeMismatch: v.nullable(str),
    text: str,
    /** On a mismatch: what `diagnose()` found, one line each (null when it matched or was not run). */
    diagnosis: lines,
  }),
  (m) => {
    // A kept comparison carries no values; else both arrays hold exactly shape's values (unless the shapes differ).
    if (m.kept) return m.shapeMismatch === null && m.shape.length === 3 && m.actual.length === 0 && m.expected.length === 0;
    const size = m.shape.reduce((a, d) => a * d, 1);
    return m.shapeMismatch !== null || (m.actual.length === size && m.expected.length === size);
  },
  'actual and expected hold the shape’s values (none when kept)',
);
export type ComparisonMessage = v.InferOutput<typeof comparison>;

/** The engine worker's diagnosis, arriving after the comparison it explains (which said "diagnosing…"). */
export const diagnosis = v.object({ type: v.literal('diagnosis'), diagnosis: lines });
export type DiagnosisMessage = v.InferOutput<typeof diagnosis>;

/** Engine and Keras output of one output unit over time (one batch item), min/max per bucket; max |Δ| per bucket. */
export const compareSeries = checked(
  v.object({ type: v.literal('compareSeries'), re, batch: int(), unit: int(), buckets: int(1), actualMin: f32, actualMax: f32, expectedMin: f32, expectedMax: f32, errMax: f32 }),
  (m) => [m.actualMin, m.actualMax, m.expectedMin, m.expectedMax, m.errMax].every((a) => a.length === m.buckets),
  'one value per bucket',
);
export type CompareSeriesMessage = v.InferOutput<typeof compareSeries>;

/** Largest |Δ| of every output unit in each of `cols` parts of time [t0, t1), one batch item: [col][unit], float32. */
export const compareHeat = checked(
  v.object({ type: v.literal('compareHeat'), re, batch: int(), t0: int(), t1: int(1), cols: int(1), values: f32 }),
  (m) => m.t1 > m.t0 && m.values.length > 0 && m.values.length % m.cols === 0,
  't1 > t0 and values hold cols × units',
);
export type CompareHeatMessage = v.InferOutput<typeof compareHeat>;
