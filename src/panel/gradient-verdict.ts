/**
 * What the gradient flow of one target says about exploding or vanishing gradients: how much ‖∂y/∂h_t‖ grows or
 * shrinks from the target's step back to the first step it depends on. This, not ρ of the weights, is what the
 * Weights view's warning waits for (a gated cell with ρ > 1 usually contracts its state).
 */
export interface GradientVerdict {
  kind: 'explodes' | 'vanishes' | 'steady';
  /** log₁₀ of ‖∂y/∂h‖ at the first step over ‖∂y/∂h‖ at the target's step. */
  log10Ratio: number;
  first: number;
  last: number;
}

/** Growth or decay beyond this many orders of magnitude over the sequence is called exploding or vanishing. */
export const VERDICT_DECADES = 3;

/** The verdict of one state's ‖∂y/∂state_t‖ over input time (zeros: steps the target does not depend on); null without two such steps. */
export function gradientVerdict(norm: ArrayLike<number>): GradientVerdict | null {
  let first = -1;
  let last = -1;
  for (let t = 0; t < norm.length; t++) {
    if (!(norm[t]! > 0) || !Number.isFinite(norm[t]!)) continue;
    if (first < 0) first = t;
    last = t;
  }
  if (first < 0 || first === last) return null;
  const log10Ratio = Math.log10(norm[first]! / norm[last]!);
  const kind = log10Ratio > VERDICT_DECADES ? 'explodes' : log10Ratio < -VERDICT_DECADES ? 'vanishes' : 'steady';
  return { kind, log10Ratio, first, last };
}
