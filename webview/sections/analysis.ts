/** The debugging views made beside the run: Weights (per layer, array and gate) and Gate saturation (of the current layer). */
import { gradientVerdict } from '../../src/panel/gradient-verdict';
import { h, section } from '../dom';
import { renderSaturation, renderWeights } from '../inspect';
import type { Panel } from '../panel';
import { layerMeta, type View } from '../store';
import * as l10n from '../l10n';

export function mountWeights(p: Panel, parent: ParentNode): View {
  const { store } = p;
  const card = section(l10n.t('Weights'), 'weights');
  card.head.append(h('span', 'muted', l10n.t('per gate: colours (blue −, red +), histogram, statistics; ρ = spectral radius of the recurrent block (a weight statistic)')));
  const dynamics = h('div', 'weights-dynamics');
  const body = h('div');
  card.body.append(dynamics, body);
  parent.append(card.root);
  /** Weights depend only on the run and the theme. */
  let drawnFor = '';
  return {
    render(dirty) {
      const a = store.init?.analysis;
      card.root.hidden = !a;
      if (!a) return;
      if (dirty.has('data') || dirty.has('explain')) dynamicsLine(dynamics, store, a.weights.some((l) => l.blocks.some((b) => b.radius !== null && b.radius > 1)));
      if (!dirty.has('data')) return;
      const key = `${store.theme.kind}|${store.theme.bg}`;
      if (key === drawnFor) return;
      drawnFor = key;
      renderWeights(body, a.weights, store.theme);
    },
  };
}

/**
 * ρ > 1 is no alarm by itself: the line says what the run's gradient flow shows for the explained target (growth or
 * decay of ‖∂y/∂h_t‖ over the sequence), or that an explanation would tell.
 */
function dynamicsLine(el: HTMLElement, store: Panel['store'], anyAbove: boolean): void {
  const r = store.explain?.result;
  const lines: { text: string; kind: string }[] = [];
  for (const d of r?.dynamics ?? []) {
    const v = gradientVerdict(d.gradient[0]?.norm ?? []);
    const m = store.init!.layers[d.layer]!;
    if (!v) continue;
    const y = [r!.batch, ...r!.target].join(', ');
    const span = l10n.t('from step {0} back to step {1}', v.last, v.first);
    const ratio = `10^${l10n.fixed(v.log10Ratio, 1)}×`;
    const who = m.direction === 'backward' ? l10n.t('{0} (backward)', m.layerName) : m.layerName;
    if (v.kind === 'explodes') lines.push({ text: `⚠ ${l10n.t('{0}: ‖∂y/∂h‖ grows {1} {2} for y[{3}]: the gradient explodes in this run.', who, ratio, span, y)}`, kind: 'warn' });
    else if (v.kind === 'vanishes') lines.push({ text: l10n.t('{0}: ‖∂y/∂h‖ shrinks {1} {2} for y[{3}]: early steps barely reach the target (vanishing gradient).', who, ratio, span, y), kind: 'info' });
    else lines.push({ text: anyAbove ? l10n.t('{0}: ‖∂y/∂h‖ changes {1} {2} for y[{3}]: neither exploding nor vanishing, whatever ρ says.', who, ratio, span, y) : l10n.t('{0}: ‖∂y/∂h‖ changes {1} {2} for y[{3}]: neither exploding nor vanishing.', who, ratio, span, y), kind: 'ok' });
  }
  if (!lines.length && anyAbove) lines.push({ text: l10n.t('ρ > 1 in some blocks: a statistic of the weights, not a verdict (the gates scale U down). Explain a target to see whether this run’s gradient explodes (Gradient flow).'), kind: 'muted' });
  el.replaceChildren(...lines.map((l) => h('div', `radius ${l.kind}`, l.text)));
}

export function mountSaturation(p: Panel, parent: ParentNode): View {
  const { store } = p;
  const card = section(l10n.t('Gate saturation'), 'saturation');
  const title = h('span', 'muted', '');
  card.head.append(title);
  parent.append(card.root);
  return {
    render(dirty) {
      const a = store.init?.analysis;
      card.root.hidden = !a;
      if (!a || !dirty.has('data')) return;
      const meta = layerMeta(store);
      const sv = a.saturation.find((x) => x.layer === store.state.layer);
      title.textContent = meta ? l10n.t('{0}, all batch items and steps', meta.direction === 'backward' ? l10n.t('{0} (backward)', meta.layerName) : meta.layerName) : '';
      renderSaturation(card.body, sv, meta?.layerName ?? '', store.theme, Math.max(200, card.body.clientWidth || 600));
    },
  };
}
