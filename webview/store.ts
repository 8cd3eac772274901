/**
 * The webview's state and data, and the one-frame render scheduler. Views read from the store; changes mark what
 * must be redrawn: `data` (a new layer, batch item, unit set, quantity or theme: charts and heatmap rebuilt) or
 * `step` (only cursors, step detail, readouts). Every choice the user makes lives in `state` (PanelState), which is
 * saved with the panel after each frame and read back on a reload: nothing a view shows is kept anywhere else.
 */
import { isPanelState, type InitMessage, type PortCheckMessage, type PanelState, type TraceLayerMeta } from '../src/protocol';
import type { CompareSource } from '../src/panel/compare-source';
import type { ExplainSource } from '../src/panel/explain-source';
import type { Theme } from './theme';
import type { TraceSource } from '../src/panel/trace-source';
import { scaleFor, type ValueScale } from '../src/panel/value-scale';
import * as l10n from './l10n';

export interface Store {
  init: InitMessage | null;
  /** The current layer × batch item's trace (whole, or what the host sent of a long one). */
  data: TraceSource | null;
  /** The comparison with the recorded output (both outputs here, or kept by the host). */
  compare: CompareSource | null;
  /** The Explain views' output, explanation and request under way. */
  explain: ExplainSource | null;
  /** The last "Compare with another model…" answer (B's gates overlaid on the charts, the port view); null per run. */
  port: PortCheckMessage | null;
  theme: Theme;
  state: PanelState;
  playing: boolean;
  /** stepOfInputTime for the current layer (inverse of inputTimeOfStep). */
  stepOfTime: Int32Array;
  /** The time range the charts show when zoomed (input time, shared by the gate and input charts); null: all of it. */
  xRange: [number, number] | null;
}

/** The state of a panel that has not been shown yet (or whose saved state belongs to another file). */
export function initialState(fileUri: string): PanelState {
  return { fileUri, layer: 0, batch: 0, step: 0, quantity: 'h', units: [0], focusUnit: 0, showPre: false, tolerance: null, outUnit: null, speed: 10, tablesOpen: false, choices: null, precision: null, edits: null };
}

/** The saved state when it belongs to this run's file (clipped to the run), else a fresh one. */
export function restoreState(saved: unknown, init: InitMessage): PanelState {
  const fresh = initialState(init.fileUri);
  if (!isPanelState(saved) || saved.fileUri !== init.fileUri) return { ...fresh, units: [] };
  const layer = saved.layer < init.layers.length ? saved.layer : 0;
  const meta = init.layers[layer];
  return { ...saved, layer, batch: saved.batch < init.batch ? saved.batch : 0, units: saved.units.filter((u) => meta && u < meta.units) };
}

/** The first units charted when none are chosen. */
export const defaultUnits = (n: number) => Array.from({ length: Math.min(n, 6) }, (_, i) => i);

/** Quantity index of the heatmap's quantity (h when the layer has no such quantity: the last one). */
export function heatQuantity(s: Store): number {
  const m = layerMeta(s)!;
  const q = m.quantities.findIndex((x) => x.key === s.state.quantity);
  return q >= 0 ? q : m.quantities.length - 1;
}

/** The value scale (range and colour kind) of quantity q over the whole layer: see src/panel/value-scale.ts. */
export function quantityScale(s: Store, q: number): ValueScale {
  const m = layerMeta(s)!;
  return scaleFor(m.quantities[q]!.role, m.ranges[2 * q]!, m.ranges[2 * q + 1]!);
}

/** A chart's y range for quantity q: 0…1 for gates, else a round symmetric bound over the whole trace's range. */
export function quantityRange(s: Store, q: number): [number, number] {
  const sc = quantityScale(s, q);
  return [sc.lo, sc.hi];
}

/** The colour of the k-th charted unit. */
export function unitColour(s: Store, k: number): string {
  const c = s.theme.series;
  return c[k % c.length]!;
}

export function layerMeta(s: Store): TraceLayerMeta | null {
  return s.init?.layers[s.state.layer] ?? null;
}

/** The model input the Input card shows (and the trace carries): the one picked, else the one the shown layer reads. */
export function shownInputIndex(s: Store): number {
  const n = s.init?.modelInputs.length ?? 1;
  const k = s.state.modelInput ?? layerMeta(s)?.modelInput ?? 0;
  return k < n ? k : 0;
}

/** Name, steps, features and kind of the model input shown. */
export function shownInputMeta(s: Store): InitMessage['modelInputs'][number] {
  return s.init!.modelInputs[shownInputIndex(s)]!;
}

/** Value of quantity q for unit j at input time t of the current trace (NaN while it is being fetched). */
export function valueAt(s: Store, q: number, t: number, j: number): number {
  return s.data ? s.data.value(q, t, j) : NaN;
}

export { invertOrder as invert } from '../src/panel/overview';

/** Quantities to chart: gates, candidates and states, plus pre-activations when asked. */
export function shownQuantities(s: Store): number[] {
  const m = layerMeta(s);
  if (!m) return [];
  return m.quantities.map((q, i) => ({ q, i })).filter(({ q }) => s.state.showPre || q.role !== 'pre_activation').map(({ i }) => i);
}

/** data: everything; charts / heat: the gate charts or the heatmap got their numbers; step: cursors and step views; explain: the Explain views' data. */
export type Dirty = 'data' | 'charts' | 'heat' | 'step' | 'explain';

/** A section of the panel: built once per init (`mount…`), redrawn from the store with what changed. */
export interface View {
  render(dirty: ReadonlySet<Dirty>): void;
  dispose?(): void;
}

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
  // The digits JavaScript writes, with the display language's decimal mark (webview/l10n.ts).
  if (a < 1e-3 || a >= 1e5) return l10n.exp(x, 2);
  return l10n.fixed(x, digits);
}
