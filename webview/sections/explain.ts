/**
 * Explain: pick an output value (a bar of a per-item output, a step of an output over time, or its indices typed)
 * and see which inputs made it: the attribution by the chosen method as a feature × step heatmap, or the input text
 * coloured per token. The numbers come from the engine worker (src/explain through src/panel/explain-view.ts);
 * this view only draws them and sends the choices.
 */
import type { ExplanationMessage, OutputMessage } from '../../src/protocol';
import { AttributionView } from '../attribution';
import { LineChart } from '../charts';
import { h, labelled, section } from '../dom';
import { askOf, explainChoices, methodLabels, targetOf, targetText, type ExplainChoices } from '../explain-state';
import type { Panel } from '../panel';
import { fmt, shownInputIndex, type View } from '../store';
import { button, dropdown, textField } from '../toolkit';
import * as l10n from '../l10n';

export function mountExplain(p: Panel, parent: ParentNode): View {
  const { store, scheduler, nav } = p;
  const card = section(l10n.t('Explain'), 'explain');
  const status = h('span', 'muted explain-status');
  status.setAttribute('aria-live', 'polite');
  card.head.append(status);
  const choose = (f: (c: ExplainChoices) => void) => {
    f(explainChoices(store));
    scheduler.mark('explain');
  };
  const method = dropdown(l10n.t('Attribution method'), (v) => choose((c) => ((c.method = v as ExplainChoices['method']), (c.open = true))));
  method.setChoices(Object.entries(methodLabels()).map(([value, label]) => ({ value, label })), 'gradient');
  const steps = textField('', '64', (v) => choose((c) => (c.steps = Math.max(1, Math.min(4096, Math.round(Number(v)) || 64)))), 4, l10n.t('Integrated gradients: interpolation steps'));
  const baseline = dropdown(l10n.t('Integrated gradients: baseline'), (v) => choose((c) => (c.baseline = v as 'zeros' | 'mean')));
  baseline.setChoices([{ value: 'zeros', label: l10n.t('zeros') }, { value: 'mean', label: l10n.t('batch mean') }], 'zeros');
  const igFields = h('span', 'explain-ig');
  igFields.append(labelled(l10n.t('Steps'), steps.element), labelled(l10n.t('Baseline'), baseline.element));
  const target = textField('', '', (v) => {
    const idx = v.split(/[\s,]+/).filter(Boolean).map(Number);
    if (idx.every((x) => Number.isInteger(x) && x >= 0)) choose((c) => ((c.target = idx), (c.open = true)));
  }, 10, l10n.t('Target: indices within the batch item'));
  const go = button({ label: l10n.t('Explain'), appearance: 'primary', onClick: () => choose((c) => (c.open = true)) });
  const cancel = button({ label: l10n.t('Cancel'), appearance: 'secondary', onClick: () => (store.explain?.cancel(), scheduler.mark('explain')) });
  const progress = h('progress', 'explain-progress');
  const controls = h('div', 'explain-controls');
  controls.append(labelled(l10n.t('Method'), method.element), igFields, labelled(l10n.t('Target'), target.element), go, cancel, progress);
  const picker = h('div', 'explain-picker');
  const pickerNote = h('div', 'muted', '');
  const summary = h('div', 'explain-summary');
  const error = h('div', 'explain-error');
  error.setAttribute('role', 'alert');
  const attribution = new AttributionView((t) => nav.setStep(t));
  card.body.append(controls, pickerNote, picker, summary, error, attribution.root);
  parent.append(card.root);

  let chart: LineChart | null = null;
  let bars: HTMLElement | null = null;
  let drawnOutput: OutputMessage | null = null;
  let drawnResult: ExplanationMessage | null = null;
  let drawnTheme = store.theme;
  let drawnTarget = '';

  const pick = (t: number[]) => choose((c) => ((c.target = t), (c.open = true)));

  /**
   * Output values as bars, largest first (12 of them, the target among them): a per-item output, or one step of an
   * output over time (`row`); a click explains that value.
   */
  const drawBars = (o: OutputMessage, row: number, chosen: number, pickUnit: (j: number) => void): HTMLElement => {
    bars ??= h('div', 'output-bars');
    const vocab = store.init!.input.vocabulary;
    const n = o.shape[o.shape.length - 1]!;
    const at = (j: number) => o.values[row * n + j]!;
    const label = (j: number) => (vocab && vocab.length === n ? JSON.stringify(vocab[j]) : l10n.t('unit {0}', j));
    const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => at(b) - at(a));
    const shown = order.slice(0, 12);
    if (!shown.includes(chosen)) shown.push(chosen);
    let max = 0;
    for (const j of shown) max = Math.max(max, Math.abs(at(j)));
    bars.replaceChildren(
      ...shown.map((j) => {
        const r = h('button', `output-bar${j === chosen ? ' selected' : ''}`);
        r.type = 'button';
        r.dataset.unit = String(j);
        r.title = o.shape.length === 2 ? l10n.t('Explain output unit {0} at step {1}', j, row) : l10n.t('Explain output unit {0}', j);
        const fill = h('span', at(j) < 0 ? 'bar-fill negative' : 'bar-fill');
        fill.style.width = `${(100 * Math.abs(at(j))) / (max || 1)}%`;
        const track = h('span', 'bar-track');
        track.append(fill);
        r.append(h('span', 'bar-label', label(j)), track, h('span', 'bar-value', fmt(at(j))));
        r.addEventListener('click', () => pickUnit(j));
        return r;
      }),
    );
    return bars;
  };

  /** An output over time: the target unit's value per step; a click picks that step. */
  const drawChart = (o: OutputMessage, tgt: number[]) => {
    const [T, U] = o.shape as [number, number];
    const unit = tgt[1]!;
    if (!chart) {
      chart = new LineChart({ title: '', ariaLabel: '', xLabel: l10n.t('time step'), height: 120 });
      chart.onPickX((t) => (pick([Math.max(0, Math.min(T - 1, t)), targetOf(explainChoices(store), o)[1]!]), nav.setStep(Math.max(0, Math.min(T - 1, t)))));
      chart.onRendered = () => drawCursors();
    }
    const caption = h('div', 'muted', l10n.t('step {0}:', tgt[0]!));
    const stepBars = drawBars(o, tgt[0]!, unit, (j) => pick([tgt[0]!, j]));
    // Attached before chart.js draws: it builds its scales only on a canvas in the page.
    picker.replaceChildren(chart.root, caption, stepBars);
    const ys = new Float64Array(T);
    for (let t = 0; t < T; t++) ys[t] = o.values[t * U + unit]!;
    chart.setTitle(l10n.t('output unit {0} over time: click a step to explain its value there', unit), l10n.t('Output unit {0} of batch item {1} over {2} steps; click a step to explain that value', unit, o.batch, T));
    chart.setData([{ label: l10n.t('output unit {0}', unit), color: store.theme.series[0]!, ys }], store.theme);
    pickerNote.textContent = l10n.t('Output {0} of batch item {1}: {2} steps × {3} units. Click a step of the chart, then a value of that step (largest first).', o.output, o.batch, T, U);
  };

  const drawCursors = () => {
    const o = store.explain?.output;
    if (!chart || !o || o.shape.length !== 2) return;
    const tgt = targetOf(explainChoices(store), o);
    chart.drawCursor(store.state.step, store.theme.cursor, [{ y: o.values[tgt[0]! * o.shape[1]! + tgt[1]!]!, color: store.theme.series[0]! }]);
  };

  /**
   * What is drawn of an explanation: its attribution, or for a model of several inputs (one attribution each, all
   * sent at once) that of the input the Input card shows, so that picking another input there switches the picture.
   */
  const shownPart = (r: ExplanationMessage) => r.inputs?.[shownInputIndex(store)] ?? r.inputs?.[0] ?? r;

  const drawResult = (r: ExplanationMessage) => {
    const init = store.init!;
    const a = shownPart(r);
    // The trace carries the shown input's values (its token ids for the text): the first's only for one input.
    const tokens = a.space === 'embedding' || (!r.inputs && init.input.tokens);
    const data = store.data;
    const vocab = init.input.vocabulary;
    const steps = a.shape[0]!;
    const text = tokens && data && data.input.length >= steps ? Array.from({ length: steps }, (_, t) => vocab?.[data.input[t]!] ?? `⟨${data.input[t]}⟩`) : null;
    const label = r.method === 'occlusion' ? l10n.t('drop') : r.method === 'lrp' ? l10n.t('relevance') : r.method === 'integrated-gradients' ? 'IG' : r.method === 'grad-input' ? l10n.t('gradient × input') : '∂y/∂x';
    attribution.set({ values: a.attribution, steps, features: a.shape[1] ?? 1, tokens: text, label }, store.theme);
    const checks = [
      r.completenessError !== null ? l10n.t('completeness error {0} (Σ attribution vs f(x) − f(baseline))', fmt(r.completenessError)) : '',
      r.conservationError !== null ? l10n.t('conservation error {0} (Σ relevance vs {1})', fmt(r.conservationError), fmt(r.explainedValue ?? r.value)) : '',
    ].filter(Boolean);
    let sum = 0;
    for (const v of a.attribution) sum += v;
    // Completeness holds over every input together: their sum is said beside the shown input's.
    let all = 0;
    for (const v of r.inputs?.flatMap((i) => Array.from(i.attribution)) ?? []) all += v;
    const to = 'name' in a ? [l10n.t('attribution to {0}', a.name)] : [];
    summary.textContent = [`${targetText(store.explain!.output ?? { output: r.output }, r.batch, r.target)} = ${fmt(r.value)}`, methodLabels()[r.method], ...to, r.inputs ? l10n.t('Σ attribution {0} ({1} over every input)', fmt(sum), fmt(all)) : l10n.t('Σ attribution {0}', fmt(sum)), ...checks, `${l10n.fixed(r.ms / 1000, 2)} s`].join(' · ');
  };

  return {
    render(dirty) {
      const src = store.explain;
      if (!src || !store.init) return;
      const c = explainChoices(store);
      if (dirty.has('data') || dirty.has('explain')) src.askOutput(store.state.batch, c.output);
      const o = src.output && src.output.batch === store.state.batch ? src.output : null;
      if (o && c.open) {
        const ask = askOf(store, o);
        if (!src.has(ask)) src.explain(ask);
      }
      if (dirty.has('data') || dirty.has('explain')) {
        method.setValue(c.method);
        igFields.hidden = c.method !== 'integrated-gradients';
        steps.setValue(String(c.steps));
        baseline.setValue(c.baseline);
        const run = src.running;
        cancel.hidden = !run;
        progress.hidden = !run;
        go.hidden = c.open && !!src.result;
        if (run) {
          const pr = run.progress;
          progress.max = Math.max(1, pr?.total ?? 1);
          progress.value = pr?.done ?? 0;
          status.textContent = pr?.phase === 'dynamics' ? l10n.t('gradient flow, step Jacobians and trajectories…') : `${methodLabels()[run.ask.method]}${pr && pr.total > 1 ? `: ${l10n.t('{0} / {1} points', pr.done, pr.total)}` : ''}…`;
        } else status.textContent = src.result ? '' : l10n.t('pick an output value, then Explain');
        error.textContent = src.error === 'cancelled' ? l10n.t('Cancelled: the last explanation stays.') : src.error ? l10n.phrase(src.error) : '';
        error.hidden = !src.error;
        if (o) {
          const tgt = targetOf(c, o);
          target.setValue(tgt.join(', '));
          const key = `${tgt.join()}|${store.theme.kind}`;
          if (o !== drawnOutput || key !== drawnTarget || store.theme !== drawnTheme) {
            drawnOutput = o;
            drawnTarget = key;
            if (o.values.length && o.shape.length === 1) {
              chart?.destroy();
              chart = null;
              picker.replaceChildren(drawBars(o, 0, tgt[0]!, (j) => pick([j])));
              pickerNote.textContent = o.values.length === 1 ? l10n.t('Output {0} of batch item {1} (1 value): click it to explain it.', o.output, o.batch) : l10n.t('Output {0} of batch item {1} ({2} values, largest first): click one to explain it.', o.output, o.batch, o.values.length);
            }
            else if (o.values.length && o.shape.length === 2) drawChart(o, tgt);
            else (picker.replaceChildren(), (pickerNote.textContent = l10n.t("Output {0} has shape [{1}] per item: type the target's indices.", o.output, o.shape.join(', '))));
          }
        }
        // A new input shown (a trace with it has come: 'data') redraws a several-input explanation without re-running it.
        if (src.result && (src.result !== drawnResult || store.theme !== drawnTheme || (src.result.inputs && dirty.has('data')))) drawResult(src.result);
        drawnResult = src.result;
        drawnTheme = store.theme;
        attribution.root.hidden = !src.result;
      }
      attribution.setCursor(store.state.step);
      drawCursors();
    },
    dispose() {
      store.explain?.cancel();
      chart?.destroy();
      attribution.dispose();
    },
  };
}
