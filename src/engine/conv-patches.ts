/**
 * N-dimensional convolution as im2col + the cells' row product (linalg `vecMat`): every output position gathers its
 * receptive field into one row [kernel positions × channels] (zeros where the window leaves the input), and the row
 * times the kernel reshaped to [kernel positions · channels, columns] is that position's output. Keras kernels
 * [k₁, …, k_n, channels, columns] are already that matrix, row (k₁, …, k_n, c) in row-major order.
 *
 * Used by ConvLSTM (its input and recurrent convolutions, src/engine/cells/conv-lstm.ts) and Conv3D (layers/conv3d.ts).
 * Padding per axis as Conv1D's `windowPlan` (`same`: the smaller half of the padding first, as XLA does).
 */
import { windowPlan, type ConvPadding } from './layers/conv1d';
import { vecMat } from './linalg';
import type { FloatArray } from './tensor';

export interface ConvGeometry {
  /** Input sizes per spatial axis. */
  spatial: readonly number[];
  channels: number;
  kernel: readonly number[];
  strides: readonly number[];
  dilation: readonly number[];
  /** `causal` (Conv1D only): all the padding before the input. */
  padding: ConvPadding;
  /** Channels before the spatial axes ([C, …spatial], Keras channels_first) instead of after them. */
  channelsFirst: boolean;
}

export interface PatchPlan {
  /** Output sizes per spatial axis. */
  out: number[];
  /** Output positions (product of `out`). */
  positions: number;
  /** Kernel positions (product of the kernel sizes). */
  taps: number;
  channels: number;
  /** source[p·taps + k]: the input position (flat, spatial row-major) tap k of output position p reads, or −1 (padding). */
  source: Int32Array;
  /** Distance between a position's channels and between positions in the input frame (layout). */
  channelStride: number;
  positionStride: number;
}

/** Output sizes of a convolution over `spatial` (0 on an axis where the kernel does not fit, padding valid). */
export function convOutput(g: Omit<ConvGeometry, 'channels' | 'channelsFirst'>): number[] {
  return g.spatial.map((n, a) => windowPlan(n, g.kernel[a]!, g.strides[a]!, g.dilation[a]!, g.padding).steps);
}

export function patchPlan(g: ConvGeometry): PatchPlan {
  const rank = g.spatial.length;
  const plans = g.spatial.map((n, a) => windowPlan(n, g.kernel[a]!, g.strides[a]!, g.dilation[a]!, g.padding));
  const out = plans.map((p) => p.steps);
  const positions = out.reduce((a, b) => a * b, 1);
  const taps = g.kernel.reduce((a, b) => a * b, 1);
  const size = g.spatial.reduce((a, b) => a * b, 1);
  const source = new Int32Array(positions * taps);
  const pos = new Array<number>(rank).fill(0);
  const tap = new Array<number>(rank).fill(0);
  for (let p = 0; p < positions; p++) {
    let rest = p;
    for (let a = rank - 1; a >= 0; a--) {
      pos[a] = rest % out[a]!;
      rest = Math.floor(rest / out[a]!);
    }
    for (let k = 0; k < taps; k++) {
      let r = k;
      for (let a = rank - 1; a >= 0; a--) {
        tap[a] = r % g.kernel[a]!;
        r = Math.floor(r / g.kernel[a]!);
      }
      let flat = 0;
      for (let a = 0; a < rank; a++) {
        const i = pos[a]! * g.strides[a]! + tap[a]! * g.dilation[a]! - plans[a]!.padLeft;
        if (i < 0 || i >= g.spatial[a]!) {
          flat = -1;
          break;
        }
        flat = flat * g.spatial[a]! + i;
      }
      source[p * taps + k] = flat;
    }
  }
  return {
    out,
    positions,
    taps,
    channels: g.channels,
    source,
    channelStride: g.channelsFirst ? size : 1,
    positionStride: g.channelsFirst ? 1 : g.channels,
  };
}

/** The receptive field of output position p of the frame at x[xOff ..], written into row[0 .. taps·channels). */
export function gatherPatch(plan: PatchPlan, p: number, x: FloatArray, xOff: number, row: FloatArray): void {
  const { taps, channels: C, source, channelStride: cs, positionStride: ps } = plan;
  const base = p * taps;
  for (let k = 0; k < taps; k++) {
    const s = source[base + k]!;
    const r0 = k * C;
    if (s < 0) {
      row.fill(0, r0, r0 + C);
      continue;
    }
    const x0 = xOff + s * ps;
    for (let c = 0; c < C; c++) row[r0 + c] = x[x0 + c * cs]!;
  }
}

/**
 * dst[p·cols + j] = Σ_r patch(p)[r] · kernel[r, j] for every output position p: the convolution of one frame,
 * position-major. `row` is scratch of taps·channels values in the run's precision (a float32 row keeps the sums
 * rounding like the float32 products elsewhere).
 */
export function convolveFrame(plan: PatchPlan, x: FloatArray, xOff: number, kernel: FloatArray, cols: number, row: FloatArray, dst: FloatArray, dOff = 0): void {
  const rows = plan.taps * plan.channels;
  for (let p = 0; p < plan.positions; p++) {
    gatherPatch(plan, p, x, xOff, row);
    vecMat(dst, dOff + p * cols, row, 0, rows, kernel, cols, 0, cols);
  }
}
