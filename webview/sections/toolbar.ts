/** The stepping toolbar: first / previous / play / next / last, the step slider and readout, the playback speed, the render time. */
import { h } from '../dom';
import type { Panel } from '../panel';
import { layerMeta, type View } from '../store';
import { button, dropdown, setButtonLabel } from '../toolkit';

export interface Toolbar extends View {
  /** The last frame's render time (a readout beside the step). */
  timing: HTMLElement;
}

export function mountToolbar(p: Panel, parent: ParentNode): Toolbar {
  const { store, nav } = p;
  const bar = h('div', 'toolbar');
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', 'Step through time');
  const play = button({ label: '▶ Play', ariaLabel: 'Play', title: 'Play / pause (Space)', appearance: 'primary', onClick: () => p.togglePlay() });
  const slider = h('input', 'slider');
  slider.type = 'range';
  slider.min = '0';
  slider.step = '1';
  slider.setAttribute('aria-label', 'Step');
  slider.addEventListener('input', () => nav.setStep(Number(slider.value)));
  const speed = dropdown('Playback speed', (v) => (store.state.speed = Number(v)));
  speed.setChoices([1, 2, 5, 10, 20, 50, 100].map((n) => ({ value: String(n), label: `${n} steps/s` })), String(store.state.speed));
  const readout = h('span', 'readout');
  readout.setAttribute('aria-live', 'polite');
  const timing = h('span', 'muted timing');
  bar.append(
    button({ label: '|◀', ariaLabel: 'First step', title: 'First step (Home)', appearance: 'icon', onClick: () => nav.setStep(0) }),
    button({ label: '◀', ariaLabel: 'Previous step', title: 'Previous step (←)', appearance: 'icon', onClick: () => nav.setStep(store.state.step - 1) }),
    play,
    button({ label: '▶', ariaLabel: 'Next step', title: 'Next step (→)', appearance: 'icon', onClick: () => nav.setStep(store.state.step + 1) }),
    button({ label: '▶|', ariaLabel: 'Last step', title: 'Last step (End)', appearance: 'icon', onClick: () => nav.setStep(Infinity) }),
    slider,
    readout,
    speed.element,
    timing,
  );
  parent.append(bar);
  let playing: boolean | null = null;

  return {
    timing,
    render(dirty) {
      if (playing !== store.playing) {
        playing = store.playing;
        setButtonLabel(play, playing ? '❚❚ Pause' : '▶ Play', playing ? 'Pause' : 'Play');
      }
      const m = layerMeta(store);
      const tr = store.data;
      if (!m || !tr) return;
      if (dirty.has('data')) slider.max = String(m.steps - 1);
      const t = store.state.step;
      const s = store.stepOfTime[t]!;
      slider.value = String(t);
      slider.setAttribute('aria-valuetext', `step ${t} of ${m.steps - 1}`);
      const masked = tr.masked?.[s] ? ' · masked (state carried over)' : '';
      readout.textContent = `t = ${t} / ${m.steps - 1}${m.direction === 'backward' || s !== t ? ` (processing step ${s})` : ''}${masked}${tr.hasStep(s) ? '' : ' · loading…'}`;
    },
  };
}
