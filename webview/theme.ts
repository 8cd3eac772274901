/**
 * Colours for canvases, read from VS Code's `--vscode-*` CSS variables (canvas cannot use CSS variables), and read
 * again when VS Code switches theme (it changes the body's class: vscode-light / vscode-dark / vscode-high-contrast).
 * Line colours (units) and the diverging scale's ends are made legible on the theme's background (3:1 at least):
 * a theme's dark orange on a dark editor, or a pale one on Solarized Light, would otherwise vanish.
 */
import { colourTable as scaleTable, legibleOn, type Rgb, type ScaleKind } from '../src/panel/value-scale';

export interface Theme {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  fg: string;
  muted: string;
  bg: string;
  grid: string;
  border: string;
  focus: string;
  cursor: string;
  /** Line colours for units, in order. */
  series: string[];
  /** Diverging scale ends and the sequential scale's end. */
  negative: string;
  positive: string;
  error: string;
  warning: string;
  font: string;
}

function css(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

export function readTheme(): Theme {
  const b = document.body;
  const s = getComputedStyle(b);
  const kind = b.classList.contains('vscode-high-contrast-light')
    ? 'high-contrast-light'
    : b.classList.contains('vscode-high-contrast')
      ? 'high-contrast'
      : b.classList.contains('vscode-light')
        ? 'light'
        : 'dark';
  const light = kind === 'light' || kind === 'high-contrast-light';
  const fg = css(s, '--vscode-editor-foreground', css(s, '--vscode-foreground', light ? '#333333' : '#cccccc'));
  const bg = css(s, '--vscode-editor-background', light ? '#ffffff' : '#1e1e1e');
  const hc = kind.startsWith('high-contrast');
  const blue = css(s, '--vscode-charts-blue', light ? '#1a85ff' : '#3794ff');
  const red = css(s, '--vscode-charts-red', light ? '#e51400' : '#f14c4c');
  const series = [
    blue,
    css(s, '--vscode-charts-orange', '#d18616'),
    css(s, '--vscode-charts-green', '#89d185'),
    css(s, '--vscode-charts-purple', '#b180d7'),
    red,
    css(s, '--vscode-charts-yellow', '#cca700'),
    light ? '#0b7a75' : '#4ec9b0',
    light ? '#8a5a00' : '#dcdcaa',
  ];
  const bgRgb = toRgb(bg);
  const legible = (c: string) => {
    const rgb = legibleOn(toRgb(c), bgRgb);
    return `#${rgb.map((x) => x.toString(16).padStart(2, '0')).join('')}`;
  };
  return {
    kind,
    fg,
    muted: css(s, '--vscode-descriptionForeground', light ? '#717171' : '#9d9d9d'),
    bg,
    grid: hc ? css(s, '--vscode-contrastBorder', fg) : light ? 'rgba(0,0,0,0.10)' : 'rgba(255,255,255,0.10)',
    border: css(s, '--vscode-panel-border', css(s, '--vscode-contrastBorder', light ? '#e5e5e5' : '#444444')),
    focus: css(s, '--vscode-focusBorder', blue),
    cursor: hc ? css(s, '--vscode-contrastActiveBorder', css(s, '--vscode-focusBorder', '#f38518')) : css(s, '--vscode-editorCursor-foreground', fg),
    series: series.map(legible),
    negative: legible(blue),
    positive: legible(red),
    error: css(s, '--vscode-errorForeground', red),
    warning: css(s, '--vscode-editorWarning-foreground', '#cca700'),
    font: css(s, '--vscode-font-family', 'system-ui, sans-serif'),
  };
}

/** Calls back (once per frame at most) whenever VS Code changes the theme. */
export function watchTheme(onChange: (t: Theme) => void): () => void {
  let last = document.body.className;
  const obs = new MutationObserver(() => {
    if (document.body.className === last) return;
    last = document.body.className;
    onChange(readTheme());
  });
  obs.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  return () => obs.disconnect();
}

export type { Rgb };

let probe: CanvasRenderingContext2D | null = null;

/** Any CSS colour → [r, g, b] via a 1×1 canvas. */
export function toRgb(color: string): Rgb {
  probe ??= document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!probe) return [128, 128, 128];
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = '#000';
  probe.fillStyle = color;
  probe.fillRect(0, 0, 1, 1);
  const d = probe.getImageData(0, 0, 1, 1).data;
  return [d[0]!, d[1]!, d[2]!];
}

/** The 256-entry colour table of a scale kind in this theme (cached: one per theme and kind). */
export function colourTable(theme: Theme, kind: ScaleKind | boolean): Uint8ClampedArray {
  if (typeof kind === 'boolean') kind = kind ? 'diverging' : 'sequential';
  const key = `${kind}|${theme.negative}|${theme.bg}|${theme.positive}`;
  let t = tables.get(key);
  if (!t) {
    t = scaleTable(kind, toRgb(theme.negative), toRgb(theme.bg), toRgb(theme.positive));
    tables.set(key, t);
  }
  return t;
}
const tables = new Map<string, Uint8ClampedArray>();

export function rgbaText(t: Uint8ClampedArray, i: number): string {
  return `rgb(${t[i * 4]},${t[i * 4 + 1]},${t[i * 4 + 2]})`;
}

/** A colour table's 256 entries as CSS colours (made once per table: canvases redraw with them on every step). */
export function colourStyles(t: Uint8ClampedArray): readonly string[] {
  let s = styles.get(t);
  if (!s) {
    s = Array.from({ length: t.length / 4 }, (_, i) => rgbaText(t, i));
    styles.set(t, s);
  }
  return s;
}
const styles = new WeakMap<Uint8ClampedArray, string[]>();
