/**
 * Masking backwards. Forward: a step is kept when any feature differs from mask_value, and y = x · kept (the
 * later layers skip the other steps). Backwards: dx = dy · kept; the mask itself takes no gradient.
 */
import type { LayerCall } from './layer';

export function maskingBackward(call: LayerCall): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { maskValue } = call.layer as unknown as { maskValue: number };
  const x = call.input();
  const f = x.shape[x.shape.length - 1]!;
  const dx = new Float64Array(dy.length);
  for (let r = 0; r < dx.length / f; r++) {
    let keep = false;
    for (let j = 0; j < f; j++) if (x.data[r * f + j] !== maskValue) keep = true;
    if (keep) for (let j = 0; j < f; j++) dx[r * f + j] = dy[r * f + j]!;
  }
  return dx;
}
