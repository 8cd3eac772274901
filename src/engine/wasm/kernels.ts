/**
 * The WebAssembly SIMD matrix kernels (scripts/build-wasm.mjs writes them) and the one memory they work in.
 * Loaded lazily and synchronously (the module is ~3 KB); where WebAssembly SIMD is missing, `wasmKernels()` is null
 * and the engine keeps to its TypeScript kernels.
 */
import type { Precision } from '../tensor';
import { KERNEL_BYTES, KERNELS_WASM_BASE64, PACK_COLUMNS } from './generated/kernels';

export { PACK_COLUMNS };

type Gemm = (dst: number, ldd: number, a: number, lda: number, m: number, k: number, b: number, ldb: number, n: number) => void;
/** dst = a·B (as gemm into a zeroed dst) with B packed by `Pack` for the same k; n and ldd padded to PACK_COLUMNS. */
type GemmPacked = (dst: number, ldd: number, a: number, lda: number, m: number, k: number, bp: number, n: number) => void;
/** dst = b[0 .. k, 0 .. n) in column panels (for any row count); k · (n padded to PACK_COLUMNS) values. */
type Pack = (dst: number, b: number, ldb: number, k: number, n: number) => void;

/**
 * Pointers in bytes; see scripts/build-wasm.mjs (cellKernels) for the parameters and quantity rows. `<kind>_f32`: one
 * step of one batch item, rows rs bytes apart. `<kind>_steps_f32(n, batch, u, stage, x, xItem, xStep, F, K, xk, ldxk,
 * U, hu, ldhu, ...params)`: n steps of every batch item, both products included. The trailing parameters (`params`)
 * are the kind's bias, flags, states, activations and scratch.
 */
export interface GateKernels {
  lstm_f32(o: number, rs: number, u: number, xk: number, hu: number, ...params: number[]): void;
  gru_after_f32(o: number, rs: number, u: number, xk: number, hu: number, ...params: number[]): void;
  gru_before_f32(o: number, rs: number, u: number, xk: number, hu: number, ...params: number[]): void;
  simple_f32(o: number, rs: number, u: number, xk: number, hu: number, ...params: number[]): void;
  lstm_steps_f32(...args: number[]): void;
  gru_after_steps_f32(...args: number[]): void;
  gru_before_steps_f32(...args: number[]): void;
  simple_steps_f32(...args: number[]): void;
  /**
   * An LSTM's backward over a block of steps for `rows` items (scripts/wasm-backward.mjs has the layout):
   * (n, rows, u, stage, dz, dh, ldh, dc, packedUT). The explain package's float32 fast path.
   */
  lstm_bwd_steps_f32(n: number, rows: number, u: number, stage: number, dz: number, dh: number, ldh: number, dc: number, UT: number): void;
  /** p[0 .. n) = activation k of itself, n a multiple of 4 ≥ 4 (tests). */
  act_f32(k: number, p: number, n: number): void;
}

interface KernelExports extends GateKernels {
  memory: WebAssembly.Memory;
  gemm_f32: Gemm;
  gemm_f64: Gemm;
  gemm_packed_f32: GemmPacked;
  gemm_packed_f64: GemmPacked;
  pack_f32: Pack;
  pack_f64: Pack;
}

let loaded: KernelExports | null | undefined;
let compiled: WebAssembly.Module | null | undefined;

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/**
 * The compiled kernels, for another thread (postMessage clones a WebAssembly.Module without compiling it again): a
 * thread that adopts it runs the code this one has already optimised, instead of starting on baseline code.
 */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(decode(KERNELS_WASM_BASE64));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Uses another thread's `kernelModule()` here (before this thread has used its own kernels; after, nothing changes). */
export function adoptKernelModule(module: WebAssembly.Module): void {
  if (compiled === undefined) compiled = module;
}

function kernelExports(): KernelExports | null {
  if (loaded === undefined) {
    const module = kernelModule();
    try {
      loaded = module ? (new WebAssembly.Instance(module, {}).exports as unknown as KernelExports) : null;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

/** True where the WebAssembly SIMD kernels load (Node ≥ 16.4, every current browser). */
export function wasmAvailable(): boolean {
  return kernelExports() !== null;
}

/**
 * A run's slice of the kernel memory: `reserve` once with everything the run needs (growing the memory detaches
 * views made before), then `alloc` views. One run at a time: the engine is synchronous, so each run starts anew.
 */
export class WasmArena {
  /** Views start above the kernels' own bytes (scripts/build-wasm.mjs: packing buffer, constants). */
  private top = KERNEL_BYTES;
  private readonly bytes: number;
  readonly gemm: Gemm;
  readonly gemmPacked: GemmPacked;
  readonly pack: Pack;
  /** The float32 gate kernels (same memory). */
  readonly kernels: GateKernels;

  private constructor(
    private readonly k: KernelExports,
    readonly precision: Precision,
    elements: number,
  ) {
    this.bytes = precision === 'float32' ? 4 : 8;
    this.gemm = precision === 'float32' ? k.gemm_f32 : k.gemm_f64;
    this.gemmPacked = precision === 'float32' ? k.gemm_packed_f32 : k.gemm_packed_f64;
    this.pack = precision === 'float32' ? k.pack_f32 : k.pack_f64;
    this.kernels = k;
    const need = KERNEL_BYTES + elements * this.bytes + 64 * 16; // + alignment padding of up to 64 views
    const have = k.memory.buffer.byteLength;
    if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  }

  /** An arena of `elements` values of the precision, or null without WebAssembly (or when memory cannot grow). */
  static create(precision: Precision, elements: number): WasmArena | null {
    const k = kernelExports();
    if (!k) return null;
    try {
      return new WasmArena(k, precision, elements);
    } catch {
      return null;
    }
  }

  /** A zeroed view of n values, 16-byte aligned. */
  alloc(n: number): Float32Array | Float64Array {
    const view = this.scratch(n);
    view.fill(0);
    return view;
  }

  /**
   * A view of n values holding whatever an earlier run left there: for buffers written before they are read (not
   * zeroing the large ones saves a pass over them per run).
   */
  scratch(n: number): Float32Array | Float64Array {
    const start = (this.top + 15) & ~15;
    this.top = start + n * this.bytes;
    if (this.top > this.k.memory.buffer.byteLength) throw new RangeError('WasmArena: reserve() was too small');
    return this.precision === 'float32' ? new Float32Array(this.k.memory.buffer, start, n) : new Float64Array(this.k.memory.buffer, start, n);
  }

  /** Whether a typed array is a view of the kernel memory (the kernels can then read it in place). */
  holds(view: Float32Array | Float64Array): boolean {
    return view.buffer === this.k.memory.buffer;
  }

  /** Byte address of element `offset` of a view made by `alloc`. */
  ptr(view: Float32Array | Float64Array, offset = 0): number {
    return view.byteOffset + offset * this.bytes;
  }
}
