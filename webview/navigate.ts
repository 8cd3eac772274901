/**
 * The panel's moves: to a step, a layer, a batch item; asking the host for the trace they need and taking it in.
 * Every move writes the store and marks what to redraw; the sections draw it.
 */
import { Requests } from '../src/panel/requests';
import { TraceData } from '../src/panel/trace-source';
import type { FromWebview, TraceMessage } from '../src/protocol';
import type { BenchHooks } from './bench-hooks';
import { defaultUnits, invert, layerMeta, shownInputIndex, type Scheduler, type Store } from './store';
import * as l10n from './l10n';

export interface Navigation {
  /** Steps of the current layer (0 before its metadata). */
  steps(): number;
  /** Moves the cursor to input time t (clamped; Infinity: the last step); `mark` false when the caller redraws. */
  setStep(t: number, mark?: boolean): void;
  selectLayer(id: number): void;
  /** False (and nothing changes) for a batch item outside the run. */
  selectBatch(b: number): boolean;
  /** Shows model input k in the Input card (a multi-input model); the shown layer's own input means "follow the layer". */
  selectModelInput(k: number): void;
  onTrace(m: TraceMessage): void;
  /** Pixel columns the heatmap draws for `steps` steps (sent with requestTrace so a long trace's first heat comes with it). */
  heatColumns: (steps: number) => number;
}

export function navigation(store: Store, scheduler: Scheduler, post: (m: FromWebview) => void, bench: BenchHooks, announce: (t: string) => void): Navigation {
  let stepTimer = 0;
  const traces = new Requests(post);
  /** The id of the last trace asked for: an answer to an earlier one is stale. */
  let latest = 0;
  /** The host learns where the panel is (its state query, stepping commands), debounced. */
  const postStep = () => {
    clearTimeout(stepTimer);
    stepTimer = window.setTimeout(() => post({ type: 'stepChanged', layer: store.state.layer, batch: store.state.batch, step: store.state.step }), 150);
  };

  const nav: Navigation = {
    heatColumns: () => 0,
    steps: () => layerMeta(store)?.steps ?? 0,
    setStep(t, mark = true) {
      const n = nav.steps();
      if (!n) return;
      const next = Math.max(0, Math.min(n - 1, Number.isFinite(t) ? Math.round(t) : n - 1));
      if (next === store.state.step && mark) return;
      store.state.step = next;
      scheduler.mark('step');
      postStep();
    },
    selectLayer(id) {
      const m = store.init?.layers[id];
      if (!m) return;
      const st = store.state;
      st.layer = id;
      st.units = st.units.filter((u) => u < m.units);
      if (!st.units.length) st.units = defaultUnits(m.units);
      if (st.focusUnit >= m.units) st.focusUnit = st.units[0]!;
      if (!m.quantities.some((q) => q.key === st.quantity)) st.quantity = 'h';
      st.step = Math.min(st.step, m.steps - 1);
      store.stepOfTime = invert(m.inputTimeOfStep);
      requestTrace();
    },
    selectBatch(b) {
      const n = store.init?.batch ?? 1;
      if (!Number.isInteger(b) || b < 0 || b >= n) return false;
      store.state.batch = b;
      requestTrace();
      return true;
    },
    selectModelInput(k) {
      if (!store.init?.modelInputs[k]) return;
      store.state.modelInput = k === layerMeta(store)?.modelInput ? null : k;
      requestTrace();
    },
    onTrace(m) {
      const meta = store.init?.layers[m.layer];
      if (!meta || m.steps !== meta.steps || m.units !== meta.units || (m.values.length > 0 && m.values.length !== meta.quantities.length)) {
        console.warn('cellscope: trace does not match the layer it names; dropped');
        post({ type: 'log', level: 'warn', message: `trace for layer ${m.layer} does not match its metadata; dropped` });
        return;
      }
      traces.settle(m.re);
      if (m.re !== latest || m.layer !== store.state.layer || m.batch !== store.state.batch || m.modelInput !== shownInputIndex(store)) return; // stale answer
      const init = store.init!;
      const request = (r: FromWebview) => {
        bench.mark(r.type, true);
        post(r);
      };
      store.data = new TraceData(m, meta.quantities.length, store.stepOfTime, request, { features: init.modelInputs[m.modelInput]!.features, bytesPerValue: init.precision === 'float32' ? 4 : 8 });
      if (m.first) {
        store.data.onSeries(m.first.series);
        if (m.first.heat) store.data.onHeat(m.first.heat);
        store.data.onWindow(m.first.window);
      }
      store.state.step = Math.min(store.state.step, meta.steps - 1);
      scheduler.mark('data');
      postStep();
    },
  };

  function requestTrace(): void {
    if (!store.init || !store.init.layers.length) return;
    announce(l10n.t('Loading layer {0}, batch item {1}…', store.state.layer, store.state.batch));
    // What will be drawn first comes with the trace (a long one): one round trip.
    const m = layerMeta(store)!;
    const qh = m.quantities.findIndex((q) => q.key === store.state.quantity);
    const view = {
      units: store.state.units.length ? store.state.units : defaultUnits(m.units),
      quantity: qh >= 0 ? qh : m.quantities.length - 1,
      cols: nav.heatColumns(m.steps),
      step: store.stepOfTime[Math.min(store.state.step, m.steps - 1)] ?? 0,
    };
    latest = traces.ask(null, { type: 'requestTrace', layer: store.state.layer, batch: store.state.batch, view, modelInput: shownInputIndex(store) });
  }

  return nav;
}
