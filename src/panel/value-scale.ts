/**
 * The panel's one visual language for values, as pure functions (the webview's colour.ts turns them into canvases
 * and legends): which scale a quantity gets, where a value falls on it, the colours along it, and colours that keep
 * a readable contrast on the theme's background.
 *
 * - Gates (σ outputs, 0..1): a sequential scale over [0, 1] with a perceptual colour map (viridis): a gate near 1 and
 *   one near 0.8 look different, where a white → blue ramp made an always-open forget gate a uniform slab.
 * - States, candidates, pre-activations and weights: a diverging scale symmetric around 0 (blue −, background 0,
 *   red +), bounded by a round number just above the layer's largest |value| over the whole run (or ±1 when the
 *   values stay inside it), so the same colour means the same value at every step of a layer.
 */
import type { QuantityRole } from '../engine/cells/cell';

export type Rgb = [number, number, number];

/**
 * sequential: 0..1 quantities (gates), viridis; diverging: signed values, blue − / background 0 / red +; magnitude:
 * a size that is best at 0 (|Δ| of a comparison), background → red, so "nothing wrong" looks like nothing.
 */
export type ScaleKind = 'sequential' | 'diverging' | 'magnitude';

export interface ValueScale {
  kind: ScaleKind;
  lo: number;
  hi: number;
}

/** 1.77 → 2, 14.9 → 15, 0.34 → 0.4: a round bound just above x (> 0). */
export function niceCeil(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const m = x / p;
  const step = m <= 2 ? 0.5 : m <= 5 ? 1 : 2;
  return Number((Math.ceil(m / step) * step * p).toPrecision(12));
}

/**
 * The scale of a quantity whose values over the run lie in [lo, hi]. A "gate" whose values leave [0, 1] (a custom
 * cell's gate written with tanh, say) is drawn as what it is, a signed quantity.
 */
export function scaleFor(role: QuantityRole, lo: number, hi: number): ValueScale {
  const finite = Number.isFinite(lo) && Number.isFinite(hi);
  if (role === 'gate' && (!finite || (lo >= 0 && hi <= 1))) return { kind: 'sequential', lo: 0, hi: 1 };
  const a = finite ? Math.max(Math.abs(lo), Math.abs(hi)) : 1;
  if (a <= 1 && role !== 'pre_activation') return { kind: 'diverging', lo: -1, hi: 1 };
  const b = niceCeil(Math.max(a, 1e-9));
  return { kind: 'diverging', lo: -b, hi: b };
}

/** The symmetric scale of a weight block whose largest |w| is m. */
export function weightScale(m: number): ValueScale {
  const b = m > 0 && Number.isFinite(m) ? m : 1;
  return { kind: 'diverging', lo: -b, hi: b };
}

/** Position of v on the scale, 0..1 (clamped); NaN for a value that is not finite. */
export function position(s: ValueScale, v: number): number {
  if (!Number.isFinite(v)) return NaN;
  return Math.max(0, Math.min(1, (v - s.lo) / (s.hi - s.lo || 1)));
}

/** viridis (matplotlib, CC0) at 9 stops: dark purple → blue → green → yellow; readable on light and dark backgrounds alike. */
const VIRIDIS: Rgb[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

const mix = (a: Rgb, b: Rgb, f: number): Rgb => [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];

export function viridis(t: number): Rgb {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  return mix(VIRIDIS[i]!, VIRIDIS[i + 1]!, x - i).map(Math.round) as Rgb;
}

/** Diverging: neg at 0, mid at 0.5, pos at 1. */
export function diverging(t: number, neg: Rgb, mid: Rgb, pos: Rgb): Rgb {
  const x = Math.max(0, Math.min(1, t));
  return (x < 0.5 ? mix(neg, mid, x * 2) : mix(mid, pos, (x - 0.5) * 2)).map(Math.round) as Rgb;
}

/** A 256-entry RGBA table along the scale's kind (index = round(position × 255)). */
export function colourTable(kind: ScaleKind, neg: Rgb, mid: Rgb, pos: Rgb): Uint8ClampedArray {
  const out = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    // (magnitude: a square-root ease, so a small |Δ| is already visible)
    const c = kind === 'sequential' ? viridis(i / 255) : kind === 'diverging' ? diverging(i / 255, neg, mid, pos) : (mix(mid, pos, Math.sqrt(i / 255)).map(Math.round) as Rgb);
    out.set([c[0], c[1], c[2], 255], i * 4);
  }
  return out;
}

/** WCAG relative luminance. */
export function luminance([r, g, b]: Rgb): number {
  const f = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

/** WCAG contrast ratio, 1..21. */
export function contrast(a: Rgb, b: Rgb): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * c itself when it stands out from bg by at least `min` (WCAG's 3:1 for graphics), else c mixed towards white (on a
 * dark background) or black (on a light one) just enough to: a theme's dark orange stays orange but becomes legible.
 */
export function legibleOn(c: Rgb, bg: Rgb, min = 3): Rgb {
  if (contrast(c, bg) >= min) return c;
  const to: Rgb = luminance(bg) < 0.5 ? [255, 255, 255] : [0, 0, 0];
  for (let f = 0.05; f < 1; f += 0.05) {
    const m = mix(c, to, f).map(Math.round) as Rgb;
    if (contrast(m, bg) >= min) return m;
  }
  return to;
}

/** A readable number for a scale end or tick (0.5, −2, 1e-4). */
export function tickText(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a < 1e-3 || a >= 1e5 ? x.toExponential(1) : String(Number(x.toPrecision(3)));
}
