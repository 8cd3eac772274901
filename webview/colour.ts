/**
 * The panel's colour language in the DOM (the scales themselves are src/panel/value-scale.ts): the colour of a value
 * and the legend that shows a scale wherever colour carries a value (heatmaps, step detail, weights, tokens).
 */
import { position, tickText, type ValueScale } from '../src/panel/value-scale';
import { colourTable, rgbaText, type Theme } from './theme';
import * as l10n from './l10n';

/** The colour of v on the scale (a value that is not finite: the theme's warning colour). */
export function colourAt(theme: Theme, scale: ValueScale, v: number): string {
  const p = position(scale, v);
  if (Number.isNaN(p)) return theme.warning;
  return rgbaText(colourTable(theme, scale.kind), Math.round(p * 255));
}

/** A scale's end as its tick shows it, with the display language's decimal mark. */
const tick = (x: number): string => l10n.localise(tickText(x));

const KIND_WORDS: Record<ValueScale['kind'], (what: string, s: ValueScale) => string> = {
  sequential: (what, s) => l10n.t('Colour scale of {0}: from {1} (dark purple) to {2} (yellow)', what, tick(s.lo), tick(s.hi)),
  diverging: (what, s) => l10n.t('Colour scale of {0}: from {1} (blue) through 0 (background) to {2} (red)', what, tick(s.lo), tick(s.hi)),
  magnitude: (what, s) => l10n.t('Colour scale of {0}: from {1} (background) to {2} (red)', what, tick(s.lo), tick(s.hi)),
};

/**
 * A legend: the scale's low end, its colours (a tick at 0 on a diverging scale), its high end and what it shows. Built
 * as a canvas and spans (no inline style: the panel's CSP allows none).
 */
export function legend(theme: Theme, scale: ValueScale, what: string, note = ''): HTMLElement {
  const root = document.createElement('div');
  root.className = 'legend';
  root.setAttribute('role', 'img');
  const words = KIND_WORDS[scale.kind](what, scale);
  root.setAttribute('aria-label', words);
  root.title = words;
  const bar = document.createElement('canvas');
  bar.width = 128;
  bar.height = 10;
  bar.className = 'legend-bar';
  const g = bar.getContext('2d')!;
  const table = colourTable(theme, scale.kind);
  for (let i = 0; i < 128; i++) {
    g.fillStyle = rgbaText(table, Math.round((i / 127) * 255));
    g.fillRect(i, 0, 1, 10);
  }
  if (scale.kind === 'diverging') {
    g.fillStyle = theme.fg;
    g.fillRect(63.5, 0, 1, 10);
  }
  const span = (cls: string, text: string) => {
    const s = document.createElement('span');
    s.className = cls;
    s.textContent = text;
    return s;
  };
  root.append(span('legend-end', tick(scale.lo)), bar, span('legend-end', tick(scale.hi)), span('muted legend-what', note ? `${what} · ${note}` : what));
  return root;
}
