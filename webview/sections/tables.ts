/** Accessible data tables (a visible toggle): the shown quantities × charted units at the step; the focus unit over ±20 steps. */
import { fillTable, h } from '../dom';
import type { Panel } from '../panel';
import { fmt, layerMeta, shownQuantities, valueAt, type View } from '../store';
import * as l10n from '../l10n';

export function mountTables(p: Panel, parent: ParentNode): View {
  const { store, scheduler } = p;
  const tables = h('details', 'card tables');
  const stepTable = h('table', 'data');
  const seriesTable = h('table', 'data');
  tables.append(h('summary', '', l10n.t('Data tables')), stepTable, seriesTable);
  tables.open = store.state.tablesOpen;
  tables.addEventListener('toggle', () => {
    store.state.tablesOpen = tables.open;
    scheduler.mark('step');
  });
  parent.append(tables);
  return {
    render() {
      const data = store.data;
      const m = layerMeta(store);
      if (!tables.open || !data || !m) return;
      const t = store.state.step;
      const shown = shownQuantities(store);
      const units = store.state.units;
      // A step whose window is still on its way reads "…" (a NaN of the trace itself still reads NaN).
      const cell = (q: number, k: number, j: number) => (data.hasStep(store.stepOfTime[k]!) ? fmt(valueAt(store, q, k, j), 6) : '…');
      fillTable(
        stepTable,
        l10n.t('Values at step {0} ({1}, batch item {2})', t, m.layerName, store.state.batch),
        [l10n.t('quantity'), ...units.map((j) => l10n.t('unit {0}', j))],
        shown.map((q) => [m.quantities[q]!.label, ...units.map((j) => cell(q, t, j))]),
      );
      const a = Math.max(0, t - 20);
      const b = Math.min(m.steps, t + 21);
      const rows: string[][] = [];
      for (let k = a; k < b; k++) rows.push([k === t ? l10n.t('{0} (current)', k) : String(k), ...shown.map((q) => cell(q, k, store.state.focusUnit))]);
      fillTable(seriesTable, l10n.t('Unit {0} over steps {1}–{2}', store.state.focusUnit, a, b - 1), [l10n.t('step'), ...shown.map((q) => m.quantities[q]!.label)], rows);
    },
  };
}
