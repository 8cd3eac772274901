/**
 * LayerProducts on the WebAssembly SIMD kernels: K and U are copied into the kernel memory once per run, and also
 * repacked in column panels for the products that run every step (h·U; x·K in the float32 gate kernels: see
 * scripts/build-wasm.mjs pack_*). x blocks and h are copied in before each product unless already there, and `xk` /
 * `hu` are views of the memory the kernels write.
 */
import type { LayerProducts, ProductShape } from '../linalg';
import type { FloatArray, Precision } from '../tensor';
import { PACK_COLUMNS, WasmArena } from './kernels';

/** Columns as pack_* pads them (gemm_packed_* writes whole padded rows). */
function padded(columns: number): number {
  return Math.ceil(columns / PACK_COLUMNS) * PACK_COLUMNS;
}

export class WasmProducts implements LayerProducts {
  readonly xk: FloatArray;
  readonly hu: FloatArray;
  readonly huStride: number;
  private readonly K: FloatArray;
  /** U in the kernel memory (the GRU reset_after=false candidate product reads its columns [2u, 3u)). */
  readonly U: FloatArray;
  /** U's first `recurrentColumns` columns packed (pack_*) for the h·U of every step. */
  readonly packedU: FloatArray;
  /** K packed (the gate kernels' one-step x·K), and that product's rows. */
  readonly packedK: FloatArray;
  readonly xkStep: FloatArray;
  readonly xkStepStride: number;
  /** x of the latest block: item b's rows at b·blockSteps·features. */
  readonly xIn: FloatArray;
  private readonly hIn: FloatArray;
  private readonly rowOut: FloatArray;

  private constructor(
    readonly a: WasmArena,
    private readonly s: ProductShape,
    kernel: FloatArray,
    recurrentKernel: FloatArray,
  ) {
    const { batch, features: F, units: u, width: W, blockSteps, recurrentColumns } = s;
    this.huStride = padded(recurrentColumns);
    // Scratch views: each one is written (set, packed, projected into, filled) before the kernels read it.
    this.K = a.scratch(F * W);
    this.K.set(kernel);
    this.U = a.scratch(u * W);
    this.U.set(recurrentKernel);
    this.packedU = a.scratch(u * this.huStride);
    a.pack(a.ptr(this.packedU), a.ptr(this.U), W, u, recurrentColumns);
    this.xkStepStride = padded(W);
    this.packedK = a.scratch(F * this.xkStepStride);
    a.pack(a.ptr(this.packedK), a.ptr(this.K), W, F, W);
    this.xkStep = a.scratch(batch * this.xkStepStride);
    this.xIn = a.scratch(batch * blockSteps * F);
    this.xk = a.scratch(batch * blockSteps * W);
    this.hIn = a.alloc(batch * u);
    this.hu = a.scratch(batch * this.huStride);
    this.rowOut = a.alloc(W);
  }

  /**
   * Null where WebAssembly is unavailable: the caller falls back to ReferenceProducts. `extra` values are reserved
   * for further views of the arena (the gate kernels').
   */
  static create(precision: Precision, s: ProductShape, kernel: FloatArray, recurrentKernel: FloatArray, extra = 0): WasmProducts | null {
    const { batch, features: F, units: u, width: W, blockSteps } = s;
    const P = padded(s.recurrentColumns);
    const PK = padded(W);
    const elements = F * W + u * W + u * P + (F + batch) * PK + batch * blockSteps * (F + W) + batch * (u + P) + W + extra;
    const a = WasmArena.create(precision, elements);
    return a ? new WasmProducts(a, s, kernel, recurrentKernel) : null;
  }

  /** x of input times [t0, t0+n) of every item into `xIn`: what `project` multiplies, or the gate kernels read. */
  loadInputs(x: FloatArray, steps: number, t0: number, n: number): void {
    const { batch, features: F, blockSteps } = this.s;
    for (let b = 0; b < batch; b++) this.xIn.set(x.subarray((b * steps + t0) * F, (b * steps + t0 + n) * F), b * blockSteps * F);
  }

  project(x: FloatArray, steps: number, t0: number, n: number): void {
    const { batch, features: F, width: W, blockSteps } = this.s;
    const a = this.a;
    this.loadInputs(x, steps, t0, n);
    if (n === blockSteps) {
      this.xk.fill(0);
      a.gemm(a.ptr(this.xk), W, a.ptr(this.xIn), F, batch * n, F, a.ptr(this.K), W, W);
    } else {
      // A short last block: each batch item's rows are contiguous but not adjacent to the next item's.
      for (let b = 0; b < batch; b++) {
        this.xk.fill(0, b * blockSteps * W, (b * blockSteps + n) * W);
        a.gemm(a.ptr(this.xk, b * blockSteps * W), W, a.ptr(this.xIn, b * blockSteps * F), F, n, F, a.ptr(this.K), W, W);
      }
    }
  }

  recur(h: FloatArray): void {
    const { batch, units: u } = this.s;
    const a = this.a;
    // The gate kernels keep h in the kernel memory: read it there.
    if (!a.holds(h)) this.hIn.set(h);
    a.gemmPacked(a.ptr(this.hu), this.huStride, a.ptr(a.holds(h) ? h : this.hIn), u, batch, u, a.ptr(this.packedU), this.huStride);
  }

  recurRow(v: FloatArray, vOff: number, cOff: number, cols: number, dst: FloatArray, dOff: number): void {
    const { units: u, width: W } = this.s;
    const a = this.a;
    this.hIn.set(v.subarray(vOff, vOff + u));
    this.rowOut.fill(0, 0, cols);
    a.gemm(a.ptr(this.rowOut), W, a.ptr(this.hIn), u, 1, u, a.ptr(this.U, cOff), W, cols);
    dst.set(this.rowOut.subarray(0, cols), dOff);
  }
}
