/**
 * The one way the panel reads a layer's trace for one batch item. A small trace came whole; a long one stays on
 * the host and arrives as what is drawn: min/max series of the charted units, heatmap columns of the visible time
 * range, and full-resolution windows of processing steps around the cursor (the neighbouring window is fetched
 * before the cursor reaches it). Charts, heatmap, step detail, cell diagram and tables all read through here.
 */
import type { FloatData, HeatMessage, RequestMessage, SeriesMessage, TraceMessage, WindowMessage } from '../protocol';
import { Requests } from './requests';
import { bucketsFor, heatColumns, minMaxSeries, seriesPoints, windowSteps } from './overview';

interface Win {
  start: number;
  count: number;
  values: FloatData[];
  /** Input rows of these steps (a long input), [step − start][feature]. */
  input: FloatData | null;
}

export interface Points {
  xs: Float64Array;
  ys: Float64Array;
}

/**
 * What the views read of one layer × batch item's trace, wherever its values are. `TraceData` implements it for
 * both a whole trace (every value here) and a long one (windows, series and heat columns asked of the host by id).
 */
export interface TraceSource {
  readonly layer: number;
  readonly batch: number;
  readonly steps: number;
  readonly units: number;
  readonly masked: Uint8Array | null;
  /** The whole input [time][feature], or empty for a long input (then `inputSeries` and `inputAt`). */
  readonly input: FloatData;
  readonly inputSteps: number;
  hasStep(s: number): boolean;
  rowAtStep(q: number, s: number): ArrayLike<number> | null;
  valueAtStep(q: number, s: number, j: number): number;
  valueBeforeStep(q: number, s: number, j: number): number;
  value(q: number, t: number, j: number): number;
  ensureAround(s: number): void;
  series(q: number, j: number, units: number[]): Points | null;
  heat(q: number, t0: number, t1: number, cols: number): Float32Array | null;
  inputAt(t: number, f: number): number;
  inputSeries(f: number): Points;
  onWindow(m: WindowMessage): boolean;
  onSeries(m: SeriesMessage): boolean;
  onHeat(m: HeatMessage): boolean;
  bytes(): number;
}

const MAX_WINDOWS = 5;
const MAX_HEATS = 4;

export class TraceData implements TraceSource {
  readonly layer: number;
  readonly batch: number;
  readonly steps: number;
  readonly units: number;
  readonly quantities: number;
  /** Every value is here (a small trace). */
  readonly whole: boolean;
  readonly masked: Uint8Array | null;
  /** Per quantity: a state's values before the first processing step, [unit]; null for the other quantities. */
  private readonly initial: (FloatData | null)[];
  /** The whole input, [time][feature], or empty (a long input: a chart, and rows with each window). */
  readonly input: FloatData;
  readonly features: number;
  /** Input time steps. */
  readonly inputSteps: number;
  private readonly inputOverview: TraceMessage['inputSeries'];
  /** Steps per window (long traces). */
  readonly windowSize: number;
  private windows: Win[] = [];
  private readonly requests: Requests;
  private seriesMsg: SeriesMessage | null = null;
  private readonly localSeries = new Map<string, Points>();
  private heats: HeatMessage[] = [];
  private inputPoints: Points[] | null = null;

  constructor(
    m: TraceMessage,
    quantities: number,
    /** Processing step of input time t. */
    readonly stepOfTime: Int32Array,
    send: (m: RequestMessage) => void,
    o: { features: number; bytesPerValue: number },
  ) {
    this.requests = new Requests(send);
    this.layer = m.layer;
    this.batch = m.batch;
    this.steps = m.steps;
    this.units = m.units;
    this.quantities = quantities;
    this.whole = m.values.length > 0;
    this.masked = m.masked;
    this.initial = m.initial;
    this.input = m.input;
    this.features = o.features;
    this.inputOverview = m.inputSeries;
    this.inputSteps = m.inputSeries ? m.steps : Math.round(m.input.length / o.features);
    this.windowSize = this.whole ? m.steps : Math.min(m.steps, windowSteps(m.units, quantities, o.bytesPerValue));
    if (this.whole) this.windows.push({ start: 0, count: m.steps, values: m.values, input: null });
  }

  private win(s: number): Win | undefined {
    for (const w of this.windows) if (s >= w.start && s < w.start + w.count) return w;
    return undefined;
  }

  /** Full-resolution values of processing step s are here. */
  hasStep(s: number): boolean {
    return this.win(s) !== undefined;
  }

  /** Every unit of quantity q at processing step s, or null while it is being fetched. */
  rowAtStep(q: number, s: number): ArrayLike<number> | null {
    const w = this.win(s);
    if (!w) return null;
    const o = (s - w.start) * this.units;
    return w.values[q]!.subarray(o, o + this.units);
  }

  /** Quantity q of unit j at processing step s; NaN while it is being fetched. */
  valueAtStep(q: number, s: number, j: number): number {
    const w = this.win(s);
    return w ? w.values[q]![(s - w.start) * this.units + j]! : NaN;
  }

  /**
   * Quantity q of unit j as processing step s found it: the step before's value, or before the first step the
   * state the run started from (zeros, a stateful layer's carried state, initial_state); NaN for a gate there.
   */
  valueBeforeStep(q: number, s: number, j: number): number {
    if (s > 0) return this.valueAtStep(q, s - 1, j);
    return this.initial[q]?.[j] ?? NaN;
  }

  /** Quantity q of unit j at input time t; NaN while it is being fetched. */
  value(q: number, t: number, j: number): number {
    return this.valueAtStep(q, this.stepOfTime[t]!, j);
  }

  /**
   * Makes sure the window holding processing step s is here or on its way, and both neighbouring windows, so
   * stepping never waits for a round trip. Far windows are dropped.
   */
  ensureAround(s: number): void {
    if (this.whole) return;
    const W = this.windowSize;
    const k = Math.floor(s / W);
    const want = [k, k + 1, k - 1];
    for (const i of want) {
      const start = i * W;
      if (i < 0 || start >= this.steps || this.win(start)) continue;
      this.requests.ask(`w${start}`, { type: 'requestWindow', layer: this.layer, batch: this.batch, start, count: Math.min(W, this.steps - start) });
    }
    if (this.windows.length > MAX_WINDOWS) {
      this.windows.sort((a, b) => Math.abs(a.start + a.count / 2 - s) - Math.abs(b.start + b.count / 2 - s));
      this.windows.length = MAX_WINDOWS;
    }
  }

  /** A window arrived; true when it belongs to this trace. */
  onWindow(m: WindowMessage): boolean {
    if (this.whole || m.layer !== this.layer || m.batch !== this.batch || m.values.length !== this.quantities) return false;
    if (m.values[0]!.length !== m.count * this.units) return false;
    if (this.inputOverview && m.input?.length !== m.count * this.features) return false;
    this.requests.settle(m.re);
    if (!this.win(m.start)) this.windows.push({ start: m.start, count: m.count, values: m.values, input: m.input });
    return true;
  }

  /**
   * Chart points of quantity q for unit j (min and max per bucket of input time when the steps outnumber the
   * buckets), or null while the host computes them; `units` are the charted units (asked for together).
   */
  series(q: number, j: number, units: number[]): Points | null {
    const buckets = bucketsFor(this.steps);
    if (this.whole) {
      const key = `${q}:${j}`;
      let p = this.localSeries.get(key);
      if (!p) {
        const lo = new Float32Array(buckets);
        const hi = new Float32Array(buckets);
        if (buckets >= this.steps) {
          const ys = new Float64Array(this.steps);
          const v = this.windows[0]!.values[q]!;
          for (let t = 0; t < this.steps; t++) ys[t] = v[this.stepOfTime[t]! * this.units + j]!;
          p = { xs: Float64Array.from({ length: this.steps }, (_, t) => t), ys };
        } else {
          minMaxSeries(this.windows[0]!.values[q]!, 0, this.units, j, this.stepOfTime, buckets, lo, hi);
          p = seriesPoints(lo, hi, 0, buckets, this.steps);
        }
        this.localSeries.set(key, p);
      }
      return p;
    }
    const sm = this.seriesMsg;
    const k = sm ? sm.units.indexOf(j) : -1;
    if (sm && k >= 0) return seriesPoints(sm.min[q]!, sm.max[q]!, k * sm.buckets, sm.buckets, this.steps);
    this.requests.ask(`s${units.join(',')}`, { type: 'requestSeries', layer: this.layer, batch: this.batch, units: [...units], buckets });
    return null;
  }

  onSeries(m: SeriesMessage): boolean {
    if (this.whole || m.layer !== this.layer || m.batch !== this.batch || m.min.length !== this.quantities) return false;
    this.requests.settle(m.re);
    this.seriesMsg = m;
    return true;
  }

  /**
   * The mean of every unit of quantity q over `cols` parts of input time [t0, t1): [col][unit]. Null while the host
   * computes it (the heatmap keeps its last picture meanwhile).
   */
  heat(q: number, t0: number, t1: number, cols: number): Float32Array | null {
    if (this.whole) return heatColumns(this.windows[0]!.values[q]!, 0, this.units, this.stepOfTime, t0, t1, cols);
    const hit = this.heats.find((h) => h.quantity === q && h.t0 === t0 && h.t1 === t1 && h.cols === Math.min(cols, t1 - t0));
    if (hit) return hit.values;
    // One at a time: a zoom gesture asks for many ranges; the one in view when the answer comes is asked next.
    if (this.requests.anyOpen('h')) return null;
    this.requests.ask(`h${q}:${t0}:${t1}:${cols}`, { type: 'requestHeat', layer: this.layer, batch: this.batch, quantity: q, t0, t1, cols });
    return null;
  }

  onHeat(m: HeatMessage): boolean {
    if (this.whole || m.layer !== this.layer || m.batch !== this.batch || m.values.length !== m.cols * this.units) return false;
    this.requests.settle(m.re);
    this.heats = [m, ...this.heats.filter((h) => !(h.quantity === m.quantity && h.t0 === m.t0 && h.t1 === m.t1))].slice(0, MAX_HEATS);
    return true;
  }

  /** Input feature f at input time t; NaN while its window is being fetched (a long input). */
  inputAt(t: number, f: number): number {
    if (!this.inputOverview) return this.input[t * this.features + f]!;
    const s = this.stepOfTime[t]!;
    const w = this.win(s);
    return w?.input ? w.input[(s - w.start) * this.features + f]! : NaN;
  }

  /** Input feature f over time as chart points (min/max per bucket for long inputs). */
  inputSeries(f: number): Points {
    const features = this.features;
    const T = this.inputSteps;
    this.inputPoints ??= [];
    let p = this.inputPoints[f];
    const io = this.inputOverview;
    if (!p && io) p = this.inputPoints[f] = seriesPoints(io.min, io.max, f * io.buckets, io.buckets, T);
    if (!p) {
      const buckets = bucketsFor(T);
      const identity = Int32Array.from({ length: T }, (_, t) => t);
      const lo = new Float32Array(buckets);
      const hi = new Float32Array(buckets);
      if (buckets >= T) {
        const ys = new Float64Array(T);
        for (let t = 0; t < T; t++) ys[t] = this.input[t * features + f]!;
        p = { xs: Float64Array.from(identity), ys };
      } else {
        minMaxSeries(this.input, 0, features, f, identity, buckets, lo, hi);
        p = seriesPoints(lo, hi, 0, buckets, T);
      }
      this.inputPoints[f] = p;
    }
    return p;
  }

  /** Bytes of trace data held here (windows, series, heat columns). */
  bytes(): number {
    let n = this.input.byteLength + (this.masked?.byteLength ?? 0);
    for (const w of this.windows) for (const v of [...w.values, ...(w.input ? [w.input] : [])]) n += v.byteLength;
    if (this.inputOverview) n += this.inputOverview.min.byteLength + this.inputOverview.max.byteLength;
    if (this.seriesMsg) for (const v of [...this.seriesMsg.min, ...this.seriesMsg.max]) n += v.byteLength;
    for (const h of this.heats) n += h.values.byteLength;
    return n;
  }
}
