/**
 * Gate saturation over a trace (Karpathy, Johnson & Fei-Fei 2015, "Visualizing and Understanding Recurrent
 * Networks"): per unit, the share of steps a gate is left-saturated (< 0.1) or right-saturated (> 0.9).
 * Dead units: never active (|h| < 1e-3 at every step), or with a gate stuck saturated at every step while h does
 * not change. A gate stuck open or closed in a unit whose state still moves is what hand-set cells do on purpose
 * (the counter's ±inf biases): it is listed (`stuck`) but is no alarm.
 * Counted over every batch item and processing step; steps skipped by masking are left out.
 */
import type { LayerTrace } from '../engine/trace';

export interface SaturationOptions {
  low?: number;
  high?: number;
  /** |h| below this at every step: the unit is never active. */
  deadAbs?: number;
}

export interface GateSaturation {
  key: string;
  label: string;
  /** left[j], right[j]: shares in [0, 1] of unit j's steps below `low` / above `high`. */
  left: Float64Array;
  right: Float64Array;
}

export interface DeadUnit {
  unit: number;
  reason: string;
}

export interface LayerSaturation {
  layerName: string;
  direction: 'forward' | 'backward';
  units: number;
  /** Steps counted per unit (batch × steps minus masked). */
  counted: number;
  gates: GateSaturation[];
  dead: DeadUnit[];
  /** Units with a gate saturated at every step whose h still changes (so not dead): the fact, without the alarm. */
  stuck: DeadUnit[];
}

export function layerSaturation(lt: LayerTrace, o: SaturationOptions = {}): LayerSaturation {
  const low = o.low ?? 0.1;
  const high = o.high ?? 0.9;
  const deadAbs = o.deadAbs ?? 1e-3;
  const U = lt.units;
  const rows = lt.batch * lt.steps;
  const live = (r: number) => !lt.masked || !lt.masked[r];
  let counted = 0;
  for (let r = 0; r < rows; r++) if (live(r)) counted++;
  const gates: GateSaturation[] = [];
  lt.quantities.forEach((q, qi) => {
    if (q.role !== 'gate') return;
    const v = lt.values[qi]!;
    const left = new Float64Array(U);
    const right = new Float64Array(U);
    for (let r = 0; r < rows; r++) {
      if (!live(r)) continue;
      for (let j = 0; j < U; j++) {
        const x = v[r * U + j]!;
        if (x < low) left[j]++;
        else if (x > high) right[j]++;
      }
    }
    for (let j = 0; j < U; j++) {
      left[j] = counted ? left[j]! / counted : 0;
      right[j] = counted ? right[j]! / counted : 0;
    }
    gates.push({ key: q.key, label: q.label, left, right });
  });
  const dead: DeadUnit[] = [];
  const stuck: DeadUnit[] = [];
  const hq = lt.quantities.findIndex((q) => q.key === 'h');
  for (let j = 0; j < U; j++) {
    const reasons: string[] = [];
    // h over the counted steps: never active, or never changing (then a stuck gate is the reason it is dead).
    let maxAbs = 0;
    let lo = Infinity;
    let hi = -Infinity;
    if (hq >= 0 && counted) {
      const h = lt.values[hq]!;
      for (let r = 0; r < rows; r++) {
        if (!live(r)) continue;
        const x = h[r * U + j]!;
        maxAbs = Math.max(maxAbs, Math.abs(x));
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      if (maxAbs < deadAbs) reasons.push(`never active: |h| < ${deadAbs} at every step (max ${maxAbs.toExponential(1)})`);
    }
    const gateReasons: string[] = [];
    if (counted) {
      for (const g of gates) {
        if (g.left[j] === 1) gateReasons.push(`gate ${g.label} stuck closed (< ${low} at every step)`);
        else if (g.right[j] === 1) gateReasons.push(`gate ${g.label} stuck open (> ${high} at every step)`);
      }
    }
    // Without an h to look at (a custom cell naming its output otherwise) a stuck gate keeps its old weight.
    const hMoves = hq >= 0 && counted > 1 && hi - lo >= deadAbs;
    if (gateReasons.length && !hMoves) reasons.push(...gateReasons);
    if (reasons.length) dead.push({ unit: j, reason: reasons.join('; ') });
    else if (gateReasons.length) stuck.push({ unit: j, reason: `${gateReasons.join('; ')}; h still changes (${fmt(lo)} to ${fmt(hi)})` });
  }
  return { layerName: lt.layerName, direction: lt.direction, units: U, counted, gates, dead, stuck };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(3));
