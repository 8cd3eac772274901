/** The header: model summary, files, layers table, and the selectors (layer, batch item, units, heatmap quantity, pre-activations, export). */
import type { InitMessage } from '../../src/protocol';
import { h, labelled } from '../dom';
import type { Panel } from '../panel';
import { layerMeta, parseUnits, unitsText, type View } from '../store';
import { button, checkbox, dropdown, textField } from '../toolkit';

const shape = (d: (number | null)[]) => `[${d.map((x) => (x === null ? 'None' : x)).join(', ')}]`;

function fileChip(what: string, name: string): HTMLElement {
  const s = h('span', 'chip');
  s.append(h('span', 'muted', `${what}: `), h('span', '', name));
  return s;
}

function summary(init: InitMessage): HTMLElement[] {
  const s = init.summary;
  const meta = h('p', 'muted');
  meta.textContent = `input ${shape(s.inputShape)} · ${s.params.toLocaleString()} parameters · ${init.precisionNote ?? init.precision} · engine run ${init.runMs.toFixed(1)} ms`;
  const files = h('p', 'files');
  files.append(fileChip('model', init.files.model), fileChip('input', init.files.input ?? '—'), fileChip('recorded output', init.files.recording ?? 'none'));
  const layers = h('table', 'layers');
  layers.createCaption().textContent = 'Layers';
  const thead = layers.createTHead().insertRow();
  for (const c of ['layer', 'class', 'output', 'params', 'settings']) {
    const th = h('th', '', c);
    th.scope = 'col';
    thead.append(th);
  }
  const tb = layers.createTBody();
  for (const l of s.layers) {
    const r = tb.insertRow();
    for (const c of [l.name, l.className, shape([null, ...l.outputShape]), l.params.toLocaleString(), l.details]) r.insertCell().textContent = c;
  }
  return [h('h1', '', s.name), meta, h('p', 'semantics', s.semantics), files, layers];
}

export function mountHeader(p: Panel, init: InitMessage, parent: ParentNode): View {
  const { store, scheduler, nav } = p;
  const header = h('header', 'card header');
  const controls = h('div', 'selectors');
  controls.setAttribute('role', 'group');
  controls.setAttribute('aria-label', 'What to show');
  const layer = dropdown('Layer and direction', (v) => nav.selectLayer(Number(v)));
  layer.setChoices(
    init.layers.map((l) => ({ value: String(l.id), label: `${l.layerName}${init.layers.some((o) => o.layerIndex === l.layerIndex && o !== l) ? ` (${l.direction})` : ''} · ${l.cell} · ${l.units} units` })),
    String(store.state.layer),
  );
  const batch = textField('', String(store.state.batch), (v) => {
    if (!nav.selectBatch(Number(v))) batch.setValue(String(store.state.batch));
  }, 6);
  const quantity = dropdown('Heatmap quantity', (v) => {
    store.state.quantity = v;
    scheduler.mark('data');
  });
  const units = textField('', unitsText(store.state.units), (v) => {
    const m = layerMeta(store);
    const parsed = m ? parseUnits(v, m.units) : null;
    if (!parsed) return units.setValue(unitsText(store.state.units));
    store.state.units = parsed;
    if (!parsed.includes(store.state.focusUnit)) store.state.focusUnit = parsed[0]!;
    scheduler.mark('data');
  }, 14);
  const pre = checkbox('Pre-activations', store.state.showPre, (v) => {
    store.state.showPre = v;
    scheduler.mark('data');
  });
  const exportCsv = button({ label: 'Export CSV', title: 'Save the whole trace as CSV', onClick: () => p.post({ type: 'exportTrace', format: 'csv' }) });
  const exportJson = button({ label: 'Export JSON', title: 'Save the whole trace as JSON', onClick: () => p.post({ type: 'exportTrace', format: 'json' }) });
  controls.append(labelled('Layer', layer.element), labelled('Batch', batch.element, h('span', 'muted', `of ${init.batch}`)), labelled('Units', units.element), labelled('Heatmap', quantity.element), pre.element, exportCsv, exportJson);
  header.append(...summary(init), controls);
  parent.append(header);

  return {
    render(dirty) {
      const m = layerMeta(store);
      if (!dirty.has('data') || !m || !store.data) return;
      const st = store.state;
      layer.setValue(String(st.layer));
      units.setValue(unitsText(st.units));
      batch.setValue(String(st.batch));
      quantity.setChoices(m.quantities.filter((q) => st.showPre || q.role !== 'pre_activation' || q.key === st.quantity).map((q) => ({ value: q.key, label: q.label })), st.quantity);
    },
  };
}
