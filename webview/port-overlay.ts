/**
 * B's values on A's gate charts after "Compare with another model…": the paired layer-direction's quantity, one
 * unit over input time, from the `portCheck` answer (sent in input-time order); null where there is nothing to
 * overlay (no comparison, the pair not comparable, a quantity B does not record). A long trace is drawn as min/max
 * buckets and its B side is not sent (too long): the legend says the overlay is off there rather than draw nothing
 * silently or a line that would not match the buckets.
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

/**
 * The legend's words for the overlay on the layer shown: B dashed, or why B is not drawn (`bucketed`: the charts
 * show min/max per bucket of steps; or B's trace was too long to send). Null without a comparison of this layer.
 */
export function portLegend(s: Store, bucketed: boolean): { text: string; off: boolean } | null {
  const r = s.port?.result;
  const pair = r?.pairs.find((p) => p.layer === s.state.layer);
  if (!r || !pair || pair.mismatch) return null;
  if (pair.overlay && !bucketed) return { text: l10n.t('dashed: {0} ({1})', r.b.file, r.b.framework), off: false };
  return { text: l10n.t('{0} not drawn: a long trace is charted as min/max per bucket of steps, B’s steps cannot be overlaid on them (per-gate |Δ| in Compare with another model)', r.b.file), off: true };
}
