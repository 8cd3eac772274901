/**
 * An attribution drawn two ways: a feature × step heatmap (diverging colours: blue takes the target down, red up,
 * white/background nothing; symmetric scale ±max|a| with its legend; the value under the pointer shown) or, for a
 * token model, the input text with each token's background coloured by its attribution (Karpathy style). A click
 * picks the step; the step cursor is outlined.
 */
import { setText } from './dom';
import { fmt } from './store';
import { trackSize, type LayoutSize } from './layout-size';
import { colourTable, type Theme } from './theme';
import * as l10n from './l10n';
import { onScreen, type OnScreen } from './on-screen';

export interface AttributionData {
  /** [steps][features] row-major (features 1 for a per-step or per-token attribution). */
  values: Float64Array;
  steps: number;
  features: number;
  /** Token models: the text of each step's token (then the text view is drawn). */
  tokens: string[] | null;
  /** What one value is, for the readout ("gradient × input"). */
  label: string;
}

const LEFT = 44;
const BOTTOM = 20;
const TOP = 4;
const RIGHT = 8;

export class AttributionView {
  readonly root: HTMLElement;
  /** The value under the pointer (or at the cursor), in words. */
  readonly readout: HTMLElement;
  private readonly box: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tip: HTMLElement;
  private readonly text: HTMLElement;
  private readonly legend: HTMLElement;
  private d: AttributionData | null = null;
  private theme: Theme | null = null;
  private table: Uint8ClampedArray | null = null;
  private max = 1;
  private cursor = 0;

  constructor(private readonly onPick: (t: number) => void) {
    this.root = document.createElement('div');
    this.root.className = 'attribution';
    this.box = document.createElement('div');
    this.box.className = 'attribution-box';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.tabIndex = 0;
    this.tip = document.createElement('div');
    this.tip.className = 'attribution-tip';
    this.tip.hidden = true;
    this.box.append(this.canvas, this.tip);
    this.text = document.createElement('div');
    this.text.className = 'token-text';
    this.legend = document.createElement('div');
    this.legend.className = 'attribution-legend';
    this.readout = document.createElement('div');
    this.readout.className = 'attribution-readout muted';
    this.root.append(this.box, this.text, this.legend, this.readout);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e.offsetX, e.offsetY));
    this.canvas.addEventListener('mouseleave', () => (this.tip.hidden = true));
    this.canvas.addEventListener('click', (e) => {
      const at = this.at(e.offsetX, e.offsetY);
      if (at) this.onPick(at.t);
    });
    this.text.addEventListener('mouseover', (e) => {
      const t = Number((e.target as HTMLElement).dataset.t);
      if (Number.isInteger(t)) this.readout.textContent = this.describe(t, 0);
    });
    this.text.addEventListener('click', (e) => {
      const t = Number((e.target as HTMLElement).dataset.t);
      if (Number.isInteger(t)) this.onPick(t);
    });
    this.shown = onScreen(this.canvas);
    this.size = trackSize(this.canvas, () => ((this.picture = null), this.draw()));
  }

  /** The canvas's laid-out size (webview/layout-size.ts), and its picture without the cursor at that size. */
  private readonly size: () => LayoutSize;
  private picture: HTMLCanvasElement | null = null;

  set(d: AttributionData, theme: Theme): void {
    this.d = d;
    if (this.theme !== theme) this.table = colourTable(theme, true);
    this.theme = theme;
    let m = 0;
    for (const v of d.values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
    this.max = m || 1;
    this.picture = null;
    const tokens = d.tokens !== null;
    this.box.hidden = tokens;
    this.text.hidden = !tokens;
    this.canvas.setAttribute('aria-label', l10n.t('{0} of {1} features over {2} steps; blue lowers the target, red raises it', d.label, d.features, d.steps));
    this.drawLegend();
    if (tokens) this.drawText();
    else this.draw();
  }

  /** The panel is re-mounted (a new run): stop watching the viewport for this view. */
  dispose(): void {
    this.shown.dispose();
  }

  setCursor(t: number): void {
    this.cursor = t;
    if (!this.d) return;
    if (this.d.tokens) {
      this.text.querySelector('.at-cursor')?.classList.remove('at-cursor');
      this.text.querySelector(`[data-t="${t}"]`)?.classList.add('at-cursor');
    } else this.draw(); // the cached picture and the new cursor
    if (t < this.d.steps) setText(this.readout, l10n.t('at the cursor: {0}', this.describe(t, this.d.features === 1 ? 0 : -1)));
  }

  /** "t 12 · feature 3: +1.2e-3" (f −1: the step's sum over its features). */
  private describe(t: number, f: number): string {
    const d = this.d!;
    const tok = d.tokens ? ` ${JSON.stringify(d.tokens[t] ?? '')}` : '';
    if (f < 0) {
      let s = 0;
      for (let k = 0; k < d.features; k++) s += d.values[t * d.features + k]!;
      return l10n.t('step {0}: Σ over features {1}', t, signed(s));
    }
    const where = d.features > 1 ? l10n.t('step {0}{1} · feature {2}', t, tok, f) : l10n.t('step {0}{1}', t, tok);
    return `${where}: ${d.label} ${signed(d.values[t * d.features + f]!)}`;
  }

  private colourOf(v: number): [number, number, number] {
    const k = Math.max(0, Math.min(255, Math.round(((v / this.max + 1) / 2) * 255)));
    const t = this.table!;
    return [t[k * 4]!, t[k * 4 + 1]!, t[k * 4 + 2]!];
  }

  private drawLegend(): void {
    const theme = this.theme!;
    const bar = document.createElement('span');
    bar.className = 'legend-bar';
    bar.style.background = `linear-gradient(to right, ${theme.negative}, ${theme.bg}, ${theme.positive})`;
    this.legend.replaceChildren(span(`−${fmt(this.max, 3)}`), bar, span(`+${fmt(this.max, 3)}`), span(`  ${l10n.t('blue lowers the target, red raises it')}`, 'muted'));
  }

  private drawText(): void {
    const d = this.d!;
    const frag = document.createDocumentFragment();
    for (let t = 0; t < d.steps; t++) {
      const s = document.createElement('span');
      const tok = d.tokens![t] ?? '';
      s.textContent = tok === '\n' ? '↵' : tok === ' ' ? '␣' : tok;
      s.dataset.t = String(t);
      s.dataset.value = String(d.values[t]);
      const [r, g, b] = this.colourOf(d.values[t]!);
      s.style.background = `rgb(${r},${g},${b})`;
      s.style.color = 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#000' : '#fff';
      s.title = this.describe(t, 0);
      if (t === this.cursor) s.className = 'at-cursor';
      frag.append(s);
      if (tok === '\n') frag.append(document.createElement('br'));
    }
    this.text.replaceChildren(frag);
  }

  private plot(): { x: number; y: number; w: number; h: number } {
    const { w, h } = this.size();
    return { x: LEFT, y: TOP, w: Math.max(1, w - LEFT - RIGHT), h: Math.max(1, h - TOP - BOTTOM) };
  }

  private at(px: number, py: number): { t: number; f: number } | null {
    const d = this.d;
    if (!d) return null;
    const p = this.plot();
    if (px < p.x || px > p.x + p.w || py < p.y || py > p.y + p.h) return null;
    return { t: Math.min(d.steps - 1, Math.floor(((px - p.x) / p.w) * d.steps)), f: Math.min(d.features - 1, Math.floor(((py - p.y) / p.h) * d.features)) };
  }

  private hover(px: number, py: number): void {
    const at = this.at(px, py);
    if (!at) return void (this.tip.hidden = true);
    const text = this.describe(at.t, at.f);
    this.tip.textContent = text;
    this.readout.textContent = text;
    this.tip.hidden = false;
    const right = px > this.canvas.clientWidth / 2;
    this.tip.style.left = right ? '' : `${px + 12}px`;
    this.tip.style.right = right ? `${this.canvas.clientWidth - px + 12}px` : '';
    this.tip.style.top = `${Math.max(0, py - 24)}px`;
  }

  /** The picture (drawn once per data, theme and size) with the step cursor on it. */
  /** The picture and the cursor, once the canvas is near the viewport (webview/on-screen.ts). */
  private draw(): void {
    this.shown.draw(() => this.paintCursor());
  }

  private readonly shown: OnScreen;

  private paintCursor(): void {
    const d = this.d;
    const theme = this.theme;
    const { w: W, h: H } = this.size();
    if (!d || !theme || d.tokens || !W) return;
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(W * dpr) || this.canvas.height !== Math.round(H * dpr)) {
      this.canvas.width = Math.round(W * dpr);
      this.canvas.height = Math.round(H * dpr);
    }
    if (!this.picture || this.picture.width !== this.canvas.width || this.picture.height !== this.canvas.height) this.picture = this.paint(d, theme, dpr);
    const g = this.canvas.getContext('2d')!;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, this.canvas.width, this.canvas.height);
    g.drawImage(this.picture, 0, 0);
    if (this.cursor < d.steps) {
      const p = this.plot();
      const colW = p.w / d.steps;
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.strokeStyle = theme.cursor;
      g.lineWidth = 1.5;
      const x = p.x + this.cursor * colW;
      g.strokeRect(x + 0.75, p.y + 0.75, Math.max(1.5, colW - 1.5), p.h - 1.5);
    }
  }

  /** The heatmap, its frame and axes on a canvas of the view's device pixels. */
  private paint(d: AttributionData, theme: Theme, dpr: number): HTMLCanvasElement {
    const out = document.createElement('canvas');
    out.width = this.canvas.width;
    out.height = this.canvas.height;
    const g = out.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const p = this.plot();
    // One image pixel per step and feature up to the plot's device pixels; beyond, the largest |a| of those it covers.
    const iw = Math.max(1, Math.min(d.steps, Math.round(p.w * dpr)));
    const ih = Math.max(1, Math.min(d.features, Math.round(p.h * dpr)));
    const img = g.createImageData(iw, ih);
    for (let ix = 0; ix < iw; ix++) {
      const t0 = Math.floor((ix * d.steps) / iw);
      const t1 = Math.max(t0 + 1, Math.floor(((ix + 1) * d.steps) / iw));
      for (let iy = 0; iy < ih; iy++) {
        const f0 = Math.floor((iy * d.features) / ih);
        const f1 = Math.max(f0 + 1, Math.floor(((iy + 1) * d.features) / ih));
        let v = 0;
        for (let t = t0; t < t1; t++) for (let f = f0; f < f1; f++) {
          const x = d.values[t * d.features + f]!;
          if (Math.abs(x) > Math.abs(v)) v = x;
        }
        const [r, gg, b] = this.colourOf(v);
        const o = (iy * iw + ix) * 4;
        img.data[o] = r;
        img.data[o + 1] = gg;
        img.data[o + 2] = b;
        img.data[o + 3] = 255;
      }
    }
    const tmp = document.createElement('canvas');
    tmp.width = iw;
    tmp.height = ih;
    tmp.getContext('2d')!.putImageData(img, 0, 0);
    g.imageSmoothingEnabled = false;
    g.drawImage(tmp, p.x, p.y, p.w, p.h);
    g.strokeStyle = theme.border;
    g.strokeRect(p.x - 0.5, p.y - 0.5, p.w + 1, p.h + 1);
    g.fillStyle = theme.muted;
    g.font = `11px ${theme.font}`;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    const rowH = p.h / d.features;
    const fEvery = niceStep(Math.ceil(14 / rowH));
    if (d.features > 1) for (let f = 0; f < d.features; f += fEvery) g.fillText(String(f), p.x - 4, p.y + (f + 0.5) * rowH);
    g.textAlign = 'center';
    g.textBaseline = 'top';
    const colW = p.w / d.steps;
    const tEvery = niceStep(Math.ceil(48 / colW));
    for (let t = 0; t < d.steps; t += tEvery) g.fillText(String(t), p.x + (t + 0.5) * colW, p.y + p.h + 4);
    g.save();
    g.translate(10, p.y + p.h / 2);
    g.rotate(-Math.PI / 2);
    g.fillText(d.features > 1 ? 'feature' : '', 0, -6);
    g.restore();
    return out;
  }
}

const niceStep = (n: number) => [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].find((k) => k >= n) ?? n;
const signed = (v: number) => (v > 0 ? '+' : '') + fmt(v, 5);

function span(text: string, cls = ''): HTMLElement {
  const s = document.createElement('span');
  s.textContent = text;
  if (cls) s.className = cls;
  return s;
}
