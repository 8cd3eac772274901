/**
 * The Cellscope panel (webview side): composes the sections (webview/sections/) over one store and routes the host's
 * messages. It never computes a cell; each frame redraws what the store marks dirty and saves the panel state.
 */
import { compareSource } from '../src/panel/compare-source';
import { ExplainSource } from '../src/panel/explain-source';
import { sectionHandlers } from './section-messages';
import type { InitMessage, ToWebview } from '../src/protocol';
import { benchHooks } from './bench-hooks';
import { bridge } from './bridge';
import { h } from './dom';
import * as l10n from './l10n';
import { mountLayout, type Layout } from './layout';
import { navigation } from './navigate';
import type { Panel } from './panel';
import { playback } from './playback';
import { playground } from './playground';
import { Scheduler, initialState, restoreState, type Dirty, type Store } from './store';
import { readTheme, watchTheme } from './theme';
import { registerToolkit } from './toolkit';

l10n.readL10n(document);
registerToolkit();
const io = bridge();
const store: Store = { init: null, data: null, compare: null, explain: null, port: null, theme: readTheme(), state: initialState(''), playing: false, stepOfTime: new Int32Array(0), xRange: null };
const app = document.getElementById('app')!;
const errorBanner = h('div', 'error-banner');
errorBanner.setAttribute('role', 'alert');
errorBanner.hidden = true;
const status = h('div', 'sr-only');
status.setAttribute('aria-live', 'polite');
let layout: Layout | null = null;

const scheduler = new Scheduler(render);
const bench = benchHooks(() => store.data?.bytes() ?? 0);
const nav = navigation(store, scheduler, io.post, bench, (t) => status.replaceChildren(t));
const play = playback(store, scheduler, nav);
const panel: Panel = { store, scheduler, post: io.post, nav, bench, togglePlay: play.toggle, announce: (t) => status.replaceChildren(t), playground: playground(store, io.post, () => scheduler.mark('step')) };
const pg = panel.playground;;

function showError(message: string): void {
  errorBanner.textContent = message;
  errorBanner.hidden = false;
  if (!errorBanner.isConnected) app.prepend(errorBanner);
}

function render(dirty: Set<Dirty>): void {
  if (!layout || !store.init) return;
  const t0 = performance.now();
  const s = store.stepOfTime[store.state.step];
  if (store.data && s !== undefined) store.data.ensureAround(s);
  for (const v of layout.views) v.render(dirty);
  if (store.data && dirty.has('data')) {
    const m = store.init.layers[store.state.layer]!;
    status.replaceChildren(l10n.t('Showing {0} ({1}), batch item {2}.', m.layerName, m.direction, store.state.batch));
  }
  if (store.data && s !== undefined && store.data.hasStep(s)) bench.drawn();
  const ms = performance.now() - t0;
  document.body.dataset.renderMs = ms.toFixed(3);
  io.save(store.state);
}

/** A (re-)run: a clean slate that keeps the place (step, layer, units, tolerance…) through the saved state. */
function onInit(m: InitMessage): void {
  play.toggle(false);
  for (const v of layout?.views ?? []) v.dispose?.();
  errorBanner.hidden = true;
  Object.assign(store, { init: m, data: null, compare: null, explain: new ExplainSource(io.post), port: null, state: restoreState(io.saved(), m) });
  delete document.body.dataset.charts;
  app.replaceChildren(errorBanner);
  app.removeAttribute('aria-busy');
  layout = mountLayout(panel, m, app);
  app.append(status);
  if (!m.layers[store.state.layer]) {
    showError(l10n.t('This model has no recurrent layer: there are no gates to show.'));
    return io.save(store.state);
  }
  nav.selectLayer(store.state.layer);
  io.save(store.state);
}

const handlers: { [K in ToWebview['type']]: (m: Extract<ToWebview, { type: K }>) => void } = {
  init: (m) => pg.accepts(m) && (bench.restart(), bench.mark('init'), onInit(m), pg.afterInit(m)),
  trace: (m) => (bench.mark('trace'), nav.onTrace(m), play.resume()),
  series: (m) => (bench.mark('series', true), store.data?.onSeries(m) && scheduler.mark('charts')),
  heat: (m) => (bench.mark('heat columns', true), store.data?.onHeat(m) && scheduler.mark('heat')),
  window: (m) => (bench.mark('window', true), store.data?.onWindow(m) && scheduler.mark('step')),
  perf: (m) => bench.onPerf(m),
  compareSeries: (m) => store.compare?.onSeries(m) && scheduler.mark('data'),
  compareHeat: (m) => store.compare?.onHeat(m) && scheduler.mark('data'),
  comparison: (m) => {
    if (store.compare?.message.output === m.output) store.compare.update(m);
    else {
      store.compare = compareSource(m, io.post);
      // The tolerance the user set (saved with the panel) holds for this run too.
      if (store.state.tolerance) store.compare.setTolerance(store.state.tolerance);
    }
    scheduler.mark('data');
  },
  // The worker's lines for the comparison already shown (the tolerance the user set stays).
  diagnosis: (m) => store.compare && (store.compare.update({ ...store.compare.message, diagnosis: m.diagnosis }), scheduler.mark('data')),
  error: (m) => (pg.onError(), showError(m.message)),
  saved: (m) => pg.onSaved(m),
  step: (m) => play.onCommand(m.action),
  ...sectionHandlers(store, scheduler),
};

io.listen((m) => {
  try {
    (handlers[m.type] as (x: ToWebview) => void)(m);
  } catch (e) {
    console.error(e);
    io.post({ type: 'log', level: 'error', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
  }
});
watchTheme((t) => ((store.theme = t), scheduler.mark('data')));
bench.ready();
io.post({ type: 'ready' });
