/**
 * Units × time heatmap on a plain canvas. Only the visible time window is drawn, one pixel column / row at a time:
 * when several steps or units fall on one pixel they are averaged (level of detail). The columns come from the data
 * source (`columns`: computed here for a small trace, by the host for a long one), so a 512 × 100 000 trace costs
 * about as much as the canvas has pixels. The image is cached; moving the step redraws only the cursor overlay.
 * Hovering a cell shows its step (or batch item), unit and value; the legend below shows the colour scale.
 */
import { legend } from './colour';
import { trackSize, type LayoutSize } from './layout-size';
import { colourTable, type Theme } from './theme';
import { fmt } from './store';
import { bucketEnd, bucketStart } from '../src/panel/overview';
import { position, type ValueScale } from '../src/panel/value-scale';
import * as l10n from './l10n';
import { onScreen, type OnScreen } from './on-screen';

export interface HeatmapData {
  /**
   * The mean of every unit over `cols` equal parts of input time [t0, t1), [col][unit]; null while it is being
   * fetched (the last picture stays until it comes and setData is called again).
   */
  columns(t0: number, t1: number, cols: number): ArrayLike<number> | null;
  steps: number;
  units: number;
  /** The colour scale (src/panel/value-scale.ts). */
  scale: ValueScale;
  label: string;
  /** What the x axis counts (default "step"); only a time axis is zoomed with the wheel. */
  xLabel?: string;
  zoomable?: boolean;
  /** The exact value at (x, unit) for the hover readout; NaN when it is not at hand (the column's mean is shown). */
  value?(x: number, unit: number): number;
}

const LEFT = 44;
const BOTTOM = 32;
const TOP = 4;
const RIGHT = 10;

export class Heatmap {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private readonly nearView: OnScreen;
  private readonly legend: HTMLElement;
  private readonly tip: HTMLElement;
  /** The last picture's columns, for the hover readout when no exact value is at hand. */
  private shown: { cols: ArrayLike<number>; iw: number; ih: number } | null = null;
  private data: HeatmapData | null = null;
  private theme: Theme | null = null;
  private table: Uint8ClampedArray | null = null;
  /** Visible input-time window [t0, t1). */
  private t0 = 0;
  private t1 = 0;
  private cursor = { t: 0, unit: 0 };

  constructor(private readonly onPick: (unit: number, t: number) => void) {
    this.root = document.createElement('div');
    this.root.className = 'heatmap';
    const box = document.createElement('div');
    box.className = 'heatmap-box';
    this.canvas = document.createElement('canvas');
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'overlay';
    this.overlay.setAttribute('aria-hidden', 'true');
    this.tip = document.createElement('div');
    this.tip.className = 'tip';
    this.tip.hidden = true;
    box.append(this.canvas, this.overlay, this.tip);
    this.nearView = onScreen(box);
    this.legend = document.createElement('div');
    this.legend.className = 'heatmap-legend';
    this.root.append(box, this.legend);
    this.canvas.addEventListener('click', (e) => this.pick(e));
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => (this.tip.hidden = true));
    this.canvas.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    this.size = trackSize(this.canvas, () => this.redraw());
  }

  /** The canvas's laid-out size (webview/layout-size.ts: moving the cursor must not force a layout). */
  private readonly size: () => LayoutSize;

  setData(d: HeatmapData, theme: Theme): void {
    const sameShape = this.data && this.data.steps === d.steps;
    this.data = d;
    if (!sameShape) {
      this.t0 = 0;
      this.t1 = d.steps;
    }
    this.table = colourTable(theme, d.scale.kind);
    this.theme = theme;
    const x = d.xLabel ?? l10n.t('step');
    this.canvas.setAttribute('aria-label', l10n.t('Heatmap of {0} for {1} units over {2} columns ({3}); hover a cell for its value, click it to select its unit and {3}', d.label, d.units, d.steps, x));
    this.legend.replaceChildren(legend(theme, d.scale, d.label, this.zoomable ? l10n.t('wheel or + / − to zoom time') : ''));
    this.redraw();
  }

  private get zoomable(): boolean {
    return this.data?.zoomable ?? true;
  }

  /** Moves the cursor; pans the window when the step leaves it. */
  /** The panel is re-mounted (a new run): stop watching the viewport for this heatmap. */
  dispose(): void {
    this.nearView.dispose();
  }

  setCursor(t: number, unit: number): void {
    this.cursor = { t, unit };
    const span = this.t1 - this.t0;
    if (this.data && (t < this.t0 || t >= this.t1)) {
      this.t0 = Math.max(0, Math.min(this.data.steps - span, t - Math.floor(span / 2)));
      this.t1 = this.t0 + span;
      this.redraw();
    } else this.drawOverlay();
  }

  zoom(factor: number, centre = this.cursor.t): void {
    if (!this.data) return;
    const n = this.data.steps;
    const span = Math.max(Math.min(n, 8), Math.min(n, Math.round((this.t1 - this.t0) * factor)));
    this.t0 = Math.max(0, Math.min(n - span, Math.round(centre - span / 2)));
    this.t1 = this.t0 + span;
    this.redraw();
  }

  /** Pixel columns a picture of `steps` steps (the whole range) would ask its data for; 0 before layout. */
  columnsFor(steps: number): number {
    if (!this.size().w) return 0;
    const dpr = window.devicePixelRatio || 1;
    return Math.max(1, Math.min(Math.round(this.plot().w * dpr), steps));
  }

  get window(): [number, number] {
    return [this.t0, this.t1];
  }

  private wheel(e: WheelEvent): void {
    if (!this.data || !this.zoomable) return;
    e.preventDefault();
    const { t } = this.at(e.offsetX, e.offsetY);
    this.zoom(e.deltaY > 0 ? 1.25 : 0.8, t);
  }

  private plot(): { x: number; y: number; w: number; h: number } {
    const { w, h } = this.size();
    return { x: LEFT, y: TOP, w: Math.max(1, w - LEFT - RIGHT), h: Math.max(1, h - TOP - BOTTOM) };
  }

  private at(px: number, py: number): { t: number; unit: number } {
    const d = this.data!;
    const p = this.plot();
    const t = this.t0 + Math.floor(((px - p.x) / p.w) * (this.t1 - this.t0));
    const unit = Math.floor(((py - p.y) / p.h) * d.units);
    return { t: Math.max(0, Math.min(d.steps - 1, t)), unit: Math.max(0, Math.min(d.units - 1, unit)) };
  }

  private hover(e: MouseEvent): void {
    const d = this.data;
    const p = this.plot();
    if (!d || e.offsetX < p.x || e.offsetX > p.x + p.w || e.offsetY < p.y || e.offsetY > p.y + p.h) {
      this.tip.hidden = true;
      return;
    }
    const { t, unit } = this.at(e.offsetX, e.offsetY);
    let v = d.value ? d.value(t, unit) : NaN;
    let what = '';
    const sh = this.shown;
    if (Number.isNaN(v) && sh) {
      // The picture's own number: the mean of the steps (and units) that fall on this pixel.
      const ix = Math.max(0, Math.min(sh.iw - 1, Math.floor(((e.offsetX - p.x) / p.w) * sh.iw)));
      const iy = Math.max(0, Math.min(sh.ih - 1, Math.floor(((e.offsetY - p.y) / p.h) * sh.ih)));
      const ua = bucketStart(iy, d.units, sh.ih);
      const ub = bucketEnd(iy, d.units, sh.ih);
      let sum = 0;
      for (let u = ua; u < ub; u++) sum += sh.cols[ix * d.units + u]!;
      v = sum / (ub - ua);
      const ta = this.t0 + bucketStart(ix, this.t1 - this.t0, sh.iw);
      const tb = this.t0 + bucketEnd(ix, this.t1 - this.t0, sh.iw) - 1;
      if (tb > ta || ub - ua > 1) what = ` (${l10n.t('mean of {0}', [tb > ta ? `${d.xLabel ?? l10n.t('step')} ${ta}–${tb}` : '', ub - ua > 1 ? l10n.t('units {0}–{1}', ua, ub - 1) : ''].filter(Boolean).join(', '))})`;
    }
    this.tip.textContent = `${d.xLabel ?? l10n.t('step')} ${t} · ${l10n.t('unit {0}', unit)} · ${d.label} = ${fmt(v, 6)}${what}`;
    this.tip.hidden = false;
    const x = Math.min(e.offsetX + 12, Math.max(0, this.canvas.clientWidth - this.tip.offsetWidth - 4));
    const y = e.offsetY + 14 + this.tip.offsetHeight > this.canvas.clientHeight ? e.offsetY - this.tip.offsetHeight - 6 : e.offsetY + 14;
    this.tip.style.transform = `translate(${x}px, ${y}px)`;
  }

  private pick(e: MouseEvent): void {
    if (!this.data) return;
    const p = this.plot();
    if (e.offsetX < p.x || e.offsetY < p.y || e.offsetY > p.y + p.h) return;
    const { t, unit } = this.at(e.offsetX, e.offsetY);
    this.onPick(unit, t);
  }

  private fit(c: HTMLCanvasElement): { g: CanvasRenderingContext2D; dpr: number; w: number; h: number } {
    const dpr = window.devicePixelRatio || 1;
    const { w, h } = this.size();
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const g = c.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    return { g, dpr, w, h };
  }

  redraw(): void {
    const d = this.data;
    const theme = this.theme;
    const table = this.table;
    if (!d || !theme || !table || !this.size().w) return;
    const dpr = window.devicePixelRatio || 1;
    const p = this.plot();
    // Image in device pixels: one pixel column per aggregated time range, one row per aggregated unit range.
    const iw = Math.max(1, Math.min(Math.round(p.w * dpr), this.t1 - this.t0));
    const ih = Math.max(1, Math.min(Math.round(p.h * dpr), d.units));
    const cols = d.columns(this.t0, this.t1, iw);
    if (!cols) return; // being fetched: the last picture stays
    const { g, w, h } = this.fit(this.canvas);
    g.clearRect(0, 0, w, h);
    const img = g.createImageData(iw, ih);
    const px = img.data;
    const span = this.t1 - this.t0;
    this.shown = { cols, iw, ih };
    for (let ix = 0; ix < iw; ix++) {
      const base = ix * d.units;
      for (let iy = 0; iy < ih; iy++) {
        const ua = bucketStart(iy, d.units, ih);
        const ub = bucketEnd(iy, d.units, ih);
        let s = 0;
        for (let u = ua; u < ub; u++) s += cols[base + u]!;
        const v = s / (ub - ua);
        const k = Number.isFinite(v) ? Math.round(position(d.scale, v) * 255) : 0;
        const o = (iy * iw + ix) * 4;
        px[o] = table[k * 4]!;
        px[o + 1] = table[k * 4 + 1]!;
        px[o + 2] = table[k * 4 + 2]!;
        px[o + 3] = 255;
      }
    }
    // Stretch the image onto the plot area (nearest neighbour keeps cells crisp).
    const tmp = document.createElement('canvas');
    tmp.width = iw;
    tmp.height = ih;
    tmp.getContext('2d')!.putImageData(img, 0, 0);
    g.imageSmoothingEnabled = false;
    g.drawImage(tmp, p.x, p.y, p.w, p.h);
    // Axes.
    g.fillStyle = theme.muted;
    g.font = `11px ${theme.font}`;
    g.textBaseline = 'middle';
    g.textAlign = 'right';
    const rowH = p.h / d.units;
    const every = Math.max(1, Math.ceil(14 / rowH));
    const nice = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((n) => n >= every) ?? every;
    for (let u = 0; u < d.units; u += nice) g.fillText(String(u), p.x - 4, p.y + (u + 0.5) * rowH);
    g.textAlign = 'center';
    g.textBaseline = 'top';
    const colW = p.w / span;
    const tEvery = Math.max(1, Math.ceil(48 / colW));
    const tNice = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].find((n) => n >= tEvery) ?? tEvery;
    for (let t = Math.ceil(this.t0 / tNice) * tNice; t < this.t1; t += tNice) g.fillText(String(t), p.x + (t - this.t0 + 0.5) * colW, p.y + p.h + 4);
    g.save();
    g.translate(10, p.y + p.h / 2);
    g.rotate(-Math.PI / 2);
    g.textBaseline = 'middle';
    g.fillText(l10n.t('unit'), 0, 0);
    g.restore();
    g.textAlign = 'center';
    g.textBaseline = 'top';
    g.fillText(d.xLabel ?? l10n.t('step'), p.x + p.w / 2, p.y + p.h + 17);
    this.drawOverlay();
    this.onDrawn?.();
  }

  /** Called after a picture was drawn from the data's columns. */
  onDrawn: (() => void) | null = null;

  /** The cursor and focus row, once the heatmap is near the viewport (webview/on-screen.ts). */
  private drawOverlay(): void {
    this.nearView.draw(() => this.paintOverlay());
  }

  private paintOverlay(): void {
    const d = this.data;
    const theme = this.theme;
    if (!d || !theme || !this.size().w) return;
    const { g, w, h } = this.fit(this.overlay);
    g.clearRect(0, 0, w, h);
    const p = this.plot();
    const span = this.t1 - this.t0;
    const colW = p.w / span;
    const rowH = p.h / d.units;
    const t = this.cursor.t;
    g.strokeStyle = theme.cursor;
    g.lineWidth = 1.5;
    if (t >= this.t0 && t < this.t1) {
      const x = p.x + (t - this.t0) * colW;
      if (colW >= 4) g.strokeRect(x + 0.75, p.y + 0.75, colW - 1.5, p.h - 1.5);
      else {
        g.beginPath();
        g.moveTo(Math.round(x) + 0.5, p.y);
        g.lineTo(Math.round(x) + 0.5, p.y + p.h);
        g.stroke();
      }
    }
    // Focus unit: a marker on the right edge and a thin outline of the row.
    const y = p.y + this.cursor.unit * rowH;
    const r = p.x + p.w;
    g.fillStyle = theme.cursor;
    g.beginPath();
    g.moveTo(r + 1, y + rowH / 2);
    g.lineTo(r + 7, y + rowH / 2 - 4);
    g.lineTo(r + 7, y + rowH / 2 + 4);
    g.fill();
    if (rowH >= 4) {
      g.setLineDash([3, 2]);
      g.strokeRect(p.x + 0.5, y + 0.5, p.w - 1, Math.max(1, rowH - 1));
      g.setLineDash([]);
    }
  }
}
