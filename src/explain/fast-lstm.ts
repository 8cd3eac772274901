/**
 * The float32 fast path of an LSTM direction's BPTT: the whole walk in the WebAssembly kernel lstm_bwd_steps_f32
 * (scripts/wasm-backward.mjs), float32 throughout, as the forward's float32 kernels. Per block of steps the trace
 * rows it reads are staged into the kernel memory; the kernel runs every step of every item backwards (the gate
 * derivatives, then dh₋ = dz·Uᵀ for all items in one product), keeping dz, so that ∂y/∂x = dz·Kᵀ is one product per
 * block instead of one per step. Keras's LSTM only (sigmoid gates, tanh, no projection, no padding, no watcher):
 * anything else takes the float64 reference walk (recurrent.ts), which stays the definition.
 */
import { quantityRow } from '../engine/cells/kinds';
import type { RecurrentLayer } from '../engine/model';
import type { FloatArray } from '../engine/tensor';
import type { LayerTrace } from '../engine/trace';
import { PACK_COLUMNS, WasmArena } from '../engine/wasm/kernels';
import type { BackwardContext } from './cells';
import { backwardFastPathOn } from './products';

/** What the walk reads (recurrent.ts's DirectionGradInput gives it; the fields mean the same). */
export interface FastLstmInput {
  layer: RecurrentLayer;
  trace: LayerTrace;
  initial: FloatArray[] | null;
  dSeq: Float64Array | null;
  dFinal: (Float64Array | null)[];
  onStep?: unknown;
}

/** ∂y/∂x [batch, steps, features] (input time) and ∂y/∂(h₀, c₀) [batch·units] each. */
export interface FastLstmGrad {
  dx: Float64Array;
  dInitial: Float64Array[];
}

// The trace rows the kernel reads, in its staged quantity order (i, f, c̃, o, c).
const ROWS = ['i', 'f', 'c_tilde', 'o', 'c'].map((k) => quantityRow('lstm', k));
/** Staged quantities per slot: the five rows, tanh(c), ∂y/∂(output). */
const STAGED = 7;
/** Kernel values per block (staged rows, dz, dx): ~4 MB, which stays in cache between staging and the kernel. */
let blockValues = 1 << 20;

/** Sets the block size in values (tests: short sequences then cross blocks); returns the previous one. */
export function setFastLstmBlock(values: number): number {
  const was = blockValues;
  blockValues = values;
  return was;
}

/** Whether the fast path runs this direction (else the reference walk does). */
export function fastLstmApplies(inp: FastLstmInput, ctx: BackwardContext, items: readonly number[]): boolean {
  const { layer, trace: lt } = inp;
  return (
    ctx.precision === 'float32' &&
    backwardFastPathOn() &&
    items.length > 0 &&
    layer.cell === 'lstm' &&
    !layer.weights.projection &&
    layer.config.activation === 'tanh' &&
    layer.config.recurrentActivation === 'sigmoid' &&
    lt.units % 4 === 0 &&
    !inp.onStep &&
    !(lt.masked && lt.masked.some((m) => m !== 0)) &&
    lt.values[0] instanceof Float32Array
  );
}

interface Transposes {
  /** The float64 weights they were made from (a copy: weights edited in place make new ones). */
  U: Float64Array;
  K: Float64Array;
  UTp: Float32Array;
  KT: Float32Array;
}

/**
 * Every chunk of integrated gradients' points runs this backward again on the same weights: their transposes (a
 * strided pass over U, then the packing) are kept with the weights, checked against a copy of them before each use
 * (a compare costs a tenth of the transpose).
 */
const kept = new WeakMap<object, Transposes>();

function transposesInto(layer: RecurrentLayer, a: WasmArena, UTp: Float32Array | Float64Array, KT: Float32Array | Float64Array): void {
  const U = layer.weights.recurrentKernel.data;
  const K = layer.weights.kernel.data;
  const old = kept.get(U);
  if (old && sameValues(old.U, U) && sameValues(old.K, K)) {
    UTp.set(old.UTp);
    KT.set(old.KT);
    return;
  }
  const u = layer.config.units;
  const W = 4 * u;
  const F = K.length / W;
  const UT = a.scratch(W * u);
  for (let r = 0; r < u; r++) for (let c = 0; c < W; c++) UT[c * u + r] = U[r * W + c]!;
  a.pack(a.ptr(UTp), a.ptr(UT), u, W, u);
  for (let r = 0; r < F; r++) for (let c = 0; c < W; c++) KT[c * F + r] = K[r * W + c]!;
  kept.set(U, { U: Float64Array.from(U), K: Float64Array.from(K), UTp: Float32Array.from(UTp), KT: Float32Array.from(KT) });
}

function sameValues(a: Float64Array, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** BPTT for the items with a gradient; null when the kernel memory cannot be had (the caller walks in TypeScript). */
export function fastLstmBackward(inp: FastLstmInput, items: readonly number[]): FastLstmGrad | null {
  const { layer, trace: lt, dSeq } = inp;
  const { batch, steps, units: u } = lt;
  const F = layer.weights.kernel.shape[0]!;
  const W = 4 * u;
  const R = items.length;
  const ldh = Math.ceil(u / PACK_COLUMNS) * PACK_COLUMNS;
  const n = Math.max(1, Math.min(steps, Math.floor(blockValues / (R * (STAGED * u + W + F)))));
  const stageLen = STAGED * R * (n + 1) * u;
  const a = WasmArena.create('float32', W * u + W * ldh + W * F + stageLen + R * n * (W + F) + R * (ldh + u));
  if (!a) return null;
  // Uᵀ [4u, u] packed, Kᵀ [4u, F]: the transposes of the forward's h·U and x·K, made once per weights.
  const UTp = a.scratch(W * ldh);
  const KT = a.scratch(W * F);
  transposesInto(layer, a, UTp, KT);
  const stage = a.alloc(stageLen);
  const dz = a.scratch(R * n * W);
  const dxb = a.scratch(R * n * F);
  const dh = a.alloc(R * ldh);
  const dc = a.alloc(R * u);
  items.forEach((b, r) => {
    if (inp.dFinal[0]) dh.set(inp.dFinal[0].subarray(b * u, (b + 1) * u), r * ldh);
    if (inp.dFinal[1]) dc.set(inp.dFinal[1].subarray(b * u, (b + 1) * u), r * u);
  });
  const values = lt.values;
  const cRow = values[ROWS[4]!]!;
  const initialC = inp.initial?.[1] ?? null;
  const dx = new Float64Array(batch * steps * F);
  const goBackwards = layer.config.goBackwards;

  for (let end = steps; end > 0; ) {
    const s0 = Math.max(0, end - n);
    const m = end - s0;
    // Quantity q of item r, slot s' (0 … m): (q·R + r)·(m+1)·u + s'·u; step s0 + i is slot i + 1.
    const base = (q: number, r: number) => (q * R + r) * (m + 1) * u;
    items.forEach((b, r) => {
      const from = (b * steps + s0) * u;
      const to = from + m * u;
      ROWS.forEach((row, q) => stage.set(values[row]!.subarray(from, to), base(q, r) + u));
      if (s0 > 0) stage.set(cRow.subarray(from - u, from), base(4, r));
      else if (initialC) stage.set(initialC.subarray(b * u, (b + 1) * u), base(4, r));
      else stage.fill(0, base(4, r), base(4, r) + u);
      if (dSeq) stage.set(dSeq.subarray(from, to), base(6, r) + u);
      else stage.fill(0, base(6, r) + u, base(6, r) + (m + 1) * u);
    });
    a.kernels.lstm_bwd_steps_f32(m, R, u, a.ptr(stage), a.ptr(dz), a.ptr(dh), ldh, a.ptr(dc), a.ptr(UTp));
    // ∂y/∂x of the block's steps: dz [R·m, 4u] · Kᵀ at once.
    dxb.fill(0, 0, R * m * F);
    a.gemm(a.ptr(dxb), F, a.ptr(dz), W, R * m, W, a.ptr(KT), F, F);
    items.forEach((b, r) => {
      for (let i = 0; i < m; i++) {
        const s = s0 + i;
        const off = (b * steps + (goBackwards ? steps - 1 - s : s)) * F;
        const src = (r * m + i) * F;
        for (let k = 0; k < F; k++) dx[off + k] += dxb[src + k]!;
      }
    });
    end = s0;
  }
  const dInitial = [new Float64Array(batch * u), new Float64Array(batch * u)];
  items.forEach((b, r) => {
    dInitial[0]!.set(dh.subarray(r * ldh, r * ldh + u), b * u);
    dInitial[1]!.set(dc.subarray(r * u, (r + 1) * u), b * u);
  });
  return { dx, dInitial };
}
