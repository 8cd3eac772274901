/**
 * The model input: a line chart of the features (min/max per bucket for long inputs), or the tokens of a token model
 * coloured by the focus unit's h, the current one outlined (a click goes to its step). The chart zooms with the gate
 * charts (one time range), and a point dragged up or down is an edit of the input: the playground re-runs on it.
 */
import { LineChart, type Series } from '../charts';
import { shownRange, zoomable } from '../chart-zoom';
import { editableRows } from './playground';
import { h, labelled, section } from '../dom';
import { dropdown } from '../toolkit';
import type { Panel } from '../panel';
import { layerMeta, quantityRange, shownInputIndex, shownInputMeta, unitColour, valueAt, type View } from '../store';
import { colourTable, rgbaText } from '../theme';
import * as l10n from '../l10n';

export function mountInput(p: Panel, parent: ParentNode): View {
  const { store, nav } = p;
  const card = section(l10n.t('Input'), 'input');
  parent.append(card.root);
  // A model with several inputs: which one is shown (by default the one the shown layer reads).
  const inputs = store.init!.modelInputs;
  const picker = dropdown(l10n.t('Model input'), (v) => nav.selectModelInput(Number(v)));
  if (inputs.length > 1) {
    picker.setChoices(inputs.map((m, k) => ({ value: String(k), label: `${m.name} [${m.tokens ? l10n.t('{0} tokens', m.steps) : m.shape.join(' × ')}]` })), String(shownInputIndex(store)));
    card.head.append(labelled(l10n.t('Model input'), picker.element));
  }
  let chart: LineChart | null = null;
  let tokens: HTMLElement | null = null;
  let table: { theme: unknown; colours: Uint8ClampedArray } | null = null;
  /** Token colours follow the focus unit only: a step move just moves the outline. */
  let colouredFor = -1;
  /** A point being dragged: its step and feature, and the input rows with the new value. */
  let dragged: { t: number; f: number; rows: Float64Array; pointer: number } | null = null;

  /** The point within 8 px of the pointer (the first shown features), for a drag. */
  const pointAt = (e: PointerEvent): { t: number; f: number } | null => {
    const rows = editableRows(p);
    const c = chart;
    const at = c?.xAt(e.offsetX);
    if (!rows || !c || !at) return null;
    const F = shownInputMeta(store).features;
    const t = Math.round(at.x);
    if (t < 0 || t >= rows.length / F) return null;
    for (let f = 0; f < Math.min(F, 8); f++) {
      const px = c.pixelOf(t, rows[t * F + f]!);
      if (px && Math.hypot(px.px - e.offsetX, px.py - e.offsetY) <= 8) return { t, f };
    }
    return null;
  };

  const grab = (e: PointerEvent): boolean => {
    const hit = pointAt(e);
    if (!hit) return false;
    dragged = { ...hit, rows: editableRows(p)!, pointer: e.pointerId };
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    return true;
  };

  const drawTokens = () => {
    const init = store.init!;
    const tr = store.data!;
    chart?.destroy();
    chart = null;
    if (!tokens) {
      tokens = h('p', 'tokens');
      tokens.setAttribute('aria-label', l10n.t('Input tokens, coloured by the focus unit’s h'));
      card.body.replaceChildren(tokens);
    }
    const vocab = init.input.vocabulary;
    const spans: HTMLElement[] = [];
    for (let t = 0; t < tr.inputSteps; t++) {
      const id = tr.input[t]!;
      const text = vocab?.[id] ?? `⟨${id}⟩`;
      const s = h('span', 'tok', text === '\n' ? '↵' : text === ' ' ? '␣' : text);
      s.dataset.t = String(t);
      s.title = `t=${t}: ${JSON.stringify(text)} (id ${id})`;
      s.addEventListener('click', () => nav.setStep(t));
      spans.push(s);
    }
    tokens.replaceChildren(...spans);
    colouredFor = -1;
  };

  const colourTokens = (box: HTMLElement) => {
    const m = layerMeta(store)!;
    const qh = m.quantities.findIndex((q) => q.key === 'h');
    if (table?.theme !== store.theme) table = { theme: store.theme, colours: colourTable(store.theme, true) };
    const [lo, hi] = quantityRange(store, qh);
    const j = store.state.focusUnit;
    const children = box.children;
    for (let t = 0; t < children.length && t < m.steps; t++) {
      const v = valueAt(store, qh, t, j);
      const k = Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo || 1)) * 255)));
      (children[t] as HTMLElement).style.background = rgbaText(table.colours, k);
    }
    colouredFor = j;
  };

  const drawChart = () => {
    const init = store.init!;
    const tr = store.data!;
    const m = layerMeta(store)!;
    if (tokens) {
      tokens.remove();
      tokens = null;
    }
    if (!chart) {
      chart = new LineChart({ title: 'x', ariaLabel: '', xLabel: l10n.t('time step'), height: 150 });
      const c = chart;
      chart.onRendered = () => c.drawCursor(store.state.step, store.theme.cursor);
      const hint = store.init!.modelInputs.length > 1 ? l10n.t('Wheel: zoom time, like the gate charts.') : l10n.t('Drag a point up or down to edit the input (the model re-runs); wheel: zoom time, like the gate charts.');
      card.body.replaceChildren(chart.root, h('p', 'muted', hint));
      zoomable(chart, store, { steps: () => store.data?.inputSteps ?? 1, changed: () => p.scheduler.mark('step'), click: (t) => nav.setStep(t), grab });
      const box = chart.chartCanvas.parentElement!;
      box.addEventListener('pointermove', (e) => {
        if (!dragged || e.pointerId !== dragged.pointer) {
          box.classList.toggle('draggable', !!pointAt(e));
          return;
        }
        const F = shownInputMeta(store).features;
        dragged.rows[dragged.t * F + dragged.f] = c.yAt(e.offsetY);
        drawSeries((f) => ({ ys: dragged!.rows.filter((_, i) => i % F === f) }));
      });
      box.addEventListener('pointerup', (e) => {
        if (!dragged || e.pointerId !== dragged.pointer) return;
        const { rows } = dragged;
        dragged = null;
        p.playground.edit(rows, rows.length / shownInputMeta(store).features);
      });
    }
    const shown = shownInputMeta(store);
    const F = shown.features;
    const shownF = Math.min(F, 8);
    // Several inputs: the chart names the one it shows and whether the shown layer reads it.
    const which = init.modelInputs.length < 2 ? '' : `${shown.name} (${shownInputIndex(store) === m.modelInput ? l10n.t('read by {0}', m.layerName) : l10n.t('not read by {0}', m.layerName)}) `;
    chart.setTitle(`${which}x — ${F > 1 ? l10n.t('{0} features', F) : l10n.t('1 feature')}${F > shownF ? ` (${l10n.t('first {0} shown', shownF)})` : ''}, ${l10n.t('batch item {0}', store.state.batch)}`, l10n.t('Input features over {0} steps', tr.inputSteps));
    drawSeries((f) => tr.inputSeries(f));
  };

  const drawSeries = (points: (f: number) => { ys: ArrayLike<number>; xs?: ArrayLike<number> | undefined }) => {
    const tr = store.data!;
    const series: Series[] = [];
    for (let f = 0; f < Math.min(shownInputMeta(store).features, 8); f++) {
      const pts = points(f);
      series.push({ label: l10n.t('feature {0}', f), color: unitColour(store, f), ys: pts.ys, ...(pts.xs ? { xs: pts.xs } : {}) });
    }
    chart!.setXRange(shownRange(store, tr.inputSteps));
    chart!.setData(series, store.theme, undefined, undefined, tr.inputSteps);
  };

  return {
    render(dirty) {
      if (!store.data) return;
      if (dirty.has('data')) {
        picker.setValue(String(shownInputIndex(store)));
        (shownInputMeta(store).tokens ? drawTokens : drawChart)();
      }
      chart?.setXRange(shownRange(store, store.data.inputSteps));
      chart?.drawCursor(store.state.step, store.theme.cursor);
      if (!tokens) return;
      if (colouredFor !== store.state.focusUnit) colourTokens(tokens);
      tokens.querySelector('.tok.current')?.classList.remove('current');
      tokens.children[store.state.step]?.classList.add('current');
    },
    dispose() {
      chart?.destroy();
    },
  };
}
