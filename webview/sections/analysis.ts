/** The debugging views made beside the run: Weights (per layer, array and gate) and Gate saturation (of the current layer). */
import { h, section } from '../dom';
import { renderSaturation, renderWeights } from '../inspect';
import type { Panel } from '../panel';
import { layerMeta, type View } from '../store';

export function mountWeights(p: Panel, parent: ParentNode): View {
  const { store } = p;
  const card = section('Weights', 'weights');
  card.head.append(h('span', 'muted', 'per gate: colours (blue −, red +), histogram, statistics; ρ = spectral radius of the recurrent block'));
  parent.append(card.root);
  /** Weights depend only on the run and the theme. */
  let drawnFor = '';
  return {
    render(dirty) {
      const a = store.init?.analysis;
      card.root.hidden = !a;
      if (!a || !dirty.has('data')) return;
      const key = `${store.theme.kind}|${store.theme.bg}`;
      if (key === drawnFor) return;
      drawnFor = key;
      renderWeights(card.body, a.weights, store.theme);
    },
  };
}

export function mountSaturation(p: Panel, parent: ParentNode): View {
  const { store } = p;
  const card = section('Gate saturation', 'saturation');
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
      title.textContent = meta ? `${meta.layerName}${meta.direction === 'backward' ? ' (backward)' : ''}, all batch items and steps` : '';
      renderSaturation(card.body, sv, meta?.layerName ?? '', store.theme, Math.max(200, card.body.clientWidth || 600));
    },
  };
}
