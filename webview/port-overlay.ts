/**
 * B's values on A's gate charts after "Compare with another model…": the paired layer-direction's quantity, one
 * unit over input time, from the `portCheck` answer (sent in input-time order); null where there is nothing to
 * overlay (no comparison, the pair not comparable, a quantity B does not record, a long trace drawn as buckets).
 */
import type { Store } from './store';
import * as l10n from './l10n';

export function portSeries(s: Store, key: string, unit: number): Float64Array | null {
  const o = s.port?.result?.pairs.find((p) => p.layer === s.state.layer)?.overlay;
  if (!o) return null;
  const q = o.keys.indexOf(key);
  const b = s.state.batch;
  if (q < 0 || unit >= o.units || b >= o.batch) return null;
  const v = o.values[q]!;
  const ys = new Float64Array(o.steps);
  for (let t = 0; t < o.steps; t++) ys[t] = v[(b * o.steps + t) * o.units + unit]!;
  return ys;
}

/** The legend's words for the overlay, when there is one for the layer shown. */
export function portLegend(s: Store): string | null {
  const r = s.port?.result;
  return r && r.pairs.some((p) => p.layer === s.state.layer && p.overlay) ? l10n.t('dashed: {0} ({1})', r.b.file, r.b.framework) : null;
}
