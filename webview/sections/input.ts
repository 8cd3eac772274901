/**
 * The model input: a line chart of the features (min/max per bucket for long inputs), or the tokens of a token model
 * coloured by the focus unit's h, the current one outlined (a click goes to its step).
 */
import { LineChart, type Series } from '../charts';
import { h, section } from '../dom';
import type { Panel } from '../panel';
import { layerMeta, quantityRange, unitColour, valueAt, type View } from '../store';
import { colourTable, rgbaText } from '../theme';
import * as l10n from '../l10n';

export function mountInput(p: Panel, parent: ParentNode): View {
  const { store, nav } = p;
  const card = section(l10n.t('Input'), 'input');
  parent.append(card.root);
  let chart: LineChart | null = null;
  let tokens: HTMLElement | null = null;
  let table: { theme: unknown; colours: Uint8ClampedArray } | null = null;
  /** Token colours follow the focus unit only: a step move just moves the outline. */
  let colouredFor = -1;

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
      card.body.replaceChildren(chart.root);
    }
    const F = init.input.features;
    const shownF = Math.min(F, 8);
    const series: Series[] = [];
    for (let f = 0; f < shownF; f++) {
      const pts = tr.inputSeries(f);
      series.push({ label: l10n.t('feature {0}', f), color: unitColour(store, f), ys: pts.ys, xs: pts.xs });
    }
    chart.setTitle(`x — ${F > 1 ? l10n.t('{0} features', F) : l10n.t('1 feature')}${F > shownF ? ` (${l10n.t('first {0} shown', shownF)})` : ''}, ${l10n.t('batch item {0}', store.state.batch)}`, l10n.t('Input features over {0} steps', m.steps));
    chart.setData(series, store.theme, undefined, undefined, tr.inputSteps);
  };

  return {
    render(dirty) {
      if (!store.data) return;
      if (dirty.has('data')) (store.init!.input.tokens ? drawTokens : drawChart)();
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
