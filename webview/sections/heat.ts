/** The heatmap of the chosen quantity, units × time, over the visible (zoomable) time range; a click picks a unit and step. */
import { h, section } from '../dom';
import { Heatmap } from '../heatmap';
import type { Panel } from '../panel';
import { heatQuantity, layerMeta, quantityScale, valueAt, type View } from '../store';
import { button } from '../toolkit';
import * as l10n from '../l10n';
import { rangesText, skippedTimes } from '../../src/panel/masked-steps';

export function mountHeat(p: Panel, parent: ParentNode): View {
  const { store, scheduler, nav } = p;
  const card = section(l10n.t('Heatmap'), 'heat');
  const title = h('span', 'muted');
  const heatmap = new Heatmap((unit, t) => {
    const st = store.state;
    st.focusUnit = unit;
    if (!st.units.includes(unit)) st.units = [...st.units, unit].sort((a, b) => a - b).slice(-16);
    nav.setStep(t, false);
    scheduler.mark('data');
  });
  card.head.append(
    title,
    button({ label: '+', ariaLabel: l10n.t('Zoom in time'), appearance: 'icon', onClick: () => heatmap.zoom(0.5) }),
    button({ label: '−', ariaLabel: l10n.t('Zoom out time'), appearance: 'icon', onClick: () => heatmap.zoom(2) }),
  );
  card.body.append(heatmap.root);
  parent.append(card.root);
  nav.heatColumns = (steps) => heatmap.columnsFor(steps);
  heatmap.onDrawn = () => {
    if (!p.bench.has('heat') && p.bench.has('trace')) p.bench.mark('heat');
  };

  return {
    dispose: () => heatmap.dispose(),
    render(dirty) {
      const data = store.data;
      if (!data) return;
      if (dirty.has('data') || dirty.has('heat')) {
        const m = layerMeta(store)!;
        const qi = heatQuantity(store);
        const info = m.quantities[qi]!;
        const skipped = skippedTimes(data.masked, m.inputTimeOfStep);
        title.textContent = `${info.label} · ${(m.units === 1 ? l10n.t('1 unit × {0} steps', m.steps) : l10n.t('{0} units × {1} steps', m.units, m.steps))}${skipped.length ? ` · ${l10n.t('padding skipped at t = {0}', rangesText(skipped))}` : ''}`;
        heatmap.setData(
          { columns: (t0, t1, cols) => data.heat(qi, t0, t1, cols), steps: m.steps, units: m.units, scale: quantityScale(store, qi), label: info.label, value: (t, j) => valueAt(store, qi, t, j) },
          store.theme,
        );
      }
      heatmap.setCursor(store.state.step, store.state.focusUnit);
    },
  };
}
