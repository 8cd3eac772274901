/**
 * The backward pass's two matrix products, the transposes of the forward's x·K and h·U: dh₋ += U·dz and
 * dx += K·dz over a block of columns [c0, c0+n). They dominate BPTT (W1: 262 k multiply-adds a step), so where the
 * engine's WebAssembly SIMD kernels load they run there (gemm_f64, or gemm_f32 for a float32 run, on Kᵀ and Uᵀ, copied once into the kernel memory
 * when the cell is bound); the TypeScript loop (linalg.ts) is the reference and the fallback.
 *
 * The kernel memory is the engine's: a BackwardProducts is valid until the next forward run or the next one made,
 * which is how the backward uses them (one direction at a time, after its forward run).
 */
import type { Precision } from '../engine/tensor';
import { WasmArena } from '../engine/wasm/kernels';
import { addMatVec } from './linalg';

let wasmAllowed = true;

/** Allow (default) or forbid the WebAssembly products in later backward passes (tests compare the two). */
export function setBackwardFastPath(on: boolean): void {
  wasmAllowed = on;
}

/** Whether later backward passes may use the WebAssembly kernels (products, and fast-lstm.ts's whole walk). */
export function backwardFastPathOn(): boolean {
  return wasmAllowed;
}

export interface BackwardProducts {
  /** dh[0 .. units) += U[:, c0 .. c0+n) · dz[dzOff .. +n) */
  recur(dz: Float64Array, dzOff: number, c0: number, n: number, dh: Float64Array): void;
  /** dx[dxOff .. +features) += K[:, c0 .. c0+n) · dz[dzOff .. +n) */
  input(dz: Float64Array, dzOff: number, c0: number, n: number, dx: Float64Array, dxOff: number): void;
  /** dh[r] += U·dz[r] for rows r < n (dz [n, width], dh [n, units]): one product for n items. */
  recurRows(dz: Float64Array, n: number, dh: Float64Array): void;
  /** dx[r] += K·dz[r] for rows r < n (dx [n, features]). */
  inputRows(dz: Float64Array, n: number, dx: Float64Array): void;
}

/**
 * `rows`: the most items `recurRows` / `inputRows` will be given at once. `precision`: the run's; a float32 run's
 * backward multiplies in float32 (gemm_f32, twice the lanes), as its forward did; everything else stays float64.
 */
export function backwardProducts(K: Float64Array, features: number, U: Float64Array, units: number, width: number, rows = 1, precision: Precision = 'float64'): BackwardProducts {
  const arena = wasmAllowed ? WasmArena.create(precision, width * (units + features) + rows * (width + units + features) + 64) : null;
  if (!arena) {
    return {
      recur: (dz, dzOff, c0, n, dh) => addMatVec(dh, 0, U, units, width, c0, n, dz, dzOff),
      input: (dz, dzOff, c0, n, dx, dxOff) => addMatVec(dx, dxOff, K, features, width, c0, n, dz, dzOff),
      recurRows: (dz, n, dh) => {
        for (let r = 0; r < n; r++) addMatVec(dh, r * units, U, units, width, 0, width, dz, r * width);
      },
      inputRows: (dz, n, dx) => {
        for (let r = 0; r < n; r++) addMatVec(dx, r * features, K, features, width, 0, width, dz, r * width);
      },
    };
  }
  // Uᵀ [width, units] and Kᵀ [width, features]: a column block of U is then a row block, which gemm reads in order.
  const UT = arena.alloc(width * units);
  for (let r = 0; r < units; r++) for (let c = 0; c < width; c++) UT[c * units + r] = U[r * width + c]!;
  const KT = arena.alloc(width * features);
  for (let r = 0; r < features; r++) for (let c = 0; c < width; c++) KT[c * features + r] = K[r * width + c]!;
  const a = arena.alloc(rows * width);
  const out = arena.alloc(rows * Math.max(units, features));
  const pa = arena.ptr(a);
  const po = arena.ptr(out);
  const product = (T: Float64Array | Float32Array, rows: number, dz: Float64Array, dzOff: number, c0: number, n: number, dst: Float64Array, dOff: number) => {
    for (let k = 0; k < n; k++) a[k] = dz[dzOff + k]!;
    for (let j = 0; j < rows; j++) out[j] = dst[dOff + j]!;
    arena.gemm(po, rows, pa, n, 1, n, arena.ptr(T, c0 * rows), rows, rows);
    for (let j = 0; j < rows; j++) dst[dOff + j] = out[j]!;
  };
  const batched = (T: Float64Array | Float32Array, cols: number, dz: Float64Array, n: number, dst: Float64Array) => {
    a.set(dz.subarray(0, n * width));
    out.set(dst.subarray(0, n * cols));
    arena.gemm(po, cols, pa, width, n, width, arena.ptr(T), cols, cols);
    dst.set(out.subarray(0, n * cols));
  };
  return {
    recur: (dz, dzOff, c0, n, dh) => product(UT, units, dz, dzOff, c0, n, dh, 0),
    input: (dz, dzOff, c0, n, dx, dxOff) => product(KT, features, dz, dzOff, c0, n, dx, dxOff),
    recurRows: (dz, n, dh) => batched(UT, units, dz, n, dh),
    inputRows: (dz, n, dx) => batched(KT, features, dz, n, dx),
  };
}
