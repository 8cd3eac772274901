/**
 * The current step in detail: every quantity's vector as bars (numbers on hover), and an SVG cell diagram with the
 * focus unit's values flowing through the gates.
 */
import { diagramOf } from '../src/engine/cells/kinds';
import type { CellKind, QuantityMeta } from '../src/protocol';
import { fmt } from './store';
import type { Theme } from './theme';

export interface BarRow {
  q: QuantityMeta;
  values: ArrayLike<number>;
  lo: number;
  hi: number;
}

const ROW_H = 34;
const LABEL_W = 46;

export class StepBars {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly tip: HTMLElement;
  private rows: BarRow[] = [];
  private focus = 0;
  private theme: Theme | null = null;

  constructor(private readonly onPickUnit: (unit: number) => void) {
    this.root = document.createElement('div');
    this.root.className = 'bars';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.tip = document.createElement('div');
    this.tip.className = 'tip';
    this.tip.hidden = true;
    this.tip.setAttribute('role', 'status');
    this.root.append(this.canvas, this.tip);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => (this.tip.hidden = true));
    this.canvas.addEventListener('click', (e) => {
      const h = this.hit(e.offsetX, e.offsetY);
      if (h) this.onPickUnit(h.unit);
    });
    new ResizeObserver(() => this.draw()).observe(this.root);
  }

  set(rows: BarRow[], focus: number, theme: Theme, step: number): void {
    this.rows = rows;
    this.focus = focus;
    this.theme = theme;
    this.canvas.setAttribute('aria-label', `Values of ${rows.map((r) => r.q.label).join(', ')} for every unit at step ${step}; the data table below lists them`);
    this.draw();
  }

  private hit(x: number, y: number): { row: BarRow; unit: number } | null {
    const r = Math.floor(y / ROW_H);
    const row = this.rows[r];
    if (!row || x < LABEL_W) return null;
    const n = row.values.length;
    const w = this.canvas.clientWidth - LABEL_W - 4;
    const unit = Math.floor(((x - LABEL_W) / w) * n);
    return unit >= 0 && unit < n ? { row, unit } : null;
  }

  private hover(e: MouseEvent): void {
    const h = this.hit(e.offsetX, e.offsetY);
    if (!h) {
      this.tip.hidden = true;
      return;
    }
    this.tip.hidden = false;
    this.tip.textContent = `${h.row.q.label}[${h.unit}] = ${fmt(h.row.values[h.unit]!, 6)}`;
    const x = Math.min(e.offsetX + 12, this.canvas.clientWidth - 160);
    this.tip.style.transform = `translate(${x}px, ${e.offsetY + 12}px)`;
  }

  draw(): void {
    const theme = this.theme;
    if (!theme) return;
    const dpr = window.devicePixelRatio || 1;
    const w = this.root.clientWidth;
    const h = this.rows.length * ROW_H;
    this.canvas.style.height = `${h}px`;
    if (!w) return;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    const g = this.canvas.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    g.font = `12px ${theme.font}`;
    g.textBaseline = 'middle';
    const pw = w - LABEL_W - 4;
    this.rows.forEach((row, r) => {
      const top = r * ROW_H + 3;
      const bh = ROW_H - 8;
      g.fillStyle = theme.fg;
      g.textAlign = 'left';
      g.fillText(row.q.label, 4, top + bh / 2);
      const lo = Math.min(0, row.lo);
      const hi = Math.max(0, row.hi);
      const yOf = (v: number) => top + bh - ((v - lo) / (hi - lo || 1)) * bh;
      const y0 = yOf(0);
      g.strokeStyle = theme.grid;
      g.lineWidth = 1;
      g.beginPath();
      g.moveTo(LABEL_W, Math.round(y0) + 0.5);
      g.lineTo(LABEL_W + pw, Math.round(y0) + 0.5);
      g.stroke();
      const n = row.values.length;
      const bw = pw / n;
      const gap = bw > 4 ? 1 : 0;
      for (let j = 0; j < n; j++) {
        const v = row.values[j]!;
        if (!Number.isFinite(v)) continue;
        const y = yOf(Math.max(lo, Math.min(hi, v)));
        g.fillStyle = v < 0 ? theme.negative : theme.positive;
        g.globalAlpha = j === this.focus ? 1 : 0.6;
        const bx = LABEL_W + j * bw;
        const by = Math.min(y, y0);
        const bwid = Math.max(1, bw - gap);
        const bht = Math.max(1, Math.abs(y - y0));
        g.fillRect(bx, by, bwid, bht);
        g.globalAlpha = 1;
        if (j === this.focus) {
          g.strokeStyle = theme.cursor;
          g.lineWidth = 1.5;
          g.strokeRect(bx + 0.75, top + 0.75, Math.max(1, bwid - 1.5), bh - 1.5);
        }
      }
    });
  }
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

export class CellDiagram {
  readonly root: SVGSVGElement;
  private readonly values = new Map<string, SVGTextElement>();
  private readonly title: SVGTitleElement;
  private cell: CellKind | null = null;

  constructor() {
    this.root = el('svg', { viewBox: '0 0 480 280', class: 'diagram', role: 'img' });
    this.title = el('title', {}, this.root);
  }

  build(cell: CellKind): void {
    if (this.cell === cell) return;
    this.cell = cell;
    this.root.replaceChildren(this.title);
    this.values.clear();
    // Node positions and arrows per cell kind (CELL_KINDS); keys are quantity keys, `x`, `h_prev`, `c_prev`, operators.
    const layout = diagramOf(cell);
    const pos = new Map(layout.nodes.map((n) => [n.key, n]));
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
      if (n.kind === 'op') {
        const wide = n.label.length > 1;
        if (wide) el('rect', { x: -34, y: -12, width: 68, height: 24, rx: 12 }, g);
        else el('circle', { r: 12 }, g);
        el('text', { 'text-anchor': 'middle', 'dominant-baseline': 'central', class: 'op-label' }, g).textContent = n.label;
        if (n.key === 'pre_h') this.values.set(n.key, el('text', { y: 26, 'text-anchor': 'middle', class: 'value' }, g));
      } else {
        el('rect', { x: -34, y: -20, width: 68, height: 40, rx: n.kind === 'gate' ? 6 : 3 }, g);
        el('text', { y: -6, 'text-anchor': 'middle', class: 'label' }, g).textContent = n.label;
        this.values.set(n.key, el('text', { y: 12, 'text-anchor': 'middle', class: 'value' }, g));
      }
    }
  }

  /** values by node key (quantity keys plus x, h_prev, c_prev); missing keys show "—". */
  update(values: Record<string, number | string | undefined>, caption: string): void {
    this.title.textContent = caption;
    this.root.setAttribute('aria-label', caption);
    for (const [key, t] of this.values) {
      const v = values[key];
      t.textContent = v === undefined ? '—' : typeof v === 'string' ? v : fmt(v, 3);
    }
  }
}
