/** Per-quantity value ranges of a traced layer (the panel's chart scales): [lo0, hi0, lo1, hi1, …]; 0 where none is finite. */
import type { LayerTrace } from '../engine/index';

export function traceRanges(lt: LayerTrace): Float64Array {
  const out = new Float64Array(2 * lt.quantities.length);
  lt.values.forEach((v, q) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < v.length; k++) {
      const x = v[k]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    out[2 * q] = Number.isFinite(lo) ? lo : 0;
    out[2 * q + 1] = Number.isFinite(hi) ? hi : 0;
  });
  return out;
}
