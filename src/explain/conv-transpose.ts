/**
 * The transpose of conv-patches.ts's convolveFrame: given ∂y/∂(the convolution's output) of one frame, position-major
 * [positions × cols], each position's row times the kernel [taps·channels × cols] is the gradient of its receptive
 * field, added back where the patch read it (the plan's source map; a padded tap read zeros and takes nothing).
 * Shared by the ConvLSTM cell's backward and Conv1D/2D/3D's (layers/conv.ts).
 */
import type { PatchPlan } from '../engine/conv-patches';
import type { FloatArray } from '../engine/tensor';

export function addPatchTranspose(plan: PatchPlan, kernel: FloatArray, cols: number, dOut: Float64Array, dOutOff: number, target: Float64Array, off: number, groups = 1): void {
  const { taps, channels: C, source, channelStride: cs, positionStride: ps } = plan;
  // Grouped (Conv1D/2D groups=): channel c belongs to group g, which reads kernel rows (k, c − g·cg) and feeds only
  // the group's columns [g·perGroup, (g+1)·perGroup).
  const cg = C / groups;
  const perGroup = cols / groups;
  for (let p = 0; p < plan.positions; p++) {
    const d0 = dOutOff + p * cols;
    for (let k = 0; k < taps; k++) {
      const s = source[p * taps + k]!;
      if (s < 0) continue;
      for (let c = 0; c < C; c++) {
        const g = Math.floor(c / cg);
        const r = (k * cg + c - g * cg) * cols;
        let acc = 0;
        for (let j = g * perGroup; j < (g + 1) * perGroup; j++) acc += kernel[r + j]! * dOut[d0 + j]!;
        target[off + s * ps + c * cs] += acc;
      }
    }
  }
}
