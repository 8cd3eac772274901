/** The header: model summary, files, layers table, and the selectors (layer, batch item, units, heatmap quantity, pre-activations, export). */
import type { InitMessage } from '../../src/protocol';
import { h, labelled } from '../dom';
import * as l10n from '../l10n';
import type { Panel } from '../panel';
import { layerMeta, parseUnits, unitsText, type View } from '../store';
import { button, checkbox, dropdown, textField } from '../toolkit';

const shape = (d: (number | null)[]) => `[${d.map((x) => (x === null ? 'None' : l10n.int(x))).join(', ')}]`;

function fileChip(what: string, name: string, title = ''): HTMLElement {
  const s = h('span', 'chip');
  s.append(h('span', 'muted', `${what}: `), h('span', '', name));
  if (title) s.title = title;
  return s;
}

/**
 * Where the input came from, said once: a recording carries the input it was made with (and is preferred to an
 * input.json beside the model, whose run would not match the recorded output), a fixture carries its own.
 */
function fileChips(f: InitMessage['files']): HTMLElement[] {
  const model = fileChip(l10n.t('model'), f.model);
  if (f.input && f.input === f.model) return [model, fileChip(l10n.t('input and expected output'), l10n.t('in the model file'))];
  if (f.input && f.input === f.recording)
    return [model, fileChip(l10n.t('input and recorded output'), f.input, l10n.t('The recording carries the input it was recorded with, so the run can be compared with it. Cellscope: Load Input Sequence runs another input.'))];
  return [model, fileChip(l10n.t('input'), f.input ?? '—'), fileChip(l10n.t('recorded output'), f.recording ?? l10n.t('none'))];
}

/** A field's message under the selectors: what is valid, after an entry that was not (role=alert: read out). */
function fieldMessage(): { element: HTMLElement; say(text: string): void } {
  const e = h('span', 'field-error');
  e.setAttribute('role', 'alert');
  e.hidden = true;
  return {
    element: e,
    say(text) {
      e.textContent = text;
      e.hidden = !text;
    },
  };
}

function summary(init: InitMessage): HTMLElement[] {
  const s = init.summary;
  const meta = h('p', 'muted');
  // Several inputs (a multi-input graph, a layer replay's recorded ones): each by name, as the batch item holds it.
  const several = init.modelInputs.map((m) => `${m.name} ${shape(m.shape)}`);
  const input = several.length > 1 ? l10n.t('inputs {0}', several.join(', ')) : l10n.t('input {0}', shape(s.inputShape));
  meta.textContent = [init.input.timeMajor ? `${input} (${l10n.t('the graph takes it time-major, [time, batch, …]; shown batch first')})` : input, l10n.t('{0} parameters', s.params), init.precisionNote ?? init.precision, l10n.t('engine run {0} ms', l10n.fixed(init.runMs, 1))].join(' · ');
  const files = h('p', 'files');
  files.append(...fileChips(init.files));
  const layers = h('table', 'layers');
  layers.createCaption().textContent = l10n.t('Layers');
  const thead = layers.createTHead().insertRow();
  for (const c of [l10n.t('layer'), l10n.t('class'), l10n.t('output'), l10n.t('params'), l10n.t('settings')]) {
    const th = h('th', '', c);
    th.scope = 'col';
    thead.append(th);
  }
  const tb = layers.createTBody();
  for (const l of s.layers) {
    const r = tb.insertRow();
    for (const c of [l.name, l.className, shape([null, ...l.outputShape]), l10n.int(l.params), settingsText(l.details)]) r.insertCell().textContent = c;
  }
  return [...(init.replay ? [replayBanner(init.replay)] : []), h('h1', '', s.name), meta, h('p', 'semantics', l10n.phrase(s.semantics)), files, layers];
}

/** Layer replay, said first: what is shown is each recurrent layer on the input Keras recorded, not the model's run. */
function replayBanner(r: NonNullable<InitMessage['replay']>): HTMLElement {
  const b = h('div', 'replay-banner');
  b.setAttribute('role', 'note');
  b.append(
    h('strong', '', l10n.t('layer replay: inputs as recorded by Keras')),
    h('p', '', l10n.t('The whole model cannot run here: {0} holds Python code. Each recurrent layer runs alone on the input Keras fed it, and its sequence and final states are compared with what Keras recorded; the layers between them were computed by Keras, not by Cellscope.', r.refusal)),
  );
  for (const s of r.skipped) {
    const p = h('p', 'muted', l10n.t('Layer {0} is not replayed: the recording does not hold what it needs.', s.name));
    p.title = s.reason;
    b.append(p);
  }
  return b;
}

export function mountHeader(p: Panel, init: InitMessage, parent: ParentNode): View {
  const { store, scheduler, nav } = p;
  const header = h('header', 'card header');
  const controls = h('div', 'selectors');
  controls.setAttribute('role', 'group');
  controls.setAttribute('aria-label', l10n.t('What to show'));
  const layer = dropdown(l10n.t('Layer and direction'), (v) => nav.selectLayer(Number(v)));
  layer.setChoices(
    init.layers.map((l) => {
      const dir = init.layers.some((o) => o.layerIndex === l.layerIndex && o !== l) ? `, ${l.direction}` : '';
      // "lstm (6 units)", not "lstm (LSTM, 6 units)": the class is named only when the layer's name does not say it.
      const cls = init.summary.layers.find((x) => x.name === l.layerName)?.className ?? l.cell;
      const named = l.layerName.replace(/_\d+$/, '').replace(/_/g, '').toLowerCase() === cls.replace(/_/g, '').toLowerCase();
      const units = l.units === 1 ? l10n.t('1 unit') : l10n.t('{0} units', l.units);
      return { value: String(l.id), label: `${l.layerName} (${named ? '' : `${cls}, `}${units}${dir})` };
    }),
    String(store.state.layer),
  );
  const batchMessage = fieldMessage();
  const batchValid = () => (init.batch === 1 ? l10n.t('Batch item: this input has one, 0.') : l10n.t('Batch item: a whole number from 0 to {0}.', init.batch - 1));
  const pickBatch = (v: string) => {
    const ok = v.trim() !== '' && nav.selectBatch(Number(v));
    batchMessage.say(ok ? '' : batchValid());
    if (!ok) batch.setValue(String(store.state.batch));
  };
  const batch = textField('', String(store.state.batch), pickBatch, 4, l10n.t('Batch item'));
  const stepBatch = (d: number) => pickBatch(String(Math.max(0, Math.min(init.batch - 1, store.state.batch + d))));
  const batchDown = button({ label: '−', ariaLabel: l10n.t('Previous batch item'), appearance: 'icon', onClick: () => stepBatch(-1) });
  const batchUp = button({ label: '+', ariaLabel: l10n.t('Next batch item'), appearance: 'icon', onClick: () => stepBatch(1) });
  const unitsMessage = fieldMessage();
  const quantity = dropdown(l10n.t('Heatmap quantity'), (v) => {
    store.state.quantity = v;
    scheduler.mark('data');
  });
  const units = textField('', unitsText(store.state.units), (v) => {
    const m = layerMeta(store);
    const parsed = m ? parseUnits(v, m.units) : null;
    unitsMessage.say(parsed || !m ? '' : l10n.t('Units: numbers and ranges from 0 to {0}, such as 0-3, 7.', m.units - 1));
    if (!parsed) return units.setValue(unitsText(store.state.units));
    store.state.units = parsed;
    if (!parsed.includes(store.state.focusUnit)) store.state.focusUnit = parsed[0]!;
    scheduler.mark('data');
  }, 14, l10n.t('Units to chart'));
  const pre = checkbox(l10n.t('Pre-activations'), store.state.showPre, (v) => {
    store.state.showPre = v;
    scheduler.mark('data');
  });
  const exportCsv = button({ label: l10n.t('Export CSV'), title: l10n.t('Save the whole trace as CSV'), onClick: () => p.post({ type: 'exportTrace', format: 'csv' }) });
  const exportJson = button({ label: l10n.t('Export JSON'), title: l10n.t('Save the whole trace as JSON'), onClick: () => p.post({ type: 'exportTrace', format: 'json' }) });
  controls.append(labelled(l10n.t('Layer'), layer.element), labelled(l10n.t('Batch'), batchDown, batch.element, batchUp, h('span', 'muted', l10n.t('of {0}', init.batch))), labelled(l10n.t('Units'), units.element), labelled(l10n.t('Heatmap'), quantity.element), pre.element, exportCsv, exportJson);
  const messages = h('div', 'field-errors');
  messages.append(batchMessage.element, unitsMessage.element);
  header.append(...summary(init), controls, messages);
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

/**
 * A layer's settings as src/engine/summary.ts writes them for the CLI too ("units 8, tanh / sigmoid, return_sequences"),
 * with its few words in the display language; Keras's own names (activations, flags such as return_sequences) stay.
 */
function settingsText(details: string): string {
  const words: [RegExp, (n: string) => string][] = [
    [/^units (\d+)$/, (n) => l10n.t('units {0}', Number(n))],
    [/^vocabulary (\d+)$/, (n) => l10n.t('vocabulary {0}', Number(n))],
    [/^no-op at inference$/, () => l10n.t('no-op at inference')],
    [/^no bias$/, () => l10n.t('no bias')],
  ];
  return details
    .split(/(, |; )/)
    .map((part) => {
      for (const [re, say] of words) {
        const m = re.exec(part);
        if (m) return say(m[1] ?? '');
      }
      return part;
    })
    .join('');
}
