/** The stepping toolbar: first / previous / play / next / last, the step slider and readout, the playback speed. (The render time is body[data-render-ms], for the benchmark; not shown.) */
import { h, setText } from '../dom';
import * as l10n from '../l10n';
import type { Panel } from '../panel';
import { layerMeta, type View } from '../store';
import { button, dropdown, setButtonLabel } from '../toolkit';

export type Toolbar = View;

export function mountToolbar(p: Panel, parent: ParentNode): Toolbar {
  const { store, nav } = p;
  const bar = h('div', 'toolbar');
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', l10n.t('Step through time'));
  const play = button({ label: `▶ ${l10n.t('Play')}`, ariaLabel: l10n.t('Play'), title: l10n.t('Play / pause (Space)'), appearance: 'primary', onClick: () => p.togglePlay() });
  const slider = h('input', 'slider');
  slider.type = 'range';
  slider.min = '0';
  slider.step = '1';
  slider.setAttribute('aria-label', l10n.t('Step'));
  slider.addEventListener('input', () => nav.setStep(Number(slider.value)));
  const speed = dropdown(l10n.t('Playback speed'), (v) => (store.state.speed = Number(v)));
  speed.setChoices([1, 2, 5, 10, 20, 50, 100].map((n) => ({ value: String(n), label: l10n.t('{0} steps/s', n) })), String(store.state.speed));
  // The arithmetic switch: a re-run in the other precision (the header says which ran; saved with the panel).
  const arithmetic = dropdown(l10n.t('Arithmetic (re-runs the model)'), (v) => p.playground.setPrecision(v === 'float32' ? 'float32' : 'float64'));
  arithmetic.setChoices(
    [
      { value: 'float64', label: 'float64' },
      { value: 'float32', label: l10n.t('float32 (as Keras)') },
    ],
    store.init?.precision ?? 'float64',
  );
  arithmetic.element.title = l10n.t('Arithmetic of the engine run: float32 rounds like Keras’s float32 does; the panel re-runs the model');
  const readout = h('span', 'readout');
  readout.setAttribute('aria-live', 'polite');
  bar.append(
    button({ label: '|◀', ariaLabel: l10n.t('First step'), title: l10n.t('First step (Home)'), appearance: 'icon', onClick: () => nav.setStep(0) }),
    button({ label: '◀', ariaLabel: l10n.t('Previous step'), title: l10n.t('Previous step (←)'), appearance: 'icon', onClick: () => nav.setStep(store.state.step - 1) }),
    play,
    button({ label: '▶', ariaLabel: l10n.t('Next step'), title: l10n.t('Next step (→)'), appearance: 'icon', onClick: () => nav.setStep(store.state.step + 1) }),
    button({ label: '▶|', ariaLabel: l10n.t('Last step'), title: l10n.t('Last step (End)'), appearance: 'icon', onClick: () => nav.setStep(Infinity) }),
    slider,
    readout,
    speed.element,
    arithmetic.element,
  );
  parent.append(bar);
  let playing: boolean | null = null;

  return {
    render(dirty) {
      if (playing !== store.playing) {
        playing = store.playing;
        setButtonLabel(play, playing ? `❚❚ ${l10n.t('Pause')}` : `▶ ${l10n.t('Play')}`, playing ? l10n.t('Pause') : l10n.t('Play'));
      }
      const m = layerMeta(store);
      const tr = store.data;
      if (!m || !tr) return;
      if (dirty.has('data')) slider.max = String(m.steps - 1);
      const t = store.state.step;
      const s = store.stepOfTime[t]!;
      slider.value = String(t);
      slider.setAttribute('aria-valuetext', l10n.t('step {0} of {1}', t, m.steps - 1));
      const masked = tr.masked?.[s] ? ` · ${l10n.t('masked (state carried over)')}` : '';
      setText(readout, `t = ${l10n.int(t)} / ${l10n.int(m.steps - 1)}${m.direction === 'backward' || s !== t ? ` (${l10n.t('processing step {0}', s)})` : ''}${masked}${tr.hasStep(s) ? '' : ` · ${l10n.t('loading…')}`}`);
    },
  };
}
