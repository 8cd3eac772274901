/**
 * The webview's state and data, and the one-frame render scheduler. Views read from the store; changes mark what
 * must be redrawn: `data` (a new layer, batch item, unit set, quantity or theme: charts and heatmap rebuilt) or
 * `step` (only cursors, step detail, readouts).
 */
import type { ComparisonMessage, InitMessage, PanelState, TraceLayerMeta } from '../src/protocol';
import type { Theme } from './theme';
import type { TraceData } from './tracedata';

export interface Store {
  init: InitMessage | null;
  /** The current layer × batch item's trace (whole, or what the host sent of a long one). */
  data: TraceData | null;
  comparison: ComparisonMessage | null;
  theme: Theme;
  state: PanelState;
  playing: boolean;
  /** Steps per second while playing. */
  speed: number;
  /** stepOfInputTime for the current layer (inverse of inputTimeOfStep). */
  stepOfTime: Int32Array;
  /** Time of the last step change, for the render timing readout. */
  stepChangedAt: number;
}

export function layerMeta(s: Store): TraceLayerMeta | null {
  return s.init?.layers[s.state.layer] ?? null;
}

/** Value of quantity q for unit j at input time t of the current trace (NaN while it is being fetched). */
export function valueAt(s: Store, q: number, t: number, j: number): number {
  return s.data ? s.data.value(q, t, j) : NaN;
}

export { invertOrder as invert } from '../src/extension/panel/overview';

/** Quantities to chart: gates, candidates and states, plus pre-activations when asked. */
export function shownQuantities(s: Store): number[] {
  const m = layerMeta(s);
  if (!m) return [];
  return m.quantities.map((q, i) => ({ q, i })).filter(({ q }) => s.state.showPre || q.role !== 'pre_activation').map(({ i }) => i);
}

/** data: everything; charts / heat: the gate charts or the heatmap got their numbers; step: cursors and step views. */
export type Dirty = 'data' | 'charts' | 'heat' | 'step';

export class Scheduler {
  private pending = new Set<Dirty>();
  private frame = 0;
  constructor(private readonly render: (dirty: Set<Dirty>) => void) {}
  mark(d: Dirty): void {
    this.pending.add(d);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }
  flush(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const p = this.pending;
    this.pending = new Set();
    if (p.size) this.render(p);
  }
}

/** "0-3, 7" → [0, 1, 2, 3, 7] within [0, units); null when unreadable. */
export function parseUnits(text: string, units: number): number[] | null {
  const out = new Set<number>();
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let j = Math.min(a, b); j <= Math.max(a, b) && out.size < 64; j++) if (j < units) out.add(j);
  }
  return out.size ? [...out].sort((x, y) => x - y) : null;
}

export function unitsText(units: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < units.length; ) {
    let k = i;
    while (k + 1 < units.length && units[k + 1] === units[k]! + 1) k++;
    parts.push(k > i ? `${units[i]}-${units[k]}` : `${units[i]}`);
    i = k + 1;
  }
  return parts.join(', ');
}

export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(2);
  return x.toFixed(digits);
}
