/** Gates over time: one line chart per shown quantity, the charted units as lines (min/max per bucket on long traces), a unit legend. */
import { bucketsFor } from '../../src/panel/overview';
import { tokenText } from '../../src/panel/predictions';
import { LineChart, type Series } from '../charts';
import { shownRange, zoomable } from '../chart-zoom';
import { h, section, setHidden } from '../dom';
import type { Panel } from '../panel';
import { portLegend, portSeries } from '../port-overlay';
import { layerMeta, quantityRange, shownInputMeta, shownQuantities, unitColour, unitsText, valueAt, type Store, type View } from '../store';
import * as l10n from '../l10n';
import { button } from '../toolkit';

/** A token model's time axis: the step's number and, under it, the token read at that step. */
export function tokenTicks(store: Store): ((x: number) => string | string[]) | undefined {
  const vocab = store.init?.input.vocabulary;
  if (!store.init || !shownInputMeta(store).tokens || !vocab) return undefined;
  return (x) => {
    const id = store.data?.input[x];
    return id === undefined ? String(x) : [String(x), tokenText(vocab[id] ?? `⟨${id}⟩`)];
  };
}

export function mountGates(p: Panel, parent: ParentNode): View {
  const { store } = p;
  const card = section(l10n.t('Gates over time'), 'gates');
  const legend = h('div', 'unit-legend');
  legend.setAttribute('aria-label', l10n.t('Unit colours'));
  const hint = h('span', 'muted zoom-hint', l10n.t('wheel: zoom time · drag: pan · double-click: all steps'));
  const resetZoom = button({ label: l10n.t('All steps'), title: l10n.t('Show every step again (double-click a chart)'), onClick: () => ((store.xRange = null), p.scheduler.mark('step')) });
  card.head.append(legend, hint, resetZoom);
  const grid = h('div', 'gate-grid');
  card.body.append(grid);
  parent.append(card.root);
  const charts = new Map<number, LineChart>();

  const drawCursor = (q: number) => {
    const c = charts.get(q);
    if (!c || !store.data) return;
    const t = store.state.step;
    c.drawCursor(t, store.theme.cursor, store.state.units.map((j, k) => ({ y: valueAt(store, q, t, j), color: unitColour(store, k) })));
  };

  const drawLegend = () => {
    const { units, focusUnit } = store.state;
    legend.replaceChildren(
      ...units.map((j, k) => {
        const chip = h('span', `unit-chip${j === focusUnit ? ' focus' : ''}`);
        const sw = h('span', 'swatch');
        sw.style.background = unitColour(store, k);
        chip.append(sw, l10n.t('unit {0}', j));
        return chip;
      }),
    );
  };
  const portChip = (bucketed: boolean) => {
    legend.querySelector('.port-legend')?.remove();
    const b = portLegend(store, bucketed);
    if (b) legend.append(h('span', `unit-chip port-legend${b.off ? ' off' : ''}`, b.text));
  };

  const drawCharts = () => {
    const m = layerMeta(store)!;
    const data = store.data!;
    const { units, focusUnit } = store.state;
    const shown = shownQuantities(store);
    for (const [q, c] of charts) {
      if (!shown.includes(q) || grid.dataset.layer !== String(store.state.layer)) {
        c.destroy();
        charts.delete(q);
      }
    }
    grid.dataset.layer = String(store.state.layer);
    let complete = true;
    // More steps than buckets: the charts are min/max per bucket (TraceData.series), with no single step to match B's.
    const bucketed = bucketsFor(m.steps) < m.steps;
    for (const q of shown) {
      const info = m.quantities[q]!;
      let chart = charts.get(q);
      if (!chart) {
        chart = new LineChart({ title: info.label, ariaLabel: '', xLabel: l10n.t('time step'), height: 150, xTick: tokenTicks(store) });
        chart.onRendered = () => drawCursor(q);
        zoomable(chart, store, { steps: () => m.steps, changed: () => p.scheduler.mark('step'), click: (t) => p.nav.setStep(t) });
        charts.set(q, chart);
      }
      grid.append(chart.root); // keeps quantity order
      const series: Series[] = [];
      for (const [k, j] of units.entries()) {
        const pts = data.series(q, j, units);
        if (!pts) break;
        series.push({ label: l10n.t('unit {0}', j), color: unitColour(store, k), ys: pts.ys, xs: pts.xs, width: j === focusUnit ? 2.5 : 1.5 });
        // "Compare with another model…": B's same gate, dashed (one point per step only: a bucketed chart has no step
        // to match; the legend says the overlay is off then). Points always carry xs, so the step count decides.
        const other = bucketed ? null : portSeries(store, info.key, j);
        if (other) series.push({ label: `${l10n.t('unit {0}', j)} · B`, color: unitColour(store, k), ys: other, dashed: true, width: 1.2 });
      }
      if (series.filter((x) => !x.dashed).length < units.length) {
        complete = false; // the host is computing them: this chart keeps its picture until they come
        continue;
      }
      chart.setTitle(`${info.label} — ${l10n.describe(info)}`, l10n.t('{0} ({1}) of units {2} over {3} steps, batch item {4}', info.label, l10n.describe(info), unitsText(units), m.steps, store.state.batch));
      const [lo, hi] = quantityRange(store, q);
      chart.setXRange(shownRange(store, m.steps));
      chart.setData(series, store.theme, lo, hi, m.steps);
    }
    portChip(bucketed);
    // What the panel has drawn (tests and the benchmark wait for it).
    if (complete) {
      if (!document.body.dataset.charts) p.bench.mark('charts');
      document.body.dataset.charts = `${store.state.layer}:${store.state.batch}:${unitsText(units)}`;
    }
  };

  return {
    render(dirty) {
      if (!store.data) return;
      if (dirty.has('data')) drawLegend();
      if (dirty.has('data') || dirty.has('charts')) drawCharts();
      const m = layerMeta(store);
      const range = m ? shownRange(store, m.steps) : null;
      setHidden(resetZoom, range === null);
      for (const c of charts.values()) c.setXRange(range);
      for (const q of charts.keys()) drawCursor(q);
    },
    dispose() {
      for (const c of charts.values()) c.destroy();
      charts.clear();
    },
  };
}
