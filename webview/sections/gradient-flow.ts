/**
 * Gradient flow of the explained target: per recurrent layer, log₁₀ ‖∂y/∂h_t‖ (and c_t) over time — falling towards
 * the start is the vanishing-gradient picture — and the step Jacobian's largest singular value σ_t = ‖∂s_t/∂s_{t−1}‖
 * (> 1: the step can stretch a difference, < 1: it contracts). Both follow the step cursor; a click moves it.
 */
import type { ExplanationMessage } from '../../src/protocol';
import { LineChart, type Series } from '../charts';
import { h, section, setHidden, setText } from '../dom';
import type { Panel } from '../panel';
import { fmt, type View } from '../store';
import * as l10n from '../l10n';

export function mountGradientFlow(p: Panel, parent: ParentNode): View {
  const { store, nav } = p;
  const card = section(l10n.t('Gradient flow'), 'gradient-flow');
  const note = h('span', 'muted', l10n.t('Explain a target to see how its gradient flows back through time'));
  card.head.append(note);
  const norms = new LineChart({ title: l10n.t('log₁₀ ‖∂y/∂state_t‖ per layer (solid h, dashed c)'), ariaLabel: l10n.t('Gradient norm of the target with respect to each layer state over time (log scale)'), xLabel: l10n.t('time step'), height: 150 });
  const sigma = new LineChart({ title: l10n.t('σ_max(∂s_t/∂s_{t−1}): step Jacobian’s largest singular value (1 = neither stretches nor contracts)'), ariaLabel: l10n.t('Largest singular value of the step Jacobian over time'), xLabel: l10n.t('time step'), height: 120 });
  const readout = h('div', 'muted flow-readout');
  const charts = h('div', 'flow-charts');
  charts.append(norms.root, sigma.root);
  card.body.append(charts, readout);
  parent.append(card.root);
  norms.onPickX((t) => nav.setStep(t));
  sigma.onPickX((t) => nav.setStep(t));
  let drawn: ExplanationMessage | null = null;
  let drawnTheme = store.theme;
  let norm: { label: string; ys: Float64Array; raw: Float64Array }[] = [];
  let sig: { label: string; ys: Float64Array }[] = [];

  const cursors = () => {
    const t = store.state.step;
    const c = store.theme;
    norms.drawCursor(t, c.cursor, norm.map((s, k) => ({ y: s.ys[t]!, color: c.series[k % c.series.length]! })));
    sigma.drawCursor(t, c.cursor, sig.map((s, k) => ({ y: s.ys[t]!, color: c.series[k % c.series.length]! })));
    if (!drawn) return;
    // A zero norm: the target does not depend on that step's state (it comes after the target's step).
    const normText = (s: (typeof norm)[number]) => (s.raw[t] === 0 ? '0' : Number.isFinite(s.ys[t]!) ? `10^${s.ys[t]!.toFixed(2)}` : '—');
    const parts = [...norm.map((s) => `${s.label} ${normText(s)}`), ...sig.map((s) => `σ ${s.label} ${Number.isFinite(s.ys[t]!) ? fmt(s.ys[t]!) : l10n.t('not sampled')}`)];
    setText(readout, `step ${t}: ${parts.join(' · ')}`);
  };
  norms.onRendered = cursors;
  sigma.onRendered = cursors;

  return {
    render(dirty) {
      const r = store.explain?.result ?? null;
      setHidden(card.root, !store.init?.layers.length);
      setHidden(charts, !r);
      if (r && (r !== drawn || store.theme !== drawnTheme) && (dirty.has('explain') || dirty.has('data'))) {
        drawn = r;
        drawnTheme = store.theme;
        const name = (layer: number) => {
          const m = store.init!.layers[layer]!;
          return `${m.layerName}${m.direction === 'backward' ? ' ←' : ''}`;
        };
        norm = r.dynamics.flatMap((d) => d.gradient.map((g) => ({ label: `${name(d.layer)} ${g.name}`, ys: g.norm.map((v) => (v > 0 ? Math.log10(v) : NaN)), raw: g.norm })));
        sig = r.dynamics.map((d) => ({ label: name(d.layer), ys: d.jacobian }));
        const colour = (k: number) => store.theme.series[k % store.theme.series.length]!;
        const ns: Series[] = norm.map((s, k) => ({ label: s.label, color: colour(k), ys: s.ys, dashed: s.label.endsWith(' c') }));
        norms.setData(ns, store.theme);
        const steps = sig.reduce((a, s) => Math.max(a, s.ys.length), 1);
        const ones = new Float64Array(steps).fill(1);
        sigma.setData([...sig.map((s, k) => ({ label: `σ ${s.label}`, color: colour(k), ys: s.ys })), { label: 'σ = 1', color: store.theme.muted, ys: ones, dashed: true, faint: true }], store.theme, 0);
        const stride = Math.max(...r.dynamics.map((d) => d.jacobianStride), 1);
        note.textContent = `for ${`y[${[r.batch, ...r.target].join(', ')}]`}${stride > 1 ? ` · ${l10n.t('σ sampled every {0} steps', stride)}` : ''}`;
      }
      cursors();
    },
    dispose() {
      norms.destroy();
      sigma.destroy();
    },
  };
}
