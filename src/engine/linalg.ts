/**
 * The two products every cell needs. Accumulating straight into the destination typed array means a Float32Array
 * destination rounds after every multiply-add (float32 arithmetic, as Keras's float32 kernels do) while a
 * Float64Array keeps double precision: one code path serves both precisions.
 */
import type { FloatArray } from './tensor';

/**
 * dst[dOff + j] += Σ_k v[vOff + k] · M[k, cOff + j]  for j < cols, k < rows,
 * where M is row-major with `stride` columns. Reads a column block [cOff, cOff+cols) of M.
 * Every term is added in order k = 0, 1, …; a float32 run rounds each sum to float32 (as storing into a Float32Array
 * does), a float64 run keeps double sums. One copy per precision keeps each loop monomorphic for V8.
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
  if (dst instanceof Float32Array) addVecMat32(dst, dOff, v, vOff, rows, M, stride, cOff, cols);
  else addVecMat64(dst, dOff, v, vOff, rows, M, stride, cOff, cols);
}

// Four rows of M per pass over dst: a quarter of the loads and stores of dst, the same sums in the same order.
function addVecMat32(dst: Float32Array, dOff: number, v: FloatArray, vOff: number, rows: number, M: FloatArray, stride: number, cOff: number, cols: number): void {
  const fround = Math.fround;
  let k = 0;
  for (; k + 4 <= rows; k += 4) {
    const v0 = v[vOff + k]!;
    const v1 = v[vOff + k + 1]!;
    const v2 = v[vOff + k + 2]!;
    const v3 = v[vOff + k + 3]!;
    const r0 = k * stride + cOff;
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    const r3 = r2 + stride;
    for (let j = 0; j < cols; j++) {
      let d = dst[dOff + j]!;
      d = fround(d + v0 * M[r0 + j]!);
      d = fround(d + v1 * M[r1 + j]!);
      d = fround(d + v2 * M[r2 + j]!);
      dst[dOff + j] = d + v3 * M[r3 + j]!;
    }
  }
  for (; k < rows; k++) {
    const vk = v[vOff + k]!;
    const row = k * stride + cOff;
    for (let j = 0; j < cols; j++) dst[dOff + j] += vk * M[row + j]!;
  }
}

function addVecMat64(dst: Float64Array, dOff: number, v: FloatArray, vOff: number, rows: number, M: FloatArray, stride: number, cOff: number, cols: number): void {
  let k = 0;
  for (; k + 4 <= rows; k += 4) {
    const v0 = v[vOff + k]!;
    const v1 = v[vOff + k + 1]!;
    const v2 = v[vOff + k + 2]!;
    const v3 = v[vOff + k + 3]!;
    const r0 = k * stride + cOff;
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    const r3 = r2 + stride;
    for (let j = 0; j < cols; j++) {
      dst[dOff + j] = dst[dOff + j]! + v0 * M[r0 + j]! + v1 * M[r1 + j]! + v2 * M[r2 + j]! + v3 * M[r3 + j]!;
    }
  }
  for (; k < rows; k++) {
    const vk = v[vOff + k]!;
    const row = k * stride + cOff;
    for (let j = 0; j < cols; j++) dst[dOff + j] += vk * M[row + j]!;
  }
}

/** dst[dOff .. dOff+n) = src[sOff .. sOff+n) */
export function copyInto(dst: FloatArray, dOff: number, src: FloatArray, sOff: number, n: number): void {
  dst.set(src.subarray(sOff, sOff + n), dOff);
}

/** dst[dOff .. dOff+n) = 0 then += v·M over the column block: the one-row product the cells use. */
export function vecMat(dst: FloatArray, dOff: number, v: FloatArray, vOff: number, rows: number, M: FloatArray, stride: number, cOff: number, cols: number): void {
  dst.fill(0, dOff, dOff + cols);
  addVecMat(dst, dOff, v, vOff, rows, M, stride, cOff, cols);
}

/**
 * Where a layer's two matrix products are computed, for every batch item at once: x·K for a block of time steps
 * before the time loop (it has no recurrence), and h·U once per step. `ReferenceProducts` below is plain TypeScript;
 * src/engine/wasm/products.ts is the WebAssembly SIMD one with the same results (float64 bit for bit).
 */
export interface LayerProducts {
  /** x·K of the projected block: row (b·blockSteps + i) is batch item b, i-th input time of the block; G·u wide. */
  readonly xk: FloatArray;
  /** h·U of every batch item at the current step: row b at b·huStride; columns past `recurrentColumns` are not set. */
  readonly hu: FloatArray;
  /** Distance between hu rows: G·u, or more (the WebAssembly kernels pad rows). */
  readonly huStride: number;
  /** xk rows for input times [t0, t0+n) of every batch item (n ≤ blockSteps). x is [batch, steps, features]. */
  project(x: FloatArray, steps: number, t0: number, n: number): void;
  /** hu rows from the states h, [batch·units]. */
  recur(h: FloatArray): void;
  /** dst[dOff .. +cols) = v[vOff .. +units) · U[:, cOff .. cOff+cols): GRU reset_after=false's candidate. */
  recurRow(v: FloatArray, vOff: number, cOff: number, cols: number, dst: FloatArray, dOff: number): void;
}

export interface ProductShape {
  batch: number;
  features: number;
  units: number;
  /** G·u: columns of K and U. */
  width: number;
  /** Leading columns of h·U that `recur` computes. */
  recurrentColumns: number;
  /** Time steps per `project` block. */
  blockSteps: number;
}

export class ReferenceProducts implements LayerProducts {
  readonly xk: FloatArray;
  readonly hu: FloatArray;
  readonly huStride: number;

  constructor(
    private readonly s: ProductShape,
    private readonly kernel: FloatArray,
    private readonly recurrentKernel: FloatArray,
    make: (n: number) => FloatArray,
  ) {
    this.xk = make(s.batch * s.blockSteps * s.width);
    this.hu = make(s.batch * s.width);
    this.huStride = s.width;
  }

  project(x: FloatArray, steps: number, t0: number, n: number): void {
    const { batch, features: F, width: W, blockSteps } = this.s;
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < n; i++) vecMat(this.xk, (b * blockSteps + i) * W, x, (b * steps + t0 + i) * F, F, this.kernel, W, 0, W);
    }
  }

  recur(h: FloatArray): void {
    const { batch, units: u, width: W, recurrentColumns } = this.s;
    for (let b = 0; b < batch; b++) vecMat(this.hu, b * W, h, b * u, u, this.recurrentKernel, W, 0, recurrentColumns);
  }

  recurRow(v: FloatArray, vOff: number, cOff: number, cols: number, dst: FloatArray, dOff: number): void {
    vecMat(dst, dOff, v, vOff, this.s.units, this.recurrentKernel, this.s.width, cOff, cols);
  }
}
