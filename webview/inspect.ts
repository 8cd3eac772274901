/**
 * Debugging views: Weights (per layer, each weight array split per gate: image, histogram, stats, NaN/Inf alerts,
 * spectral radius with a hint) and Saturation (per unit, the share of steps each gate is left-/right-saturated;
 * dead units listed). Plain DOM + canvas.
 */
import type { SaturationView, WeightBlockView, WeightLayerView } from '../src/protocol';
import { weightScale } from '../src/panel/value-scale';
import { colourAt, legend } from './colour';
import { fmt } from './store';
import type { Theme } from './theme';
import * as l10n from './l10n';

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text = ''): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
};

/** A canvas sized in CSS pixels, drawn at the device's resolution. */
function canvas(w: number, h: number, label: string): { c: HTMLCanvasElement; g: CanvasRenderingContext2D } {
  const c = el('canvas');
  const dpr = window.devicePixelRatio || 1;
  c.width = Math.round(w * dpr);
  c.height = Math.round(h * dpr);
  c.style.width = `${w}px`;
  c.style.height = `${h}px`;
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  const g = c.getContext('2d')!;
  g.scale(dpr, dpr);
  return { c, g };
}

// ---------------------------------------------------------------------------------------------------------------
// Weights

/** ρ is a weight statistic, never an alarm by itself: whether the run explodes is Gradient flow's (see gradientVerdict). */
export function radiusHint(r: number): { text: string; kind: 'ok' | 'warn' | 'info' } {
  if (!Number.isFinite(r)) return { text: l10n.t('not finite (NaN/Inf in the block)'), kind: 'warn' };
  if (r > 1) return { text: l10n.t('> 1 (weights only: see Gradient flow)'), kind: 'ok' };
  if (r < 0.5) return { text: l10n.t('< 0.5 (small)'), kind: 'ok' };
  return { text: '≤ 1', kind: 'ok' };
}

/** A block as the charts name what it feeds: `gate i`, `candidate c̃`, or the whole array's name. */
function partName(b: WeightBlockView): string {
  return b.part === 'whole' ? b.weight : b.part === 'candidate' ? l10n.t('candidate {0}', b.label) : l10n.t('gate {0}', b.label);
}

/** The block's image (weights as colours on a symmetric scale) with a hover readout: row, column, gate, value. */
function drawImage(b: WeightBlockView, theme: Theme, tip: HTMLElement): HTMLCanvasElement {
  // Cells of at least 2 px, the whole image within 150 × 110 px.
  const cell = Math.max(2, Math.min(16, Math.floor(Math.min(150 / b.imageCols, 110 / b.imageRows))));
  const w = Math.max(24, b.imageCols * cell);
  const h = Math.max(8, b.imageRows * cell);
  const scale = weightScale(Math.max(Math.abs(b.min), Math.abs(b.max)));
  const { c, g } = canvas(w, h, b.part === 'whole' ? l10n.t('{0}: {1} weights as colours, blue negative, red positive; hover for values', b.weight, b.shape.join(' × ')) : l10n.t('{0}, {1}: {2} weights as colours, blue negative, red positive; hover for values', b.weight, partName(b), b.shape.join(' × ')));
  c.className = 'weight-image';
  const cw = w / b.imageCols;
  const ch = h / b.imageRows;
  for (let r = 0; r < b.imageRows; r++)
    for (let k = 0; k < b.imageCols; k++) {
      g.fillStyle = colourAt(theme, scale, b.image[r * b.imageCols + k]!);
      g.fillRect(k * cw, r * ch, Math.ceil(cw), Math.ceil(ch));
    }
  g.strokeStyle = theme.border;
  g.strokeRect(0.5, 0.5, w - 1, h - 1);
  // The image's cell (ir, ic) is the mean of the rows and columns of the block that fall on it (blockImage).
  const [R, C] = b.shape.length === 2 ? [b.shape[0]!, b.shape[1]!] : [1, b.shape[0] ?? b.imageCols];
  const span = (i: number, n: number, parts: number) => {
    const a = Math.ceil((i * n) / parts);
    const e = Math.ceil(((i + 1) * n) / parts) - 1;
    return e > a ? `${a}–${e}` : `${a}`;
  };
  c.addEventListener('mousemove', (e) => {
    const ir = Math.max(0, Math.min(b.imageRows - 1, Math.floor(e.offsetY / ch)));
    const ic = Math.max(0, Math.min(b.imageCols - 1, Math.floor(e.offsetX / cw)));
    const merged = R > b.imageRows || C > b.imageCols;
    const rows = span(ir, R, b.imageRows);
    const cols = span(ic, C, b.imageCols);
    const value = fmt(b.image[ir * b.imageCols + ic]!, 6);
    tip.textContent = [...(b.shape.length === 2 ? [l10n.t('row {0}', rows)] : []), l10n.t('column {0}', cols), partName(b), merged ? l10n.t('mean {0}', value) : value].join(' · ');
    tip.hidden = false;
    tip.style.transform = `translate(${Math.min(e.offsetX + 8, 40)}px, ${c.offsetTop + e.offsetY + 14}px)`;
  });
  c.addEventListener('mouseleave', () => (tip.hidden = true));
  return c;
}

function drawHistogram(b: WeightBlockView, theme: Theme): HTMLCanvasElement {
  const w = 150;
  const h = 54;
  const { c, g } = canvas(w, h, b.part === 'whole' ? l10n.t('Histogram of {0}: {1} bins from {2} to {3}', b.weight, b.hist.length, fmt(b.histLo), fmt(b.histHi)) : l10n.t('Histogram of {0}, {1}: {2} bins from {3} to {4}', b.weight, partName(b), b.hist.length, fmt(b.histLo), fmt(b.histHi)));
  c.className = 'weight-hist';
  const top = Math.max(1, ...b.hist);
  const plotH = h - 14;
  const bw = w / b.hist.length;
  g.fillStyle = theme.series[0]!;
  b.hist.forEach((n, k) => {
    const bh = (n / top) * (plotH - 2);
    if (n) g.fillRect(k * bw + 0.5, plotH - Math.max(1, bh), Math.max(1, bw - 1), Math.max(1, bh));
  });
  // Zero line when 0 is inside the range.
  if (b.histLo < 0 && b.histHi > 0) {
    const x = ((0 - b.histLo) / (b.histHi - b.histLo)) * w;
    g.strokeStyle = theme.muted;
    g.setLineDash([2, 2]);
    g.beginPath();
    g.moveTo(x, 0);
    g.lineTo(x, plotH);
    g.stroke();
    g.setLineDash([]);
  }
  g.strokeStyle = theme.border;
  g.beginPath();
  g.moveTo(0, plotH + 0.5);
  g.lineTo(w, plotH + 0.5);
  g.stroke();
  g.fillStyle = theme.muted;
  g.font = `10px ${theme.font}`;
  g.textBaseline = 'bottom';
  g.textAlign = 'left';
  g.fillText(fmt(b.histLo, 3), 0, h);
  g.textAlign = 'right';
  g.fillText(fmt(b.histHi, 3), w, h);
  return c;
}

function blockTile(b: WeightBlockView, theme: Theme): HTMLElement {
  const tile = el('figure', 'weight-tile');
  const cap = el('figcaption', 'weight-title');
  cap.append(el('strong', '', partName(b)), el('span', 'muted', ` [${b.shape.join('×')}]`));
  tile.append(cap);
  if (b.nan || b.inf) {
    const a = el('div', 'alert', `⚠ ${b.nan} NaN, ${b.inf} ±Inf`);
    a.setAttribute('role', 'alert');
    tile.append(a);
  }
  const tip = el('div', 'tip');
  tip.hidden = true;
  tile.append(drawImage(b, theme, tip), legend(theme, weightScale(Math.max(Math.abs(b.min), Math.abs(b.max))), 'w'), drawHistogram(b, theme), tip);
  const stats = el('div', 'weight-stats');
  stats.append(el('span', '', `${l10n.t('min {0}', fmt(b.min, 3))}  ${l10n.t('max {0}', fmt(b.max, 3))}`), el('span', '', `${l10n.t('mean {0}', fmt(b.mean, 3))}  ${l10n.t('std {0}', fmt(b.std, 3))}`));
  tile.append(stats);
  if (b.radius !== null) {
    const hint = radiusHint(b.radius);
    const r = el('div', `radius ${hint.kind}`);
    r.append(el('span', '', `ρ = ${fmt(b.radius, 3)}`), el('span', 'muted', ` ${hint.text}`));
    r.title = l10n.t('Spectral radius of this gate’s recurrent block U (max |eigenvalue|): a statistic of the weights. The gates and activation slopes scale U down, so ρ > 1 does not mean the run explodes: Explain a target and read Gradient flow (σ of each step’s Jacobian, ‖∂y/∂h_t‖).');
    tile.append(r);
  } else if (b.radiusNote) tile.append(el('div', 'radius muted', l10n.t('ρ not computed in the panel ({0} units); `cellscope inspect` prints it', b.shape[0]!)));
  return tile;
}

/** The Weights section's body: one group per layer, one row per weight array, one tile per gate. */
export function renderWeights(root: HTMLElement, layers: WeightLayerView[], theme: Theme): void {
  root.replaceChildren();
  if (!layers.length) {
    root.append(el('p', 'muted', l10n.t('This model has no weights.')));
    return;
  }
  for (const l of layers) {
    const group = el('div', 'weight-layer');
    group.append(el('h3', '', l.layer));
    const byWeight = new Map<string, WeightBlockView[]>();
    for (const b of l.blocks) byWeight.set(b.weight, [...(byWeight.get(b.weight) ?? []), b]);
    for (const [w, blocks] of byWeight) {
      const row = el('div', 'weight-row');
      row.append(el('div', 'weight-name', w.replace(/_/g, ' ')));
      const tiles = el('div', 'weight-tiles');
      for (const b of blocks) tiles.append(blockTile(b, theme));
      row.append(tiles);
      group.append(row);
    }
    root.append(group);
  }
  // Data-table fallback: every block's numbers.
  const d = el('details', 'weight-table');
  d.append(el('summary', '', l10n.t('Weights as a table')));
  const t = el('table', 'data');
  t.createCaption().textContent = l10n.t('Weight statistics per layer, array and gate');
  const head = [l10n.t('layer'), l10n.t('weight'), l10n.t('gate'), l10n.t('shape'), 'min', 'max', l10n.t('mean'), 'std', 'NaN', 'Inf', 'ρ'];
  const hr = t.createTHead().insertRow();
  for (const x of head) hr.append(Object.assign(el('th', '', x), { scope: 'col' }));
  const body = t.createTBody();
  for (const l of layers)
    for (const b of l.blocks) {
      const tr = body.insertRow();
      [l.layer, b.weight, b.part === 'whole' ? '–' : b.label, b.shape.join('×'), fmt(b.min, 4), fmt(b.max, 4), fmt(b.mean, 4), fmt(b.std, 4), String(b.nan), String(b.inf), b.radius === null ? '–' : fmt(b.radius, 4)].forEach(
        (x) => (tr.insertCell().textContent = x),
      );
    }
  d.append(t);
  root.append(d);
}

// ---------------------------------------------------------------------------------------------------------------
// Saturation

/** Per gate: bars up for the right-saturated share (> 0.9), down for the left-saturated share (< 0.1), per unit. */
export function renderSaturation(root: HTMLElement, s: SaturationView | undefined, layerName: string, theme: Theme, width: number): void {
  root.replaceChildren();
  if (!s) {
    root.append(el('p', 'muted', l10n.t('No saturation data for this layer.')));
    return;
  }
  const legend = el('p', 'muted sat-legend');
  const up = el('span', 'swatch');
  up.style.background = theme.positive;
  const down = el('span', 'swatch');
  down.style.background = theme.negative;
  legend.append(up, ` ${l10n.t('right-saturated (> 0.9, gate open) above the line')} · `, down, ` ${l10n.t('left-saturated (< 0.1, gate closed) below · share of {0} steps, per unit', s.counted)}`);
  if (s.gates.length) root.append(legend);
  else root.append(el('p', 'muted', l10n.t('{0} has no gates (SimpleRNN or a custom cell without gates): only dead units are checked.', layerName)));
  const U = s.units;
  const left = 34;
  // At most 28 px per unit: a handful of units stays a compact chart.
  const w = Math.max(200, Math.min(width, 2000, left + 4 + U * 28));
  for (let gi = 0; gi < s.gates.length; gi++) {
    const gate = s.gates[gi]!;
    const h = 100;
    const { c, g } = canvas(w, h, l10n.t('Gate {0} of {1}: per unit, share of steps above 0.9 (up) and below 0.1 (down)', gate.label, layerName));
    c.className = 'sat-chart';
    const mid = (h - 14) / 2;
    const half = mid - 8;
    const bw = (w - left - 4) / U;
    g.fillStyle = theme.muted;
    g.font = `11px ${theme.font}`;
    g.textBaseline = 'middle';
    g.textAlign = 'right';
    g.fillText('100%', left - 4, mid - half);
    g.fillText('0', left - 4, mid);
    g.fillText('100%', left - 4, mid + half);
    g.strokeStyle = theme.grid;
    g.beginPath();
    g.moveTo(left, mid - half + 0.5);
    g.lineTo(w, mid - half + 0.5);
    g.moveTo(left, mid + half + 0.5);
    g.lineTo(w, mid + half + 0.5);
    g.stroke();
    for (let j = 0; j < U; j++) {
      const r = s.right[gi * U + j]!;
      const l = s.left[gi * U + j]!;
      const x = left + j * bw + (bw > 3 ? 0.5 : 0);
      const bwid = Math.max(1, bw > 3 ? bw - 1 : bw);
      g.fillStyle = theme.positive;
      if (r > 0) g.fillRect(x, mid - r * half, bwid, Math.max(1, r * half));
      g.fillStyle = theme.negative;
      if (l > 0) g.fillRect(x, mid, bwid, Math.max(1, l * half));
    }
    // Unit numbers along the bottom, thinned to fit.
    g.fillStyle = theme.muted;
    g.textAlign = 'center';
    g.textBaseline = 'bottom';
    const every = Math.max(1, Math.ceil(28 / bw));
    const nice = every <= 1 ? 1 : every <= 2 ? 2 : every <= 5 ? 5 : every <= 10 ? 10 : Math.ceil(every / 25) * 25;
    for (let j = 0; j < U; j += nice) g.fillText(String(j), left + (j + 0.5) * bw, h);
    g.strokeStyle = theme.fg;
    g.beginPath();
    g.moveTo(left, mid + 0.5);
    g.lineTo(w, mid + 0.5);
    g.stroke();
    const fig = el('figure', 'sat-gate');
    const mean = (a: Float32Array, k: number) => {
      let t = 0;
      for (let j = 0; j < U; j++) t += a[k * U + j]!;
      return t / U;
    };
    const cap = el('figcaption', 'chart-title', l10n.t('gate {0}: open {1}% · closed {2}% of steps (mean over {3} units)', gate.label, l10n.fixed(100 * mean(s.right, gi), 0), l10n.fixed(100 * mean(s.left, gi), 0), U));
    fig.append(cap, c);
    root.append(fig);
  }
  const dead = el('div', 'dead-units');
  if (!s.dead.length && !s.stuck.length) dead.append(el('p', '', l10n.t('No dead units: every unit is active and no gate is stuck ({0} units).', U)));
  else if (!s.dead.length) dead.append(el('p', '', l10n.t('No dead units ({0} units).', U)));
  else {
    dead.append(el('p', 'alert', s.dead.length > 1 ? l10n.t('{0} dead units of {1}:', s.dead.length, U) : l10n.t('1 dead unit of {0}:', U)));
    const ul = el('ul');
    for (const d of s.dead.slice(0, 50)) ul.append(el('li', '', `${l10n.t('unit {0}', d.unit)}: ${d.reason}`));
    if (s.dead.length > 50) ul.append(el('li', 'muted', l10n.t('… and {0} more', s.dead.length - 50)));
    dead.append(ul);
  }
  // Stuck gates in units whose state still moves: hand-set cells do this on purpose; the fact, in plain text.
  if (s.stuck.length) {
    const ul = el('ul', 'muted stuck-units');
    for (const d of s.stuck.slice(0, 50)) ul.append(el('li', '', `${l10n.t('unit {0}', d.unit)}: ${d.reason}`));
    if (s.stuck.length > 50) ul.append(el('li', 'muted', l10n.t('… and {0} more', s.stuck.length - 50)));
    dead.append(el('p', 'muted', l10n.t('Gates saturated at every step, in units whose state still changes (not dead):')), ul);
  }
  root.append(dead);
  if (!s.gates.length) return;
  // Data-table fallback: every unit's shares.
  const d = el('details', 'weight-table');
  d.append(el('summary', '', l10n.t('Saturation as a table')));
  const t = el('table', 'data');
  t.createCaption().textContent = l10n.t('Share of steps each gate of {0} is below 0.1 / above 0.9, per unit', layerName);
  const hr = t.createTHead().insertRow();
  for (const x of [l10n.t('unit'), ...s.gates.flatMap((g) => [`${g.label} < 0.1`, `${g.label} > 0.9`])]) hr.append(Object.assign(el('th', '', x), { scope: 'col' }));
  const body = t.createTBody();
  for (let j = 0; j < Math.min(U, 1024); j++) {
    const tr = body.insertRow();
    tr.append(Object.assign(el('th', '', String(j)), { scope: 'row' }));
    s.gates.forEach((_, gi) => {
      tr.insertCell().textContent = `${l10n.fixed(100 * s.left[gi * U + j]!, 1)}%`;
      tr.insertCell().textContent = `${l10n.fixed(100 * s.right[gi * U + j]!, 1)}%`;
    });
  }
  d.append(t);
  root.append(d);
}
