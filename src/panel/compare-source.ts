/**
 * The one way the panel reads a comparison with the recorded output. A small one came whole (`LocalCompare`: the
 * webview holds both outputs and computes what it draws); a long output over time stays on the host
 * (`RemoteCompare`: the webview asks for the chart, the |Δ| columns and a verdict under a new tolerance). Both make
 * their figures with the same functions (compare-views.ts, src/compare), so the Compare view never branches on
 * where the values are, and a small and a long comparison of the same data draw the same picture.
 */
import { compareTensors, type Tolerance } from '../compare/compare';
import type { CompareHeatMessage, CompareSeriesMessage, ComparisonMessage, RequestMessage } from '../protocol';
import { compareHeatColumns, compareSeries, type CompareSeries } from './compare-views';
import { bucketsFor, seriesPoints } from './overview';
import { Requests } from './requests';
import type { Points } from './trace-source';

export interface CompareAxes {
  /** The output is a sequence: rows are the steps of one batch item; else rows are the batch items. */
  overTime: boolean;
  rows: number;
  units: number;
}

export interface Verdict {
  pass: boolean;
  mismatches: number;
  /** Indices (batch, [step,] unit) of the first value outside the tolerance. */
  first: number[] | null;
  tolerance: Tolerance;
}

export interface CompareLines {
  actual: Points;
  expected: Points;
  err: Points;
}

export interface CompareSource {
  readonly message: ComparisonMessage;
  readonly axes: CompareAxes;
  /** The |Δ| heatmap's top: the largest finite |Δ| of the whole output. */
  readonly heatTop: number;
  /** The comparison under the tolerance in force (the host's default until `setTolerance`). */
  verdict(): Verdict;
  /** Judges again with `t` (a long comparison asks the host: its answer comes as a new `comparison` message). */
  setTolerance(t: Tolerance): void;
  /** A new comparison message for the same run (a verdict under a new tolerance, the worker's diagnosis). */
  update(m: ComparisonMessage): void;
  /** Output unit `unit` along the rows (of batch item `batch` over time); null while the host computes it. */
  lines(batch: number, unit: number): CompareLines | null;
  /** Largest |Δ| of every output unit in `cols` parts of rows [t0, t1): [col][unit]; null while the host computes it. */
  heat(batch: number, t0: number, t1: number, cols: number): Float32Array | null;
  /** A reply from the host arrived: true when it was this source's (then redraw). */
  onSeries(m: CompareSeriesMessage): boolean;
  onHeat(m: CompareHeatMessage): boolean;
}

export function compareAxes(c: ComparisonMessage): CompareAxes {
  const overTime = c.shape.length === 3;
  return { overTime, rows: overTime ? c.shape[1]! : c.shape[0]!, units: c.shape[c.shape.length - 1] ?? 1 };
}

const sameTolerance = (a: Tolerance, b: Tolerance) => a.atol === b.atol && a.rtol === b.rtol;

function linesOf(s: CompareSeries, buckets: number, rows: number): CompareLines {
  return {
    actual: seriesPoints(s.actualMin, s.actualMax, 0, buckets, rows),
    expected: seriesPoints(s.expectedMin, s.expectedMax, 0, buckets, rows),
    err: seriesPoints(s.errMax, s.errMax, 0, buckets, rows),
  };
}

abstract class CompareBase {
  axes: CompareAxes;
  constructor(public message: ComparisonMessage) {
    this.axes = compareAxes(message);
  }
  get heatTop(): number {
    return Number.isFinite(this.message.maxAbs) ? this.message.maxAbs : 0;
  }
  protected hostVerdict(): Verdict {
    const m = this.message;
    return { pass: m.pass, mismatches: m.mismatches, first: m.firstDivergence, tolerance: { atol: m.atol, rtol: m.rtol } };
  }
}

/** Both outputs are here: every figure is computed in the webview, a new tolerance at once. */
class LocalCompare extends CompareBase implements CompareSource {
  private judged: Verdict | null = null;
  private readonly series = new Map<string, CompareLines>();

  verdict(): Verdict {
    return this.judged ?? this.hostVerdict();
  }

  setTolerance(t: Tolerance): void {
    const m = this.message;
    if (sameTolerance(t, { atol: m.atol, rtol: m.rtol })) return void (this.judged = null);
    const c = compareTensors({ shape: m.shape, data: m.actual }, { shape: m.shape, data: m.expected }, t);
    this.judged = { pass: c.pass, mismatches: c.mismatches, first: c.firstDivergence ? [...c.firstDivergence.indices] : null, tolerance: t };
  }

  update(m: ComparisonMessage): void {
    const t = this.verdict().tolerance;
    this.message = m;
    this.setTolerance(t);
  }

  private base(batch: number): number {
    return this.axes.overTime ? batch * this.axes.rows * this.axes.units : 0;
  }

  lines(batch: number, unit: number): CompareLines {
    const { rows, units, overTime } = this.axes;
    const key = `${overTime ? batch : 0}:${unit}`;
    let p = this.series.get(key);
    if (!p) {
      const B = bucketsFor(rows);
      p = linesOf(compareSeries(this.message.actual, this.message.expected, this.base(batch), rows, units, unit, B), B, rows);
      this.series.set(key, p);
    }
    return p;
  }

  heat(batch: number, t0: number, t1: number, cols: number): Float32Array {
    return compareHeatColumns(this.message.actual, this.message.expected, this.base(batch), this.axes.units, t0, t1, Math.min(cols, t1 - t0));
  }

  onSeries(): boolean {
    return false;
  }
  onHeat(): boolean {
    return false;
  }
}

/** The outputs stay on the host: the webview asks for what it draws (one request of each kind at a time). */
class RemoteCompare extends CompareBase implements CompareSource {
  private readonly series = new Map<string, CompareSeriesMessage>();
  private heats: CompareHeatMessage[] = [];
  private readonly requests: Requests;

  constructor(message: ComparisonMessage, send: (m: RequestMessage) => void) {
    super(message);
    this.requests = new Requests(send);
  }

  verdict(): Verdict {
    return this.hostVerdict();
  }

  setTolerance(t: Tolerance): void {
    if (!sameTolerance(t, this.hostVerdict().tolerance)) this.requests.ask(`t${t.atol}:${t.rtol}`, { type: 'requestCompare', output: this.message.output, atol: t.atol, rtol: t.rtol });
  }

  update(m: ComparisonMessage): void {
    this.requests.settle(m.re);
    this.message = m;
  }

  lines(batch: number, unit: number): CompareLines | null {
    const s = this.series.get(`${batch}:${unit}`);
    if (s) return linesOf(s, s.buckets, this.axes.rows);
    this.requests.ask(`s${batch}:${unit}`, { type: 'requestCompareSeries', output: this.message.output, batch, unit });
    return null;
  }

  heat(batch: number, t0: number, t1: number, cols: number): Float32Array | null {
    const hit = this.heats.find((m) => m.batch === batch && m.t0 === t0 && m.t1 === t1 && m.cols === Math.min(cols, t1 - t0));
    if (hit) return hit.values;
    this.requests.ask(`h${batch}:${t0}:${t1}:${cols}`, { type: 'requestCompareHeat', output: this.message.output, batch, t0, t1, cols });
    return null;
  }

  onSeries(m: CompareSeriesMessage): boolean {
    if (!this.requests.settle(m.re)) return false;
    this.series.set(`${m.batch}:${m.unit}`, m);
    return true;
  }

  onHeat(m: CompareHeatMessage): boolean {
    if (!this.requests.settle(m.re)) return false;
    this.heats = [m, ...this.heats].slice(0, 4);
    return true;
  }
}

/** The source for a comparison message: local when it carries both outputs, remote when the host kept them. */
export function compareSource(m: ComparisonMessage, ask: (m: RequestMessage) => void): CompareSource {
  return m.kept ? new RemoteCompare(m, ask) : new LocalCompare(m);
}
