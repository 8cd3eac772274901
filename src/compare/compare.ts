/**
 * Element-wise comparison of the engine's output with a recorded one, with numpy's `allclose` rule
 * |actual − expected| ≤ atol + rtol·|expected|. NaN never matches (a NaN output is a finding, not a pass).
 */
import { indicesOf, type Tensor } from '../engine/tensor';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 0 };

/** A position in the output, named by its axes: (batch, step, unit) or (batch, unit). */
export interface Position {
  flatIndex: number;
  indices: number[];
  /** `batch 0, step 3, unit 5` */
  text: string;
}

export interface Comparison {
  pass: boolean;
  count: number;
  mismatches: number;
  maxAbs: number;
  /** Largest |Δ| / |expected| over elements whose expected value is not 0. */
  maxRel: number;
  maxAbsAt: Position | null;
  /** First element (row-major: batch, then step, then unit) outside the tolerance. */
  firstDivergence: Position | null;
  tolerance: Tolerance;
  /** Non-null when the shapes differ: nothing else is meaningful then. */
  shapeMismatch: string | null;
  /** Elements where exactly one side is NaN (both NaN count as equal-but-failing too); `maxAbs` ranks them as ∞. */
  nanCount: number;
  /** The first of them, or null. */
  firstNaNAt: Position | null;
}

export function axisNames(rank: number): string[] {
  if (rank === 3) return ['batch', 'step', 'unit'];
  if (rank === 2) return ['batch', 'unit'];
  if (rank === 1) return ['unit'];
  return Array.from({ length: rank }, (_, i) => `axis ${i}`);
}

export function positionOf(shape: readonly number[], flatIndex: number): Position {
  const indices = indicesOf(shape, flatIndex);
  const names = axisNames(shape.length);
  return { flatIndex, indices, text: indices.map((v, a) => `${names[a]} ${v}`).join(', ') };
}

export function compareTensors(actual: Tensor, expected: Tensor, tolerance: Tolerance = DEFAULT_TOLERANCE): Comparison {
  const base = { tolerance, maxAbsAt: null, firstDivergence: null };
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return {
      ...base,
      pass: false,
      count: 0,
      mismatches: 0,
      maxAbs: NaN,
      maxRel: NaN,
      shapeMismatch: `the output has shape [${actual.shape.join(', ')}], the recording [${expected.shape.join(', ')}]`,
      nanCount: 0,
      firstNaNAt: null,
    };
  }
  let maxAbs = 0;
  let maxRel = 0;
  let maxAbsIndex = -1;
  let first = -1;
  let mismatches = 0;
  let nanCount = 0;
  let firstNaN = -1;
  const a = actual.data;
  const e = expected.data;
  for (let k = 0; k < a.length; k++) {
    // Equal values (infinities included) match; a NaN on either side never does.
    const d = a[k] === e[k] ? 0 : Math.abs(a[k]! - e[k]!);
    const dist = Number.isNaN(d) ? Infinity : d;
    if (Number.isNaN(d)) {
      nanCount++;
      if (firstNaN < 0) firstNaN = k;
    }
    if (!(d <= tolerance.atol + tolerance.rtol * Math.abs(e[k]!))) {
      mismatches++;
      if (first < 0) first = k;
    }
    if (dist > maxAbs || maxAbsIndex < 0) {
      maxAbs = dist;
      maxAbsIndex = k;
    }
    if (e[k] !== 0 && Number.isFinite(dist)) maxRel = Math.max(maxRel, dist / Math.abs(e[k]!));
  }
  return {
    ...base,
    pass: mismatches === 0,
    count: a.length,
    mismatches,
    maxAbs,
    maxRel,
    maxAbsAt: maxAbsIndex >= 0 ? positionOf(actual.shape, maxAbsIndex) : null,
    firstDivergence: first >= 0 ? positionOf(actual.shape, first) : null,
    shapeMismatch: null,
    nanCount,
    firstNaNAt: firstNaN >= 0 ? positionOf(actual.shape, firstNaN) : null,
  };
}

/** «max |Δ| = 3.1e-7 over 2 × 9 × 6 values — matches» */
export function summarizeComparison(c: Comparison): string {
  if (c.shapeMismatch) return `shapes differ: ${c.shapeMismatch}`;
  const over = `over ${c.count} values`;
  // A NaN on one side has no distance: say NaN, not the ∞ it ranks as.
  const head = c.nanCount
    ? `max |Δ| = NaN (${c.nanCount} NaN ${c.nanCount === 1 ? 'value' : 'values'} on one side, the first at ${c.firstNaNAt!.text}) ${over}`
    : `max |Δ| = ${fmt(c.maxAbs)}, max rel = ${fmt(c.maxRel)} ${over}`;
  if (c.pass) return `${head} — matches (atol ${c.tolerance.atol}, rtol ${c.tolerance.rtol})`;
  return `${head} — ${c.mismatches} differ beyond atol ${c.tolerance.atol}, rtol ${c.tolerance.rtol}; first at ${c.firstDivergence!.text}`;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}
