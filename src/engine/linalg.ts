/**
 * The two products every cell needs. Accumulating straight into the destination typed array means a Float32Array
 * destination rounds after every multiply-add (float32 arithmetic, as Keras's float32 kernels do) while a
 * Float64Array keeps double precision: one code path serves both precisions.
 */
import type { FloatArray } from './tensor';

/**
 * dst[dOff + j] += Σ_k v[vOff + k] · M[k, cOff + j]  for j < cols, k < rows,
 * where M is row-major with `stride` columns. Reads a column block [cOff, cOff+cols) of M.
 */
export function addVecMat(
  dst: FloatArray,
  dOff: number,
  v: FloatArray,
  vOff: number,
  rows: number,
  M: FloatArray,
  stride: number,
  cOff: number,
  cols: number,
): void {
  for (let k = 0; k < rows; k++) {
    const vk = v[vOff + k]!;
    const row = k * stride + cOff;
    for (let j = 0; j < cols; j++) dst[dOff + j] += vk * M[row + j]!;
  }
}

/** dst[dOff .. dOff+n) = src[sOff .. sOff+n) */
export function copyInto(dst: FloatArray, dOff: number, src: FloatArray, sOff: number, n: number): void {
  dst.set(src.subarray(sOff, sOff + n), dOff);
}
