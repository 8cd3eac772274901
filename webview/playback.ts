/** Playback (steps per second from the saved speed) and the keys: ←/→ (shift: 10), Home, End, Space. */
import type { StepAction } from '../src/protocol';
import type { Navigation } from './navigate';
import type { Scheduler, Store } from './store';
import { isEditingControl } from './toolkit';

export interface Playback {
  toggle(force?: boolean): void;
  /**
   * A host stepping command (palette entries and their keybindings): the same moves as the toolbar buttons. One that
   * arrives while the trace is loading (a re-run, a revealed panel) is kept and applied when the trace comes.
   */
  onCommand(action: StepAction): void;
  /** The trace arrived: a command kept meanwhile is applied now. */
  resume(): void;
}

export function playback(store: Store, scheduler: Scheduler, nav: Navigation): Playback {
  let frame = 0;
  const toggle = (force?: boolean) => {
    store.playing = force ?? !store.playing;
    scheduler.mark('step'); // the toolbar's button label
    cancelAnimationFrame(frame);
    if (!store.playing) return;
    if (store.state.step >= nav.steps() - 1) nav.setStep(0);
    let last = performance.now();
    let acc = 0;
    const tick = (now: number) => {
      acc += ((now - last) / 1000) * store.state.speed;
      last = now;
      if (acc >= 1) {
        const k = Math.floor(acc);
        acc -= k;
        if (store.state.step + k >= nav.steps() - 1) {
          nav.setStep(nav.steps() - 1);
          toggle(false);
          return;
        }
        nav.setStep(store.state.step + k);
        scheduler.flush(); // this frame, not the next
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
  };

  document.addEventListener('keydown', (e) => {
    if (!store.data || e.altKey || e.ctrlKey || e.metaKey) return;
    if (isEditingControl(e.target)) return;
    const k = e.key;
    if (k === 'ArrowRight') nav.setStep(store.state.step + (e.shiftKey ? 10 : 1));
    else if (k === 'ArrowLeft') nav.setStep(store.state.step - (e.shiftKey ? 10 : 1));
    else if (k === 'Home') nav.setStep(0);
    else if (k === 'End') nav.setStep(Infinity);
    else if (k === ' ' && !(e.target instanceof HTMLElement && e.target.tagName.toLowerCase() === 'vscode-button')) toggle();
    else return;
    e.preventDefault();
    // Drawn now, not at the next frame: the browser shows it at the coming frame (a step costs a few ms).
    scheduler.flush();
  });

  let waiting: StepAction | null = null;
  const api: Playback = {
    toggle,
    resume() {
      const a = waiting;
      waiting = null;
      if (a && store.data) api.onCommand(a);
    },
    onCommand(action) {
      if (!store.data) return void (waiting = action);
      if (action === 'forward') nav.setStep(store.state.step + 1);
      else if (action === 'back') nav.setStep(store.state.step - 1);
      else if (action === 'first') nav.setStep(0);
      else if (action === 'last') nav.setStep(Infinity);
      else toggle();
      scheduler.flush();
    },
  };
  return api;
}
