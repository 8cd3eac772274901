/**
 * The current step in detail: every quantity's vector as bars on its own axis (the quantity's value scale, ticks at
 * its ends and 0, unit numbers below, values on hover), coloured on the panel's colour scales with their legends; and
 * an SVG cell diagram with the focus unit's values flowing through the gates.
 */
import { diagramOf } from '../src/engine/cells/kinds';
import type { CellKind, QuantityMeta } from '../src/protocol';
import { position, tickText, type ValueScale } from '../src/panel/value-scale';
import { legend } from './colour';
import { setText } from './dom';
import { trackSize, type LayoutSize } from './layout-size';
import { onScreen, type OnScreen } from './on-screen';
import { fmt } from './store';
import { colourStyles, colourTable, type Theme } from './theme';
import * as l10n from './l10n';

export interface BarRow {
  q: QuantityMeta;
  values: ArrayLike<number>;
  scale: ValueScale;
}

const ROW_H = 46;
/** Quantity label, then the row's value ticks. */
const LEFT = 84;
const AXIS_H = 30;
/** A bar is at most this wide: one unit does not fill the card. */
const MAX_BAR = 40;

export class StepBars {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly tip: HTMLElement;
  private readonly legends: HTMLElement;
  private rows: BarRow[] = [];
  private focus = 0;
  private step = 0;
  private theme: Theme | null = null;
  private legendKey = '';

  constructor(private readonly onPickUnit: (unit: number) => void) {
    this.root = document.createElement('div');
    this.root.className = 'bars';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.tip = document.createElement('div');
    this.tip.className = 'tip';
    this.tip.hidden = true;
    this.tip.setAttribute('role', 'status');
    this.legends = document.createElement('div');
    this.legends.className = 'bar-legends';
    this.root.append(this.canvas, this.tip, this.legends);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => (this.tip.hidden = true));
    this.canvas.addEventListener('click', (e) => {
      const h = this.hit(e.offsetX, e.offsetY);
      if (h) this.onPickUnit(h.unit);
    });
    this.shown = onScreen(this.canvas);
    this.size = trackSize(this.root, () => this.draw());
  }

  dispose(): void {
    this.shown.dispose();
  }

  private readonly size: () => LayoutSize;
  /** The bars are drawn when the canvas is near the viewport; the aria label follows every step (webview/on-screen.ts). */
  private readonly shown: OnScreen;

  set(rows: BarRow[], focus: number, theme: Theme, step: number): void {
    this.rows = rows;
    this.focus = focus;
    this.theme = theme;
    this.step = step;
    this.canvas.setAttribute('aria-label', l10n.t('Values of {0} for every unit at step {1}; hover a bar for its value; the data table below lists them', rows.map((r) => r.q.label).join(', '), step));
    this.drawLegends();
    this.draw();
  }

  /** One legend per distinct scale (gates share one; each state its own range). */
  private drawLegends(): void {
    const theme = this.theme!;
    const groups = new Map<string, { scale: ValueScale; labels: string[] }>();
    for (const r of this.rows) {
      const k = `${r.scale.kind}|${r.scale.lo}|${r.scale.hi}`;
      const g = groups.get(k) ?? { scale: r.scale, labels: [] };
      g.labels.push(r.q.label);
      groups.set(k, g);
    }
    const key = `${theme.kind}|${theme.bg}|${[...groups].map(([k, g]) => `${k}:${g.labels}`).join(';')}`;
    if (key === this.legendKey) return;
    this.legendKey = key;
    this.legends.replaceChildren(...[...groups.values()].map((g) => legend(theme, g.scale, g.labels.join(', '))));
  }

  /** Bar width and the plot's width for n units in a canvas w wide. */
  private geometry(n: number, w: number): { bw: number; pw: number } {
    const bw = Math.min(MAX_BAR, Math.max(0.5, (w - LEFT - 4) / Math.max(1, n)));
    return { bw, pw: bw * n };
  }

  private hit(x: number, y: number): { row: BarRow; unit: number } | null {
    const r = Math.floor(y / ROW_H);
    const row = this.rows[r];
    if (!row || x < LEFT) return null;
    const n = row.values.length;
    const { bw } = this.geometry(n, this.canvas.clientWidth);
    const unit = Math.floor((x - LEFT) / bw);
    return unit >= 0 && unit < n ? { row, unit } : null;
  }

  private hover(e: MouseEvent): void {
    const h = this.hit(e.offsetX, e.offsetY);
    if (!h) {
      this.tip.hidden = true;
      return;
    }
    this.tip.hidden = false;
    this.tip.textContent = l10n.t('unit {0} · step {1} · {2} = {3}', h.unit, this.step, h.row.q.label, fmt(h.row.values[h.unit]!, 6));
    const x = Math.min(e.offsetX + 12, Math.max(0, this.canvas.clientWidth - this.tip.offsetWidth - 4));
    this.tip.style.transform = `translate(${x}px, ${e.offsetY + 12}px)`;
  }

  /** The bars over the cached frame (labels, axes, unit numbers: the same from step to step), once near the viewport. */
  draw(): void {
    const h = this.rows.length * ROW_H + AXIS_H;
    // The card's height follows the rows at once, drawn or not. Written only when it changes: a style write is a
    // layout the next frame pays for.
    if (this.canvas.style.height !== `${h}px`) this.canvas.style.height = `${h}px`;
    this.shown.draw(() => this.paint());
  }

  private paint(): void {
    const theme = this.theme;
    if (!theme) return;
    const dpr = window.devicePixelRatio || 1;
    const w = this.size().w;
    const h = this.rows.length * ROW_H + AXIS_H;
    if (!w) return;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    const n = this.rows[0]?.values.length ?? 0;
    const key = `${w}|${h}|${dpr}|${n}|${this.rows.map((r) => `${r.q.label}:${r.scale.kind}:${r.scale.lo}:${r.scale.hi}`).join(';')}`;
    if (!this.frame || this.frame.key !== key || this.frame.theme !== theme) this.frame = { key, theme, image: this.paintFrame(theme, w, h, dpr, n) };
    const g = this.canvas.getContext('2d')!;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, this.canvas.width, this.canvas.height);
    g.drawImage(this.frame.image, 0, 0);
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.font = `10px ${theme.font}`;
    g.textAlign = 'left';
    g.textBaseline = 'middle';
    const { bw } = this.geometry(n, w);
    const bwid = Math.max(1, bw - (bw > 4 ? 1 : 0));
    this.rows.forEach((row, r) => {
      const { top, bh, lo, hi, yOf } = rowAxis(row, r);
      const y0 = yOf(0);
      // Bars of one colour are filled as one path: a step redraws every bar of every row (256 units × 6 quantities
      // in the benchmark), and a fillStyle per bar was most of the step.
      const styles = colourStyles(colourTable(theme, row.scale.kind));
      const shade = new Int16Array(n);
      const order: number[] = [];
      for (let j = 0; j < n; j++) {
        const v = row.values[j]!;
        if (!Number.isFinite(v)) {
          shade[j] = -1;
          g.fillStyle = theme.warning;
          g.fillText(Number.isNaN(v) ? '?' : '∞', LEFT + j * bw + bwid / 2 + 3, top + bh / 2);
          continue;
        }
        shade[j] = Math.round(position(row.scale, barShade(row.scale, v)) * 255);
        order.push(j);
      }
      order.sort((a, b) => shade[a]! - shade[b]!);
      for (let i = 0; i < order.length; ) {
        const k = shade[order[i]!]!;
        g.fillStyle = styles[k]!;
        g.beginPath();
        for (; i < order.length && shade[order[i]!] === k; i++) {
          const j = order[i]!;
          const y = yOf(Math.max(lo, Math.min(hi, row.values[j]!)));
          g.rect(LEFT + j * bw, Math.min(y, y0), bwid, Math.max(1, Math.abs(y - y0)));
        }
        g.fill();
      }
      const f = this.focus;
      if (f >= 0 && f < n && shade[f]! >= 0) {
        g.strokeStyle = theme.cursor;
        g.lineWidth = 1.5;
        g.strokeRect(LEFT + f * bw + 0.75, top + 0.75, Math.max(1, bwid - 1.5), bh - 1.5);
      }
    });
  }

  private frame: { key: string; theme: Theme; image: HTMLCanvasElement } | null = null;

  /** Each row's label, value ticks, grid lines and axis, and the unit numbers under the last row. */
  private paintFrame(theme: Theme, w: number, h: number, dpr: number, n: number): HTMLCanvasElement {
    const out = document.createElement('canvas');
    out.width = Math.round(w * dpr);
    out.height = Math.round(h * dpr);
    const g = out.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.textBaseline = 'middle';
    const { bw, pw } = this.geometry(n, w);
    this.rows.forEach((row, r) => {
      const { top, bh, lo, hi, yOf } = rowAxis(row, r);
      g.font = `600 12px ${theme.font}`;
      g.fillStyle = theme.fg;
      g.textAlign = 'left';
      g.fillText(row.q.label, 4, top + bh / 2);
      // The row's axis: its ends and 0, with light grid lines.
      g.font = `10px ${theme.font}`;
      g.fillStyle = theme.muted;
      g.textAlign = 'right';
      g.strokeStyle = theme.grid;
      g.lineWidth = 1;
      for (const v of lo < 0 ? [hi, 0, lo] : [hi, lo]) {
        const y = Math.round(yOf(v)) + 0.5;
        g.fillText(l10n.localise(tickText(v)), LEFT - 4, Math.min(top + bh, Math.max(top, y)));
        g.beginPath();
        g.moveTo(LEFT, y);
        g.lineTo(LEFT + pw, y);
        g.stroke();
      }
      g.beginPath();
      g.moveTo(LEFT - 0.5, top);
      g.lineTo(LEFT - 0.5, top + bh);
      g.stroke();
    });
    // Unit numbers under the last row, thinned to fit.
    const base = this.rows.length * ROW_H;
    g.font = `10px ${theme.font}`;
    g.fillStyle = theme.muted;
    g.textAlign = 'center';
    g.textBaseline = 'top';
    const every = Math.max(1, Math.ceil(26 / bw));
    const nice = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((k) => k >= every) ?? every;
    for (let j = 0; j < n; j += nice) g.fillText(String(j), LEFT + (j + 0.5) * bw, base + 1);
    g.textAlign = 'left';
    g.fillText('unit', LEFT, base + 15);
    return out;
  }
}

/** Row r's band and value axis (the scale's range, with 0 always on it). */
function rowAxis(row: BarRow, r: number): { top: number; bh: number; lo: number; hi: number; yOf: (v: number) => number } {
  const top = r * ROW_H + 6;
  const bh = ROW_H - 12;
  const lo = Math.min(0, row.scale.lo);
  const hi = Math.max(0, row.scale.hi);
  return { top, bh, lo, hi, yOf: (v) => top + bh - ((v - lo) / (hi - lo || 1)) * bh };
}

/**
 * The value a bar is coloured as: its own, but at least a fifth of the way from the scale's neutral point, so a bar
 * near 0 on a diverging scale (the background colour) stays visible.
 */
function barShade(s: ValueScale, v: number): number {
  if (s.kind !== 'diverging') return v;
  const m = (s.hi - s.lo) / 2;
  const mid = (s.hi + s.lo) / 2;
  const d = v - mid;
  return Math.abs(d) >= m * 0.2 ? v : mid + (d < 0 ? -1 : 1) * m * 0.2;
}

// ---------------------------------------------------------------------------------------------------------------
// Cell diagram

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

/** A quantity of the cell at the step, as the diagram shows it: its label, equation (description) and value. */
export interface CellQuantity {
  key: string;
  label: string;
  role: QuantityMeta['role'];
  description: string;
}

const EQ_ROW = 30;

export class CellDiagram {
  readonly root: SVGSVGElement;
  private readonly values = new Map<string, SVGTextElement>();
  /** Each node's hover text (an SVG <title>): its name and exact value. */
  private readonly tips = new Map<string, { el: SVGTitleElement; name: string }>();
  private readonly title: SVGTitleElement;
  private built = '';

  constructor() {
    this.root = el('svg', { viewBox: '0 0 480 280', class: 'diagram', role: 'img' });
    this.title = el('title', {}, this.root);
  }

  /**
   * Builds the cell's picture once per cell kind (and custom definition): the kind's diagram (CELL_KINDS), or for a
   * custom cell its equations, one row per gate and state, each with its value.
   */
  build(cell: CellKind, quantities: readonly CellQuantity[] = [], actLabel = 'tanh(c)'): void {
    const key = `${cell}|${quantities.map((q) => `${q.key}:${q.role}=${q.description}`).join(';')}|${actLabel}`;
    if (this.built === key) return;
    this.built = key;
    this.root.replaceChildren(this.title);
    this.values.clear();
    this.tips.clear();
    if (cell === 'custom') return this.buildEquations(quantities);
    this.root.setAttribute('viewBox', '0 0 480 280');
    const layout = diagramOf(cell);
    const pos = new Map(layout.nodes.map((n) => [n.key, n]));
    // The gates under the model's framework's names (PyTorch g, n; ONNX c gate, h gate): the panel's quantities carry them.
    const own = new Map(quantities.map((q) => [q.key, q.label]));
    const defs = el('defs', {}, this.root);
    const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, defs);
    el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }, marker);
    for (const [a, b] of layout.edges) {
      const p = pos.get(a)!;
      const q = pos.get(b)!;
      const dx = q.x - p.x;
      const dy = q.y - p.y;
      const len = Math.hypot(dx, dy) || 1;
      const ra = p.kind === 'op' ? 13 : 26;
      const rb = q.kind === 'op' ? 15 : 28;
      el('line', { x1: p.x + (dx / len) * ra, y1: p.y + (dy / len) * ra, x2: q.x - (dx / len) * rb, y2: q.y - (dy / len) * rb, class: 'edge', 'marker-end': 'url(#arrow)' }, this.root);
    }
    for (const n of layout.nodes) {
      const g = el('g', { class: `node ${n.kind}`, transform: `translate(${n.x},${n.y})` }, this.root);
      const label = n.key === 'act_c' ? actLabel : n.kind === 'gate' ? (own.get(n.key) ?? n.label) : n.label;
      const tip = el('title', {}, g);
      this.tips.set(n.key, { el: tip, name: label });
      if (n.kind === 'op') {
        const wide = label.length > 1;
        if (wide) el('rect', { x: -34, y: -12, width: 68, height: 24, rx: 12 }, g);
        else el('circle', { r: 12 }, g);
        el('text', { 'text-anchor': 'middle', 'dominant-baseline': 'central', class: 'op-label' }, g).textContent = label;
        // Values under the node: left of tanh(c) the text ran into the output gate's box (seen in the e2e screenshots);
        // tanh(c)'s sits a little right, clear of its arrow down-left to ×.
        if (n.key === 'pre_h' || n.key === 'act_c') this.values.set(n.key, el('text', { x: n.key === 'act_c' ? 10 : 0, y: n.key === 'act_c' ? 28 : 26, 'text-anchor': 'middle', class: 'value' }, g));
      } else {
        el('rect', { x: -34, y: -20, width: 68, height: 40, rx: n.kind === 'gate' ? 6 : 3 }, g);
        el('text', { y: -6, 'text-anchor': 'middle', class: 'label' }, g).textContent = label;
        this.values.set(n.key, el('text', { y: 12, 'text-anchor': 'middle', class: 'value' }, g));
      }
    }
  }

  /** A custom cell: x and the states before the step, then each gate and state update as written, with its value. */
  private buildEquations(quantities: readonly CellQuantity[]): void {
    const rows: { key: string; label: string; eq: string; kind: string }[] = [{ key: 'x', label: 'xₜ', eq: l10n.t('the input at this step'), kind: 'io' }];
    const stateKeys = new Set(quantities.filter((q) => q.role === 'state').map((q) => q.key));
    for (const k of stateKeys) rows.push({ key: `${k}_prev`, label: `${quantities.find((q) => q.key === k)!.label}₍ₜ₋₁₎`, eq: l10n.t('carried from the step before'), kind: 'state' });
    for (const q of quantities) {
      if (stateKeys.has(q.key) || q.role === 'pre_activation') continue;
      rows.push({ key: q.key, label: q.label, eq: q.description.replace(/^gate \S+ = /, ''), kind: 'gate' });
    }
    for (const k of stateKeys) {
      const q = quantities.find((x) => x.key === k)!;
      rows.push({ key: k, label: `${q.label}ₜ`, eq: q.description.replace(new RegExp(`^${k} = `), '').replace(/^state \S+ \(kept\)$/, l10n.t('kept (no update)')), kind: 'state' });
    }
    const h = rows.length * EQ_ROW + 10;
    this.root.setAttribute('viewBox', `0 0 480 ${h}`);
    rows.forEach((r, i) => {
      const g = el('g', { class: `node ${r.kind} eq`, transform: `translate(0,${i * EQ_ROW + 6})` }, this.root);
      const tip = el('title', {}, g);
      this.tips.set(r.key, { el: tip, name: r.label });
      el('rect', { x: 2, y: 0, width: 56, height: EQ_ROW - 6, rx: r.kind === 'gate' ? 6 : 3 }, g);
      el('text', { x: 30, y: (EQ_ROW - 6) / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central', class: 'label' }, g).textContent = r.label;
      this.values.set(r.key, el('text', { x: 126, y: (EQ_ROW - 6) / 2, 'text-anchor': 'end', 'dominant-baseline': 'central', class: 'value' }, g));
      el('text', { x: 136, y: (EQ_ROW - 6) / 2, 'dominant-baseline': 'central', class: 'equation' }, g).textContent = r.kind === 'gate' || (r.kind === 'state' && !r.key.endsWith('_prev')) ? `= ${r.eq}` : r.eq;
    });
  }

  /** values by node key (quantity keys plus x, h_prev, c_prev, act_c); missing keys show "—". */
  update(values: Record<string, number | string | undefined>, caption: string): void {
    setText(this.title, caption);
    this.root.setAttribute('aria-label', caption);
    for (const [key, t] of this.values) {
      const v = values[key];
      setText(t, v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '—' : typeof v === 'string' ? v : fmt(v, 3));
    }
    for (const [key, { el: tip, name }] of this.tips) {
      const v = values[key];
      setText(tip, v === undefined ? name : `${name} = ${typeof v === 'string' ? v : fmt(v, 6)}`);
    }
  }
}
