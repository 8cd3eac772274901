/** The two products a backward pass needs, on row-major matrices held as Float64Array. */
import type { FloatArray, Precision, Tensor } from '../engine/tensor';

/**
 * dst[dOff + r] += Σ_k M[r·cols + colOff + k] · v[vOff + k] for r < rows, k < n: M times a vector, reading a block
 * of M's columns. The backward pass's dh += U·dz and dx += K·dz (the transposes of the forward x·K and h·U).
 */
export function addMatVec(dst: Float64Array, dOff: number, M: Float64Array, rows: number, cols: number, colOff: number, n: number, v: Float64Array, vOff: number): void {
  for (let r = 0; r < rows; r++) {
    const row = r * cols + colOff;
    let a0 = 0;
    let a1 = 0;
    let k = 0;
    for (; k + 1 < n; k += 2) {
      a0 += M[row + k]! * v[vOff + k]!;
      a1 += M[row + k + 1]! * v[vOff + k + 1]!;
    }
    if (k < n) a0 += M[row + k]! * v[vOff + k]!;
    dst[dOff + r] = dst[dOff + r]! + a0 + a1;
  }
}

/** dst[dOff + j] += Σ_r v[vOff + r] · M[r·cols + colOff + j] for r < rows, j < n: a vector times a block of M's columns (the forward products, recomputed). */
export function addVecMat(dst: Float64Array, dOff: number, v: FloatArray, vOff: number, rows: number, M: Float64Array, cols: number, colOff: number, n: number): void {
  for (let r = 0; r < rows; r++) {
    const a = v[vOff + r]!;
    if (a === 0) continue;
    const row = r * cols + colOff;
    for (let j = 0; j < n; j++) dst[dOff + j] = dst[dOff + j]! + a * M[row + j]!;
  }
}

/** A weight as the run used it (float32 runs round every weight) in a Float64Array for the backward arithmetic. */
export function weightIn(t: Tensor, precision: Precision): Float64Array {
  const out = new Float64Array(t.data.length);
  if (precision === 'float32') for (let k = 0; k < out.length; k++) out[k] = Math.fround(t.data[k]!);
  else out.set(t.data);
  return out;
}
