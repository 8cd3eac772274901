/**
 * chart.js with only what the panel uses registered (line charts on linear axes, min/max decimation, tooltips), and
 * a line chart with a transparent overlay canvas for the step cursor: moving the step redraws only the overlay.
 */
import { Chart, Decimation, LineController, LineElement, LinearScale, PointElement, Tooltip, type ChartDataset, type Plugin } from 'chart.js';
import type { Theme } from './theme';
import * as l10n from './l10n';
import { onScreen, type OnScreen } from './on-screen';

Chart.register(LineController, LineElement, PointElement, LinearScale, Decimation, Tooltip);

export interface Series {
  label: string;
  color: string;
  /** y by x = 0..n-1 (or the given xs). */
  ys: ArrayLike<number>;
  /** x of each y (e.g. a long trace's min/max points per bucket); default 0..n-1. */
  xs?: ArrayLike<number>;
  dashed?: boolean;
  yAxis?: 'y' | 'y1';
  width?: number;
  /** Drawn translucent, without points (secondary series such as errors). */
  faint?: boolean;
}

export interface LineChartOptions {
  title: string;
  ariaLabel: string;
  xLabel: string;
  yMin?: number | undefined;
  yMax?: number | undefined;
  y1Label?: string;
  height: number;
  plugins?: Plugin<'line'>[];
  /** The x axis's tick text (e.g. the step's token under its number); default the number. */
  xTick?: ((x: number) => string | string[]) | undefined;
}

/** #rrggbb (or any colour chart.js accepts) with an alpha; non-hex colours are returned unchanged. */
function withAlpha(color: string, a: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return color;
  const n = parseInt(m[1]!, 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${a})`;
}

const tick = (v: number | string): string => {
  const x = Number(v);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a < 1e-3 || a >= 1e5 ? l10n.exp(x, 1) : l10n.plain(Number(x.toPrecision(4)));
};

function dataset(s: Series): ChartDataset<'line', { x: number; y: number }[]> {
  const data = new Array<{ x: number; y: number }>(s.ys.length);
  const xs = s.xs;
  for (let i = 0; i < s.ys.length; i++) data[i] = { x: xs ? xs[i]! : i, y: s.ys[i]! };
  return {
    label: s.label,
    data,
    borderColor: s.faint ? withAlpha(s.color, 0.55) : s.color,
    backgroundColor: s.faint ? withAlpha(s.color, 0.55) : s.color,
    borderWidth: s.width ?? 1.5,
    borderDash: s.dashed ? [5, 3] : [],
    pointRadius: s.ys.length <= 24 && !s.faint ? 2 : 0,
    pointHoverRadius: 3,
    yAxisID: s.yAxis ?? 'y',
    tension: 0,
    spanGaps: true,
  };
}

export class LineChart {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  /** The cursor is drawn when the chart is near the viewport (webview/on-screen.ts). */
  private readonly shown: OnScreen;
  private chart: Chart<'line', { x: number; y: number }[]> | null = null;
  private xCount = 0;
  /** The x range shown when zoomed ([min, max] in x units); null: the whole axis. */
  private range: [number, number] | null = null;

  constructor(private readonly o: LineChartOptions) {
    this.root = document.createElement('figure');
    this.root.className = 'chart';
    const cap = document.createElement('figcaption');
    cap.className = 'chart-title';
    cap.textContent = o.title;
    const box = document.createElement('div');
    box.className = 'chart-box';
    box.style.height = `${o.height}px`;
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', o.ariaLabel);
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'overlay';
    this.overlay.setAttribute('aria-hidden', 'true');
    box.append(this.canvas, this.overlay);
    this.shown = onScreen(box);
    this.root.append(cap, box);
  }

  setTitle(title: string, aria: string): void {
    this.root.querySelector('figcaption')!.textContent = title;
    this.canvas.setAttribute('aria-label', aria);
  }

  /** Replaces all data (redraws the chart); `xCount`: the x axis spans 0 … xCount − 1 (default: the longest series). */
  setData(series: Series[], theme: Theme, yMin = this.o.yMin, yMax = this.o.yMax, xCount?: number): void {
    const n = xCount ?? series.reduce((a, s) => Math.max(a, s.xs?.length ? s.xs[s.xs.length - 1]! + 1 : s.ys.length), 0);
    this.xCount = n;
    const datasets = series.map(dataset);
    const ticks = { color: theme.muted, font: { family: theme.font, size: 11 }, maxRotation: 0 };
    const grid = { color: theme.grid };
    const hasY1 = series.some((s) => s.yAxis === 'y1');
    const scales = {
      x: {
        type: 'linear' as const,
        ...this.xBounds(),
        ticks: { ...ticks, precision: 0, ...(this.o.xTick ? { callback: (v: number | string) => (Number.isInteger(Number(v)) ? this.o.xTick!(Number(v)) : '') } : {}) },
        grid, title: { display: true, text: this.o.xLabel, color: theme.muted, font: { size: 11 } } },
      y: { type: 'linear' as const, ticks: { ...ticks, callback: tick }, grid, ...(yMin !== undefined ? { min: yMin } : {}), ...(yMax !== undefined ? { max: yMax } : {}) },
      ...(hasY1
        ? { y1: { type: 'linear' as const, position: 'right' as const, min: 0, ticks: { ...ticks, color: theme.error, callback: tick }, grid: { drawOnChartArea: false }, title: { display: !!this.o.y1Label, text: this.o.y1Label ?? '', color: theme.error, font: { size: 11 } } } }
        : {}),
    };
    if (this.chart) {
      this.chart.data.datasets = datasets;
      this.chart.options.scales = scales;
      this.chart.options.plugins!.tooltip!.bodyColor = theme.fg;
      this.chart.options.plugins!.tooltip!.titleColor = theme.fg;
      this.chart.options.plugins!.tooltip!.backgroundColor = theme.bg;
      this.chart.options.plugins!.tooltip!.borderColor = theme.border;
      this.chart.update('none');
    } else {
      this.chart = new Chart<'line', { x: number; y: number }[]>(this.canvas, {
        type: 'line',
        data: { datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          parsing: false,
          normalized: true,
          interaction: { mode: 'nearest', axis: 'x', intersect: false },
          scales,
          plugins: {
            decimation: { enabled: true, algorithm: 'min-max' },
            tooltip: {
              backgroundColor: theme.bg,
              titleColor: theme.fg,
              bodyColor: theme.fg,
              borderColor: theme.border,
              borderWidth: 1,
              callbacks: { title: (items) => `${this.o.xLabel} ${items[0]?.parsed.x ?? ''}` },
            },
          },
        },
        plugins: [...(this.o.plugins ?? []), { id: 'cursorSync', afterRender: () => this.onRendered?.() }],
      });
    }
  }

  private xBounds(): { min: number; max: number } {
    const last = Math.max(1, this.xCount - 1);
    const r = this.range;
    // Whole steps at the edges: the axis's end ticks read 118 and 272, not 118.0 and 271.07.
    return r ? { min: Math.max(0, Math.floor(r[0])), max: Math.min(last, Math.ceil(r[1])) } : { min: 0, max: last };
  }

  /** Shows x range [min, max] (null: the whole axis); redraws only when it changed. */
  setXRange(r: [number, number] | null): void {
    if (this.range === r || (r && this.range && r[0] === this.range[0] && r[1] === this.range[1])) return;
    this.range = r ? [r[0], r[1]] : null;
    this.root.dataset.xRange = r ? `${r[0]}:${r[1]}` : '';
    const x = this.chart?.options.scales?.x;
    if (!x) return;
    Object.assign(x, this.xBounds());
    this.chart!.update('none');
  }

  /** The x value at a pixel offset of the chart's canvas and the plot's pixel span (null before the first draw). */
  xAt(px: number): { x: number; left: number; right: number } | null {
    const c = this.chart;
    if (!c) return null;
    return { x: c.scales.x!.getValueForPixel(px) ?? 0, left: c.chartArea.left, right: c.chartArea.right };
  }

  /** The pixel of a (x, y) point on the canvas, and the y value at a pixel row (dragging a point). */
  pixelOf(x: number, y: number): { px: number; py: number } | null {
    const c = this.chart;
    return c ? { px: c.scales.x!.getPixelForValue(x), py: c.scales.y!.getPixelForValue(y) } : null;
  }

  yAt(py: number): number {
    return this.chart?.scales.y!.getValueForPixel(py) ?? NaN;
  }

  /** Called after chart.js re-rendered (resize, data): the overlay must be redrawn. */
  onRendered: (() => void) | null = null;

  /** Draws the cursor at x (and dots at the given y values, on the y axis) on the overlay only. */
  drawCursor(x: number, color: string, dots: { y: number; color: string }[] = []): void {
    this.shown.draw(() => this.paintCursor(x, color, dots));
  }

  private paintCursor(x: number, color: string, dots: { y: number; color: string }[]): void {
    const c = this.chart;
    const ov = this.overlay;
    const dpr = window.devicePixelRatio || 1;
    // The size chart.js laid the canvas out at (kept by its resize observer): reading clientWidth here would force a
    // layout of the whole panel on every step after the sections before this one wrote theirs (webview/layout-size.ts).
    const w = c?.width ?? 0;
    const h = c?.height ?? 0;
    if (ov.width !== Math.round(w * dpr) || ov.height !== Math.round(h * dpr)) {
      ov.width = Math.round(w * dpr);
      ov.height = Math.round(h * dpr);
    }
    const g = ov.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    // chart.js builds its scales once the canvas is in the page and laid out.
    if (!c || !this.xCount || !c.scales.x || !c.scales.y) return;
    const area = c.chartArea;
    const px = c.scales.x!.getPixelForValue(x);
    g.strokeStyle = color;
    g.lineWidth = 1.5;
    g.beginPath();
    g.moveTo(Math.round(px) + 0.5, area.top);
    g.lineTo(Math.round(px) + 0.5, area.bottom);
    g.stroke();
    for (const d of dots) {
      if (!Number.isFinite(d.y)) continue;
      const py = c.scales.y!.getPixelForValue(d.y);
      g.fillStyle = d.color;
      g.beginPath();
      g.arc(px, py, 3, 0, Math.PI * 2);
      g.fill();
    }
  }

  /** Calls back with the x value (rounded) clicked on the plot area. */
  onPickX(pick: (x: number) => void): void {
    this.canvas.addEventListener('click', (e) => {
      const c = this.chart;
      if (!c || e.offsetX < c.chartArea.left || e.offsetX > c.chartArea.right) return;
      const x = c.scales.x!.getValueForPixel(e.offsetX);
      if (x !== undefined && Number.isFinite(x)) pick(Math.round(x));
    });
  }

  /** The canvas the chart draws on (tests sample its pixels). */
  get chartCanvas(): HTMLCanvasElement {
    return this.canvas;
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
    this.shown.dispose();
    this.root.remove();
  }
}
