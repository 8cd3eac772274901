/**
 * Filter maps (ConvLSTM layers): the heatmap's quantity at the cursor's step as one picture per filter over the
 * output frame (src/panel/unit-grid.ts), on the heatmap's colour scale. Hover names the filter, the position and the
 * value; a click makes that unit the focus (step detail, cell diagram) and charts it. Hidden for other layers.
 */
import { cellOf, mapSize, positionsOf, unitOf, type UnitGrid } from '../../src/panel/unit-grid';
import { position } from '../../src/panel/value-scale';
import { legend } from '../colour';
import { h, section } from '../dom';
import type { Panel } from '../panel';
import { fmt, heatQuantity, layerMeta, quantityScale, type View } from '../store';
import { colourTable } from '../theme';
import * as l10n from '../l10n';

/** `filter 2 at (3, 5)`: filters and coordinates counted from 0, as numpy indexes Keras's output. */
function unitText(g: UnitGrid, unit: number): string {
  const c = cellOf(g, unit);
  return l10n.t('filter {0} at ({1})', c.filter, c.coords.join(', '));
}

/** Screen pixels per cell: a filter's map is about 120 px on its longer side, 3–16 px a cell. */
const cellPixels = (rows: number, cols: number) => Math.max(3, Math.min(16, Math.floor(120 / Math.max(rows, cols))));

export function mountFilterMaps(p: Panel, parent: ParentNode): View {
  const { store, scheduler } = p;
  if (!store.init!.layers.some((l) => l.grid)) return { render() {} };
  const card = section(l10n.t('Filter maps'), 'filter-maps');
  const title = h('span', 'muted');
  card.head.append(title);
  const maps = h('div', 'filter-maps-grid');
  const legendBox = h('div', 'filter-maps-legend');
  const readout = h('p', 'muted filter-maps-readout');
  readout.setAttribute('aria-live', 'polite');
  card.body.append(maps, legendBox, readout);
  parent.append(card.root);
  let built = '';
  let canvases: HTMLCanvasElement[] = [];

  /** The unit under a pointer event on filter f's canvas, or null outside its cells. */
  const unitAt = (f: number, e: MouseEvent): number | null => {
    const g = layerMeta(store)?.grid;
    if (!g) return null;
    const { rows, cols } = mapSize(g);
    const box = canvases[f]!.getBoundingClientRect();
    const c = Math.floor(((e.clientX - box.left) / box.width) * cols);
    const r = Math.floor(((e.clientY - box.top) / box.height) * rows);
    return r < 0 || r >= rows || c < 0 || c >= cols ? null : unitOf(g, r * cols + c, f);
  };

  function build(filters: number, rows: number, cols: number): void {
    const px = cellPixels(rows, cols);
    const figures: HTMLElement[] = [];
    canvases = Array.from({ length: filters }, (_, f) => {
      const cv = h('canvas', 'filter-map');
      cv.width = cols;
      cv.height = rows;
      cv.style.width = `${cols * px}px`;
      cv.style.height = `${rows * px}px`;
      cv.setAttribute('role', 'img');
      cv.addEventListener('mousemove', (e) => {
        const j = unitAt(f, e);
        const m = layerMeta(store);
        if (j === null || !m?.grid) return;
        const row = store.data?.rowAtStep(heatQuantity(store), store.stepOfTime[store.state.step]!);
        const text = `${unitText(m.grid, j)} · ${l10n.t('unit {0}', j)} · ${m.quantities[heatQuantity(store)]!.label} = ${row ? fmt(row[j]!) : '…'}`;
        cv.title = text;
        readout.textContent = text;
      });
      cv.addEventListener('click', (e) => {
        const j = unitAt(f, e);
        if (j === null) return;
        const st = store.state;
        st.focusUnit = j;
        if (!st.units.includes(j)) st.units = [...st.units, j].sort((a, b) => a - b).slice(-16);
        scheduler.mark('data');
      });
      const fig = h('figure', 'filter-map-box');
      fig.append(cv, h('figcaption', 'muted', l10n.t('filter {0}', f)));
      figures.push(fig);
      return cv;
    });
    maps.replaceChildren(...figures);
  }

  return {
    render() {
      const m = layerMeta(store);
      const g = m?.grid ?? null;
      card.root.hidden = !g;
      const tr = store.data;
      if (!g || !m || !tr) return;
      const s = store.stepOfTime[store.state.step]!;
      if (!tr.hasStep(s)) return;
      const { rows, cols } = mapSize(g);
      const key = `${m.id}|${g.filters}|${rows}|${cols}`;
      if (key !== built) {
        build(g.filters, rows, cols);
        built = key;
      }
      const qi = heatQuantity(store);
      const q = m.quantities[qi]!;
      const scale = quantityScale(store, qi);
      const row = tr.rowAtStep(qi, s)!;
      const table = colourTable(store.theme, scale.kind);
      const P = positionsOf(g);
      const focus = cellOf(g, Math.min(store.state.focusUnit, m.units - 1));
      canvases.forEach((cv, f) => {
        const ctx = cv.getContext('2d')!;
        const img = ctx.createImageData(cols, rows);
        for (let p0 = 0; p0 < P; p0++) {
          const pos = position(scale, row[unitOf(g, p0, f)]!);
          const k = Number.isNaN(pos) ? -1 : Math.round(pos * 255);
          // A value that is not finite (a masked step's gates) stays transparent: the card's background shows.
          if (k >= 0) img.data.set(table.subarray(4 * k, 4 * k + 4), 4 * p0);
        }
        ctx.putImageData(img, 0, 0);
        cv.classList.toggle('focus', f === focus.filter);
        cv.setAttribute('aria-label', l10n.t('filter {0}: {1} over {2} positions', f, q.label, P));
      });
      title.textContent = `${q.label} · t = ${store.state.step} · ${l10n.t('{0} filters × {1} positions', g.filters, g.out.join(' × '))} · ${l10n.t('focus: {0}', unitText(g, Math.min(store.state.focusUnit, m.units - 1)))}`;
      legendBox.replaceChildren(legend(store.theme, scale, q.label));
    },
  };
}
