/**
 * The Cellscope panel (webview side). Receives the host's run (init, per-layer trace slices, comparison) and draws it;
 * it never computes a cell. Every view is redrawn within one animation frame; moving the step redraws only cursors,
 * the step detail and readouts.
 */
import {
  describeMessage,
  isPanelState,
  isToWebview,
  type CompareHeatMessage,
  type CompareSeriesMessage,
  type ComparisonMessage,
  type FromWebview,
  type InitMessage,
  type PanelState,
  type StepAction,
  type ToWebview,
  type TraceMessage,
} from '../src/protocol';
import { heatColumns, seriesPoints } from '../src/extension/panel/overview';
import { LineChart, type Series } from './charts';
import { Heatmap } from './heatmap';
import { evaluate, indicesOf, renderSaturation, renderWeights } from './inspect';
import { CellDiagram, StepBars, type BarRow } from './stepdetail';
import {
  Scheduler,
  fmt,
  invert,
  layerMeta,
  parseUnits,
  shownQuantities,
  unitsText,
  valueAt,
  type Dirty,
  type Store,
} from './store';
import { colourTable, readTheme, rgbaText, watchTheme } from './theme';
import { TraceData } from './tracedata';
import { fromWire, toWire } from '../src/transport';
import { button, checkbox, dropdown, isEditingControl, registerToolkit, setButtonLabel, textField, type Dropdown } from './toolkit';

interface VsCodeApi {
  postMessage(m: FromWebview): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscodeApi = acquireVsCodeApi();
/** Every message out goes through `toWire` (src/transport.ts): JSON would turn NaN and ±Infinity into null. */
const vscode: VsCodeApi = {
  postMessage: (m) => vscodeApi.postMessage(toWire(m)),
  getState: () => vscodeApi.getState(),
  setState: (s) => vscodeApi.setState(s),
};
registerToolkit();

const store: Store = {
  init: null,
  data: null,
  comparison: null,
  theme: readTheme(),
  state: { fileUri: '', layer: 0, batch: 0, step: 0, quantity: 'h', units: [0], focusUnit: 0, showPre: false },
  playing: false,
  speed: 10,
  stepOfTime: new Int32Array(0),
  stepChangedAt: 0,
};

const app = document.getElementById('app')!;
const h = <K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text = ''): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
};

function section(title: string, cls: string): { root: HTMLElement; body: HTMLElement; head: HTMLElement } {
  const root = h('section', `card ${cls}`);
  const head = h('div', 'card-head');
  const id = `h-${cls}`;
  const h2 = h('h2', '', title);
  h2.id = id;
  root.setAttribute('aria-labelledby', id);
  head.append(h2);
  const body = h('div', 'card-body');
  root.append(head, body);
  return { root, body, head };
}

// ---------------------------------------------------------------------------------------------------------------
// Layout, built once per init.

interface Ui {
  layer: Dropdown;
  quantity: Dropdown;
  speed: Dropdown;
  outUnit: Dropdown;
  batch: ReturnType<typeof textField>;
  batchOf: HTMLElement;
  units: ReturnType<typeof textField>;
  play: HTMLElement;
  slider: HTMLInputElement;
  readout: HTMLElement;
  timing: HTMLElement;
  gates: HTMLElement;
  legend: HTMLElement;
  heatmap: Heatmap;
  heatTitle: HTMLElement;
  bars: StepBars;
  diagram: CellDiagram;
  diagramCaption: HTMLElement;
  inputBody: HTMLElement;
  inputChart: LineChart | null;
  tokens: HTMLElement | null;
  compareBody: HTMLElement;
  compareText: HTMLElement;
  compareChart: LineChart | null;
  compareHeat: Heatmap;
  compareHeatBox: HTMLElement;
  atol: ReturnType<typeof textField>;
  rtol: ReturnType<typeof textField>;
  tolField: HTMLElement;
  jump: HTMLElement;
  diagnosis: HTMLElement;
  weightsBody: HTMLElement;
  satBody: HTMLElement;
  satTitle: HTMLElement;
  stepTable: HTMLTableElement;
  seriesTable: HTMLTableElement;
  tables: HTMLDetailsElement;
  status: HTMLElement;
}

let ui: Ui | null = null;
const gateCharts = new Map<number, LineChart>();
const errorBanner = h('div', 'error-banner');
errorBanner.setAttribute('role', 'alert');
errorBanner.hidden = true;

function showError(message: string): void {
  errorBanner.textContent = message;
  errorBanner.hidden = false;
  if (!errorBanner.isConnected) app.prepend(errorBanner);
}

function buildLayout(init: InitMessage): Ui {
  app.replaceChildren(errorBanner);
  app.removeAttribute('aria-busy');
  const s = init.summary;

  // Header: summary, files, selectors.
  const header = h('header', 'card header');
  const title = h('h1', '', `${s.name}`);
  const meta = h('p', 'muted');
  meta.textContent = `input ${shape(s.inputShape)} · ${s.params.toLocaleString()} parameters · ${init.precisionNote ?? init.precision} · engine run ${init.runMs.toFixed(1)} ms`;
  const sem = h('p', 'semantics', s.semantics);
  const files = h('p', 'files');
  files.append(
    fileChip('model', init.files.model),
    fileChip('input', init.files.input ?? '—'),
    fileChip('recorded output', init.files.recording ?? 'none'),
  );
  const layers = h('table', 'layers');
  layers.createCaption().textContent = 'Layers';
  const thead = layers.createTHead().insertRow();
  for (const c of ['layer', 'class', 'output', 'params', 'settings']) {
    const th = h('th', '', c);
    th.scope = 'col';
    thead.append(th);
  }
  const tb = layers.createTBody();
  for (const l of s.layers) {
    const r = tb.insertRow();
    for (const c of [l.name, l.className, shape([null, ...l.outputShape]), l.params.toLocaleString(), l.details]) r.insertCell().textContent = c;
  }
  header.append(title, meta, sem, files, layers);

  const controls = h('div', 'selectors');
  controls.setAttribute('role', 'group');
  controls.setAttribute('aria-label', 'What to show');
  const layer = dropdown('Layer and direction', (v) => selectLayer(Number(v)));
  layer.setChoices(
    init.layers.map((l) => ({ value: String(l.id), label: `${l.layerName}${init.layers.some((o) => o.layerIndex === l.layerIndex && o !== l) ? ` (${l.direction})` : ''} · ${l.cell} · ${l.units} units` })),
    String(store.state.layer),
  );
  const batch = textField('', String(store.state.batch), (v) => selectBatch(Number(v)), 6);
  const batchOf = h('span', 'muted', `of ${init.batch}`);
  const quantity = dropdown('Heatmap quantity', (v) => {
    store.state.quantity = v;
    scheduler.mark('data');
  });
  const units = textField('', unitsText(store.state.units), (v) => {
    const m = layerMeta(store);
    const parsed = m ? parseUnits(v, m.units) : null;
    if (!parsed) {
      units.setValue(unitsText(store.state.units));
      return;
    }
    store.state.units = parsed;
    if (!parsed.includes(store.state.focusUnit)) store.state.focusUnit = parsed[0]!;
    scheduler.mark('data');
  }, 14);
  const pre = checkbox('Pre-activations', store.state.showPre, (v) => {
    store.state.showPre = v;
    scheduler.mark('data');
  });
  const exportCsv = button({ label: 'Export CSV', title: 'Save the whole trace as CSV', onClick: () => vscode.postMessage({ type: 'exportTrace', format: 'csv' }) });
  const exportJson = button({ label: 'Export JSON', title: 'Save the whole trace as JSON', onClick: () => vscode.postMessage({ type: 'exportTrace', format: 'json' }) });
  controls.append(labelled('Layer', layer.element), labelled('Batch', batch.element, batchOf), labelled('Units', units.element), labelled('Heatmap', quantity.element), pre.element, exportCsv, exportJson);
  header.append(controls);

  // Stepping toolbar.
  const bar = h('div', 'toolbar');
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', 'Step through time');
  const play = button({ label: '▶ Play', ariaLabel: 'Play', title: 'Play / pause (Space)', appearance: 'primary', onClick: () => togglePlay() });
  const slider = h('input', 'slider');
  slider.type = 'range';
  slider.min = '0';
  slider.step = '1';
  slider.setAttribute('aria-label', 'Step');
  slider.addEventListener('input', () => setStep(Number(slider.value)));
  const speed = dropdown('Playback speed', (v) => (store.speed = Number(v)));
  speed.setChoices(
    [1, 2, 5, 10, 20, 50, 100].map((n) => ({ value: String(n), label: `${n} steps/s` })),
    String(store.speed),
  );
  const readout = h('span', 'readout');
  readout.setAttribute('aria-live', 'polite');
  const timing = h('span', 'muted timing');
  bar.append(
    button({ label: '|◀', ariaLabel: 'First step', title: 'First step (Home)', appearance: 'icon', onClick: () => setStep(0) }),
    button({ label: '◀', ariaLabel: 'Previous step', title: 'Previous step (←)', appearance: 'icon', onClick: () => setStep(store.state.step - 1) }),
    play,
    button({ label: '▶', ariaLabel: 'Next step', title: 'Next step (→)', appearance: 'icon', onClick: () => setStep(store.state.step + 1) }),
    button({ label: '▶|', ariaLabel: 'Last step', title: 'Last step (End)', appearance: 'icon', onClick: () => setStep(Infinity) }),
    slider,
    readout,
    speed.element,
    timing,
  );

  const gates = section('Gates over time', 'gates');
  const legend = h('div', 'unit-legend');
  legend.setAttribute('aria-label', 'Unit colours');
  gates.head.append(legend);
  const gatesGrid = h('div', 'gate-grid');
  gates.body.append(gatesGrid);

  const heat = section('Heatmap', 'heat');
  const heatTitle = h('span', 'muted');
  heat.head.append(heatTitle);
  const zoomIn = button({ label: '+', ariaLabel: 'Zoom in time', appearance: 'icon', onClick: () => ui!.heatmap.zoom(0.5) });
  const zoomOut = button({ label: '−', ariaLabel: 'Zoom out time', appearance: 'icon', onClick: () => ui!.heatmap.zoom(2) });
  heat.head.append(zoomIn, zoomOut);
  const heatmap = new Heatmap((unit, t) => {
    store.state.focusUnit = unit;
    if (!store.state.units.includes(unit)) store.state.units = [...store.state.units, unit].sort((a, b) => a - b).slice(-16);
    units.setValue(unitsText(store.state.units));
    setStep(t, false);
    scheduler.mark('data');
  });
  heat.body.append(heatmap.root);

  const detail = section('Step detail', 'detail');
  const bars = new StepBars((unit) => {
    store.state.focusUnit = unit;
    scheduler.mark('step');
  });
  detail.body.append(bars.root);

  const cell = section('Cell', 'cell');
  const diagram = new CellDiagram();
  const diagramCaption = h('p', 'muted');
  cell.body.append(diagram.root, diagramCaption);

  const input = section('Input', 'input');
  const cmp = section('Output vs recorded Keras output', 'compare');
  const compareText = h('p', 'compare-text');
  compareText.setAttribute('aria-live', 'polite');
  const outUnit = dropdown('Output unit', () => scheduler.mark('data'));
  const outField = labelled('Output unit', outUnit.element);
  outField.hidden = !init.hasComparison;
  cmp.head.append(outField);
  const atol = textField('', '1e-5', (v) => setTolerance('atol', v), 7, 'Absolute tolerance (atol)');
  const rtol = textField('', '0', (v) => setTolerance('rtol', v), 7, 'Relative tolerance (rtol)');
  atol.element.classList.add('atol');
  rtol.element.classList.add('rtol');
  const tolField = h('div', 'tol-fields');
  tolField.append(labelled('atol', atol.element), labelled('rtol', rtol.element));
  tolField.hidden = !init.hasComparison;
  const jump = button({ label: 'Jump to first divergence', title: 'Select the batch item, step and output unit of the first value outside the tolerance', onClick: () => jumpToDivergence() });
  jump.classList.add('jump');
  jump.hidden = true;
  cmp.head.append(tolField, jump);
  const diagnosis = h('div', 'diagnosis');
  diagnosis.hidden = true;
  const compareHeat = new Heatmap((unit, t) => pickCompare(unit, t));
  const compareHeatBox = h('div', 'compare-heat');
  compareHeatBox.append(h('div', 'chart-title', ''), compareHeat.root);
  compareHeatBox.hidden = true;
  cmp.body.append(compareText, diagnosis, compareHeatBox);
  if (!init.hasComparison) compareText.textContent = 'No recorded Keras output for this input: nothing to compare.';

  const weights = section('Weights', 'weights');
  weights.head.append(h('span', 'muted', 'per gate: colours (blue −, red +), histogram, statistics; ρ = spectral radius of the recurrent block'));
  const sat = section('Gate saturation', 'saturation');
  const satTitle = h('span', 'muted', '');
  sat.head.append(satTitle);

  // Accessible data tables (also a visible toggle).
  const tables = h('details', 'card tables');
  const sum = h('summary', '', 'Data tables');
  const stepTable = h('table', 'data');
  const seriesTable = h('table', 'data');
  tables.append(sum, stepTable, seriesTable);
  tables.addEventListener('toggle', () => scheduler.mark('step'));

  const status = h('div', 'sr-only');
  status.setAttribute('aria-live', 'polite');

  const main = h('main', 'grid');
  main.append(gates.root, heat.root, detail.root, cell.root, input.root, cmp.root, sat.root, weights.root, tables);
  app.append(header, bar, main, status);

  return {
    layer, quantity, speed, outUnit, batch, batchOf, units, play, slider, readout, timing,
    gates: gatesGrid, legend, heatmap, heatTitle, bars, diagram, diagramCaption,
    inputBody: input.body, inputChart: null, tokens: null,
    compareBody: cmp.body, compareText, compareChart: null, compareHeat, compareHeatBox, atol, rtol, tolField, jump, diagnosis,
    weightsBody: weights.body, satBody: sat.body, satTitle,
    stepTable, seriesTable, tables, status,
  };
}

function labelled(text: string, ...controls: HTMLElement[]): HTMLElement {
  const l = h('div', 'field');
  const span = h('span', 'field-label', text);
  l.append(span, ...controls);
  return l;
}

function fileChip(what: string, name: string): HTMLElement {
  const s = h('span', 'chip');
  s.append(h('span', 'muted', `${what}: `), h('span', '', name));
  return s;
}

const shape = (d: (number | null)[]) => `[${d.map((x) => (x === null ? 'None' : x)).join(', ')}]`;

// ---------------------------------------------------------------------------------------------------------------
// State changes

function steps(): number {
  return layerMeta(store)?.steps ?? 0;
}

function setStep(t: number, mark = true): void {
  const n = steps();
  if (!n) return;
  const next = Math.max(0, Math.min(n - 1, Number.isFinite(t) ? Math.round(t) : n - 1));
  if (next === store.state.step && mark) return;
  store.state.step = next;
  store.stepChangedAt = performance.now();
  scheduler.mark('step');
  postStep();
}

let stepTimer = 0;
function postStep(): void {
  clearTimeout(stepTimer);
  stepTimer = window.setTimeout(() => vscode.postMessage({ type: 'stepChanged', layer: store.state.layer, batch: store.state.batch, step: store.state.step }), 150);
}

function selectLayer(id: number): void {
  const m = store.init?.layers[id];
  if (!m) return;
  store.state.layer = id;
  store.state.units = store.state.units.filter((u) => u < m.units);
  if (!store.state.units.length) store.state.units = defaultUnits(m.units);
  if (store.state.focusUnit >= m.units) store.state.focusUnit = store.state.units[0]!;
  if (!m.quantities.some((q) => q.key === store.state.quantity)) store.state.quantity = 'h';
  store.state.step = Math.min(store.state.step, m.steps - 1);
  store.stepOfTime = invert(m.inputTimeOfStep);
  requestTrace();
}

function selectBatch(b: number): void {
  const n = store.init?.batch ?? 1;
  if (!Number.isInteger(b) || b < 0 || b >= n) {
    ui?.batch.setValue(String(store.state.batch));
    return;
  }
  store.state.batch = b;
  requestTrace();
}

const defaultUnits = (n: number) => Array.from({ length: Math.min(n, 6) }, (_, i) => i);

function requestTrace(): void {
  if (!store.init || !store.init.layers.length) return;
  ui?.status.replaceChildren(`Loading layer ${store.state.layer}, batch item ${store.state.batch}…`);
  // What will be drawn first comes with the trace (a long one): one round trip.
  const m = layerMeta(store)!;
  const qh = m.quantities.findIndex((q) => q.key === store.state.quantity);
  const view = {
    units: store.state.units.length ? store.state.units : defaultUnits(m.units),
    quantity: qh >= 0 ? qh : m.quantities.length - 1,
    cols: ui?.heatmap.columnsFor(m.steps) ?? 0,
    step: store.stepOfTime[Math.min(store.state.step, m.steps - 1)] ?? 0,
  };
  vscode.postMessage({ type: 'requestTrace', layer: store.state.layer, batch: store.state.batch, view });
}

let playFrame = 0;
function togglePlay(force?: boolean): void {
  store.playing = force ?? !store.playing;
  if (ui) setButtonLabel(ui.play, store.playing ? '❚❚ Pause' : '▶ Play', store.playing ? 'Pause' : 'Play');
  cancelAnimationFrame(playFrame);
  if (!store.playing) return;
  if (store.state.step >= steps() - 1) setStep(0);
  let last = performance.now();
  let acc = 0;
  const tick = (now: number) => {
    acc += ((now - last) / 1000) * store.speed;
    last = now;
    if (acc >= 1) {
      const k = Math.floor(acc);
      acc -= k;
      if (store.state.step + k >= steps() - 1) {
        setStep(steps() - 1);
        togglePlay(false);
        return;
      }
      setStep(store.state.step + k);
      scheduler.flush(); // this frame, not the next
    }
    playFrame = requestAnimationFrame(tick);
  };
  playFrame = requestAnimationFrame(tick);
}

document.addEventListener('keydown', (e) => {
  if (!store.data || e.altKey || e.ctrlKey || e.metaKey) return;
  if (isEditingControl(e.target)) return;
  const k = e.key;
  if (k === 'ArrowRight') setStep(store.state.step + (e.shiftKey ? 10 : 1));
  else if (k === 'ArrowLeft') setStep(store.state.step - (e.shiftKey ? 10 : 1));
  else if (k === 'Home') setStep(0);
  else if (k === 'End') setStep(Infinity);
  else if (k === ' ' && !(e.target instanceof HTMLElement && e.target.tagName.toLowerCase() === 'vscode-button')) togglePlay();
  else return;
  e.preventDefault();
  // Drawn now, not at the next frame: the browser shows it at the coming frame (a step costs a few ms).
  scheduler.flush();
});

// ---------------------------------------------------------------------------------------------------------------
// Rendering

const scheduler = new Scheduler(render);

function render(dirty: Set<Dirty>): void {
  if (!ui || !store.init) return;
  const t0 = performance.now();
  if (store.data) {
    if (dirty.has('data')) renderData();
    else {
      if (dirty.has('charts')) renderCharts();
      if (dirty.has('heat')) renderHeat();
    }
    renderStep();
  }
  if (dirty.has('data')) {
    renderComparison();
    renderAnalysis();
  }
  if (store.comparison && ui.compareHeatBox.isConnected) drawCompareHeatCursor();
  const ms = performance.now() - t0;
  document.body.dataset.renderMs = ms.toFixed(3);
  ui.timing.textContent = `drawn in ${ms.toFixed(1)} ms`;
  vscode.setState(store.state);
}

function unitColour(k: number): string {
  const s = store.theme.series;
  return s[k % s.length]!;
}

function quantityRange(q: number): [number, number] {
  const m = layerMeta(store)!;
  const role = m.quantities[q]!.role;
  if (role === 'gate') return [0, 1];
  const lo = m.ranges[2 * q]!;
  const hi = m.ranges[2 * q + 1]!;
  const a = niceCeil(Math.max(Math.abs(lo), Math.abs(hi), 1e-9));
  return lo >= -1 && hi <= 1 && role !== 'pre_activation' ? [-1, 1] : [-a, a];
}

/** 1.77 → 2, 14.9 → 15, 0.34 → 0.4: a round axis bound just above x. */
function niceCeil(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const m = x / p;
  const step = m <= 2 ? 0.5 : m <= 5 ? 1 : 2;
  return Math.ceil(m / step) * step * p;
}

function renderData(): void {
  const u = ui!;
  const m = layerMeta(store)!;
  const { units, focusUnit } = store.state;
  u.slider.max = String(m.steps - 1);
  u.layer.setValue(String(store.state.layer));
  u.units.setValue(unitsText(units));
  u.batch.setValue(String(store.state.batch));
  u.quantity.setChoices(m.quantities.filter((q) => store.state.showPre || q.role !== 'pre_activation' || q.key === store.state.quantity).map((q) => ({ value: q.key, label: q.label })), store.state.quantity);

  // Unit legend.
  u.legend.replaceChildren(
    ...units.map((j, k) => {
      const chip = h('span', `unit-chip${j === focusUnit ? ' focus' : ''}`);
      const sw = h('span', 'swatch');
      sw.style.background = unitColour(k);
      chip.append(sw, `unit ${j}`);
      return chip;
    }),
  );

  renderCharts();
  renderHeat();
  renderInputData();
  u.diagram.build(m.cell);
  u.status.replaceChildren(`Showing ${m.layerName} (${m.direction}), batch item ${store.state.batch}.`);
}

/** Gate charts: one per shown quantity, the charted units as lines (min/max per bucket on long traces). */
function renderCharts(): void {
  const u = ui!;
  const m = layerMeta(store)!;
  const data = store.data!;
  const { units, focusUnit } = store.state;
  const shown = shownQuantities(store);
  for (const [q, c] of gateCharts) {
    if (!shown.includes(q) || u.gates.dataset.layer !== String(store.state.layer)) {
      c.destroy();
      gateCharts.delete(q);
    }
  }
  u.gates.dataset.layer = String(store.state.layer);
  let complete = true;
  for (const q of shown) {
    const info = m.quantities[q]!;
    let chart = gateCharts.get(q);
    if (!chart) {
      chart = new LineChart({ title: info.label, ariaLabel: '', xLabel: 'time step', height: 150 });
      chart.onRendered = () => drawGateCursor(q);
      gateCharts.set(q, chart);
    }
    u.gates.append(chart.root); // keeps quantity order
    const series: Series[] = [];
    for (const [k, j] of units.entries()) {
      const pts = data.series(q, j, units);
      if (!pts) break;
      series.push({ label: `unit ${j}`, color: unitColour(k), ys: pts.ys, xs: pts.xs, width: j === focusUnit ? 2.5 : 1.5 });
    }
    if (series.length < units.length) {
      complete = false; // the host is computing them: this chart keeps its picture until they come
      continue;
    }
    chart.setTitle(`${info.label} — ${info.description}`, `${info.label} (${info.description}) of units ${unitsText(units)} over ${m.steps} steps, batch item ${store.state.batch}`);
    const [lo, hi] = quantityRange(q);
    chart.setData(series, store.theme, lo, hi, m.steps);
  }
  // What the panel has drawn (tests and the benchmark wait for it).
  if (complete) {
    if (!document.body.dataset.charts) perfMark('charts');
    document.body.dataset.charts = `${store.state.layer}:${store.state.batch}:${unitsText(units)}`;
  }
}

/** Heatmap of the chosen quantity over the visible time range. */
function renderHeat(): void {
  const u = ui!;
  const m = layerMeta(store)!;
  const data = store.data!;
  const qh = m.quantities.findIndex((q) => q.key === store.state.quantity);
  const qi = qh >= 0 ? qh : m.quantities.length - 1;
  const info = m.quantities[qi]!;
  const [lo, hi] = quantityRange(qi);
  u.heatTitle.textContent = `${info.label} · ${m.units} units × ${m.steps} steps`;
  u.heatmap.onDrawn = () => {
    if (perf.marks.heat === undefined && perf.marks.trace !== undefined) perfMark('heat');
  };
  u.heatmap.setData({ columns: (t0, t1, cols) => data.heat(qi, t0, t1, cols), steps: m.steps, units: m.units, lo, hi, diverging: info.role !== 'gate', label: info.label }, store.theme);
}

function renderInputData(): void {
  const u = ui!;
  const init = store.init!;
  const tr = store.data!;
  const m = layerMeta(store)!;
  const T = tr.inputSteps;
  if (init.input.tokens) {
    u.inputChart?.destroy();
    u.inputChart = null;
    if (!u.tokens) {
      u.tokens = h('p', 'tokens');
      u.tokens.setAttribute('aria-label', 'Input tokens, coloured by the focus unit’s h');
      u.inputBody.replaceChildren(u.tokens);
    }
    const vocab = init.input.vocabulary;
    const spans: HTMLElement[] = [];
    for (let t = 0; t < T; t++) {
      const id = tr.input[t]!;
      const text = vocab?.[id] ?? `⟨${id}⟩`;
      const s = h('span', 'tok', text === '\n' ? '↵' : text === ' ' ? '␣' : text);
      s.dataset.t = String(t);
      s.title = `t=${t}: ${JSON.stringify(text)} (id ${id})`;
      s.addEventListener('click', () => setStep(t));
      spans.push(s);
    }
    u.tokens.replaceChildren(...spans);
    tokensDirty = true;
    return;
  }
  if (u.tokens) {
    u.tokens.remove();
    u.tokens = null;
  }
  if (!u.inputChart) {
    u.inputChart = new LineChart({ title: 'x', ariaLabel: '', xLabel: 'time step', height: 150 });
    u.inputChart.onRendered = () => drawInputCursor();
    u.inputBody.replaceChildren(u.inputChart.root);
  }
  const F = init.input.features;
  const shownF = Math.min(F, 8);
  const series: Series[] = [];
  for (let f = 0; f < shownF; f++) {
    const pts = tr.inputSeries(f);
    series.push({ label: `feature ${f}`, color: unitColour(f), ys: pts.ys, xs: pts.xs });
  }
  u.inputChart.setTitle(`x — ${F} feature${F > 1 ? 's' : ''}${F > shownF ? ` (first ${shownF} shown)` : ''}, batch item ${store.state.batch}`, `Input features over ${m.steps} steps`);
  u.inputChart.setData(series, store.theme, undefined, undefined, T);
}

let tokenTable: Uint8ClampedArray | null = null;
let tokenTableTheme: unknown = null;
function colourTokens(): void {
  const u = ui!;
  if (!u.tokens) return;
  const m = layerMeta(store)!;
  const qh = m.quantities.findIndex((q) => q.key === 'h');
  if (tokenTableTheme !== store.theme) {
    tokenTable = colourTable(store.theme, true);
    tokenTableTheme = store.theme;
  }
  const [lo, hi] = quantityRange(qh);
  const j = store.state.focusUnit;
  const children = u.tokens.children;
  for (let t = 0; t < children.length && t < m.steps; t++) {
    const v = valueAt(store, qh, t, j);
    const k = Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo || 1)) * 255)));
    const s = children[t] as HTMLElement;
    s.style.background = rgbaText(tokenTable!, k);
    s.classList.toggle('current', t === store.state.step);
  }
}

let lastFocusForTokens = -1;
let tokensDirty = true;
function renderStep(): void {
  const u = ui!;
  const m = layerMeta(store)!;
  const tr = store.data!;
  const t = store.state.step;
  const s = store.stepOfTime[t]!;
  const j = store.state.focusUnit;
  tr.ensureAround(s);
  const here = tr.hasStep(s);
  u.slider.value = String(t);
  u.slider.setAttribute('aria-valuetext', `step ${t} of ${m.steps - 1}`);
  const masked = tr.masked?.[s] ? ' · masked (state carried over)' : '';
  u.readout.textContent = `t = ${t} / ${m.steps - 1}${m.direction === 'backward' || s !== t ? ` (processing step ${s})` : ''}${masked}${here ? '' : ' · loading…'}`;
  for (const q of gateCharts.keys()) drawGateCursor(q);
  drawInputCursor();
  u.heatmap.setCursor(t, j);
  const init = store.init!;
  if (here) {
    // Bars.
    const rows: BarRow[] = shownQuantities(store).map((q) => {
      const [lo, hi] = quantityRange(q);
      return { q: m.quantities[q]!, values: tr.rowAtStep(q, s)!, lo, hi };
    });
    u.bars.set(rows, j, store.theme, t);

    // Cell diagram for the focus unit: previous states from the previous processing step (zeros before the first).
    const vals: Record<string, number | string | undefined> = {};
    m.quantities.forEach((q, qi) => (vals[q.key] = tr.valueAtStep(qi, s, j)));
    const prev = (key: string) => {
      const qi = m.quantities.findIndex((q) => q.key === key);
      if (qi < 0) return undefined;
      return s > 0 ? tr.valueAtStep(qi, s - 1, j) : 'initial';
    };
    vals.h_prev = prev('h');
    vals.c_prev = prev('c');
    const F = init.input.features;
    if (init.input.tokens) {
      const id = tr.input[t]!;
      vals.x = JSON.stringify(init.input.vocabulary?.[id] ?? id);
    } else vals.x = F === 1 ? tr.inputAt(t, 0) : `${F} values`;
    u.diagram.update(vals, `${m.cell.toUpperCase()} cell, unit ${j}, step ${t}`);
    u.diagramCaption.textContent = `unit ${j} at t = ${t} (${m.layerName}, ${m.direction}); click a bar or the heatmap to pick another unit`;
    perfDrawn();
  }

  if (init.input.tokens && u.tokens) {
    // Colours depend on the focus unit only; a step move just moves the outline.
    if (lastFocusForTokens !== j || tokensDirty) colourTokens();
    else {
      u.tokens.querySelector('.tok.current')?.classList.remove('current');
      u.tokens.children[t]?.classList.add('current');
    }
    lastFocusForTokens = j;
    tokensDirty = false;
  }
  renderTables();
  drawCompareCursor();
}

function drawGateCursor(q: number): void {
  const c = gateCharts.get(q);
  if (!c || !store.data) return;
  const t = store.state.step;
  c.drawCursor(t, store.theme.cursor, store.state.units.map((j, k) => ({ y: valueAt(store, q, t, j), color: unitColour(k) })));
}

function drawInputCursor(): void {
  const c = ui?.inputChart;
  if (!c || !store.data) return;
  c.drawCursor(store.state.step, store.theme.cursor);
}

// Data tables: quantities × selected units at the current step; the focus unit over a window of steps.
function renderTables(): void {
  const u = ui!;
  if (!u.tables.open) return;
  const m = layerMeta(store)!;
  const t = store.state.step;
  const shown = shownQuantities(store);
  const units = store.state.units;
  // A step whose window is still on its way reads "…" (a NaN of the trace itself still reads NaN).
  const data = store.data!;
  const cell = (q: number, k: number, j: number) => (data.hasStep(store.stepOfTime[k]!) ? fmt(valueAt(store, q, k, j), 6) : '…');
  fillTable(
    u.stepTable,
    `Values at step ${t} (${m.layerName}, batch item ${store.state.batch})`,
    ['quantity', ...units.map((j) => `unit ${j}`)],
    shown.map((q) => [m.quantities[q]!.label, ...units.map((j) => cell(q, t, j))]),
  );
  const a = Math.max(0, t - 20);
  const b = Math.min(m.steps, t + 21);
  const rows: string[][] = [];
  for (let k = a; k < b; k++) rows.push([k === t ? `${k} (current)` : String(k), ...shown.map((q) => cell(q, k, store.state.focusUnit))]);
  fillTable(u.seriesTable, `Unit ${store.state.focusUnit} over steps ${a}–${b - 1}`, ['step', ...shown.map((q) => m.quantities[q]!.label)], rows);
}

function fillTable(table: HTMLTableElement, caption: string, head: string[], rows: string[][]): void {
  table.replaceChildren();
  table.createCaption().textContent = caption;
  const hr = table.createTHead().insertRow();
  for (const c of head) {
    const th = h('th', '', c);
    th.scope = 'col';
    hr.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    r.forEach((c, i) => {
      if (i === 0) {
        const th = h('th', '', c);
        th.scope = 'row';
        tr.append(th);
      } else tr.insertCell().textContent = c;
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Comparison

function compareAxes(c: ComparisonMessage): { overTime: boolean; units: number } {
  return { overTime: c.shape.length === 3, units: c.shape[c.shape.length - 1] ?? 1 };
}

function renderComparison(): void {
  const u = ui!;
  const c = store.comparison;
  if (!c) return;
  const theme = store.theme;
  const { overTime, units } = compareAxes(c);
  if (u.outUnit.element.childElementCount !== Math.min(units, 512)) {
    // Start on the output unit with the largest error: the most telling view.
    const first = c.maxAbsAt ? c.maxAbsAt[c.maxAbsAt.length - 1]! : 0;
    u.outUnit.setChoices(Array.from({ length: Math.min(units, 512) }, (_, k) => ({ value: String(k), label: `unit ${k}` })), String(Math.min(first, 511)));
    u.outUnit.element.hidden = false;
  }
  const ou = Math.min(units - 1, Number(u.outUnit.value) || 0);
  // A kept comparison (a long output) was judged by the host, with the tolerance shown.
  const ev = c.kept ? { pass: c.pass, mismatches: c.mismatches, first: -1 } : evaluate(c, tol.atol, tol.rtol);
  const first = c.kept ? c.firstDivergence : ev.first >= 0 ? indicesOf(c.shape, ev.first) : null;
  const verdict = c.shapeMismatch ? 'shapes differ' : ev.pass ? 'matches' : `${ev.mismatches} of ${c.count} differ`;
  const names = c.shape.length === 3 ? ['batch', 'step', 'unit'] : ['batch', 'unit'];
  const where = (p: number[] | null) => (p ? p.map((v, i) => `${names[i] ?? `axis ${i}`} ${v}`).join(', ') : 'none');
  const over = c.shape.join(' × ');
  u.compareText.replaceChildren(
    badge(verdict, ev.pass ? 'pass' : 'fail'),
    h('span', 'max-error', ` max |Δ| = ${fmt(c.maxAbs)}`),
    c.shapeMismatch
      ? ` — ${c.shapeMismatch}`
      : ` over ${over} values — ${ev.pass ? `matches (atol ${tol.atol}, rtol ${tol.rtol})` : `${ev.mismatches} differ beyond atol ${tol.atol}, rtol ${tol.rtol}; first at ${where(first)}`} · max at ${where(c.maxAbsAt)} · max rel ${fmt(c.maxRel)}`,
  );
  u.jump.hidden = !first;
  // The host's diagnosis explains its own (default-tolerance) verdict; shown while the values still differ.
  const diag = !ev.pass && c.diagnosis?.length ? c.diagnosis : null;
  u.diagnosis.hidden = !diag;
  u.diagnosis.replaceChildren(...(diag ? [h('div', 'diagnosis-head', 'Diagnosis'), ...diag.map((l) => h('p', /^note:/.test(l) ? 'muted' : '', l))] : []));
  firstDivergence = first;
  if (c.shapeMismatch) return;
  if (!u.compareChart) {
    u.compareChart = new LineChart({ title: '', ariaLabel: '', xLabel: overTime ? 'time step' : 'batch item', height: 190, y1Label: '|Δ|', plugins: [marksPlugin] });
    u.compareChart.onRendered = () => drawCompareCursor();
    u.compareBody.append(u.compareChart.root);
  }
  renderCompareHeat(c);
  const lines = c.kept ? keptCompareLines(c, ou) : compareLines(c, ou);
  if (!lines) return; // asked the host: drawn when its answer comes
  const title = overTime ? `output unit ${ou} over time, batch item ${store.state.batch}` : `output unit ${ou} over the batch`;
  u.compareChart.setTitle(`Engine (solid) vs Keras (dashed), ${title}; |Δ| right axis`, `Engine output and recorded Keras output, ${title}, with the absolute error`);
  u.compareChart.setData(
    [
      { label: 'engine', color: theme.series[0]!, ys: lines.actual.ys, xs: lines.actual.xs, width: 2 },
      { label: 'Keras', color: theme.series[1]!, ys: lines.expected.ys, xs: lines.expected.xs, dashed: true, width: 1.5 },
      { label: '|Δ|', color: theme.error, ys: lines.err.ys, xs: lines.err.xs, yAxis: 'y1', width: 1, faint: true },
    ],
    theme,
    undefined,
    undefined,
    overTime ? c.shape[1]! : c.shape[0]!,
  );
}

type Pts = { xs?: Float64Array; ys: ArrayLike<number> };

/** Engine, Keras and |Δ| of output unit `ou` from the comparison's own arrays. */
function compareLines(c: ComparisonMessage, ou: number): { actual: Pts; expected: Pts; err: Pts } {
  const { overTime, units } = compareAxes(c);
  const actual = new Float64Array(overTime ? c.shape[1]! : c.shape[0]!);
  const expected = new Float64Array(actual.length);
  const err = new Float64Array(actual.length);
  for (let k = 0; k < actual.length; k++) {
    const idx = overTime ? (store.state.batch * c.shape[1]! + k) * units + ou : k * units + ou;
    actual[k] = c.actual[idx]!;
    expected[k] = c.expected[idx]!;
    err[k] = Math.abs(actual[k]! - expected[k]!);
  }
  return { actual: { ys: actual }, expected: { ys: expected }, err: { ys: err } };
}

/** A kept comparison's results from the host, per run (a new tolerance's verdict keeps them). */
const kept = { series: new Map<string, CompareSeriesMessage>(), heats: [] as CompareHeatMessage[], pending: new Set<string>() };

function askKept(key: string, m: FromWebview): void {
  if (kept.pending.has(key)) return;
  kept.pending.add(key);
  vscode.postMessage(m);
}

/** Engine and Keras min/max and max |Δ| per bucket of time, from the host; null while it is asked for. */
function keptCompareLines(c: ComparisonMessage, ou: number): { actual: Pts; expected: Pts; err: Pts } | null {
  const b = store.state.batch;
  const cs = kept.series.get(`${b}:${ou}`);
  if (!cs) {
    askKept(`s${b}:${ou}`, { type: 'requestCompareSeries', batch: b, unit: ou });
    return null;
  }
  const T = c.shape[1]!;
  return {
    actual: seriesPoints(cs.actualMin, cs.actualMax, 0, cs.buckets, T),
    expected: seriesPoints(cs.expectedMin, cs.expectedMax, 0, cs.buckets, T),
    err: seriesPoints(cs.errMax, cs.errMax, 0, cs.buckets, T),
  };
}

/** Marks the max error and the first divergence when they fall in the chart's slice. */
const marksPlugin = {
  id: 'cellscopeMarks',
  afterDatasetsDraw(chart: import('chart.js').Chart<'line'>) {
    const c = store.comparison;
    if (!c || !ui) return;
    const { overTime, units } = compareAxes(c);
    const ou = Math.min(units - 1, Number(ui.outUnit.value) || 0);
    const g = chart.ctx;
    const area = chart.chartArea;
    let row = 0;
    const mark = (p: number[] | null, label: string, color: string) => {
      if (!p) return;
      const dy = 12 * row++;
      const unit = p[p.length - 1]!;
      if (unit !== ou || (overTime && p[0] !== store.state.batch)) return;
      const x = chart.scales.x!.getPixelForValue(overTime ? p[1]! : p[0]!);
      g.save();
      g.strokeStyle = color;
      g.fillStyle = color;
      g.setLineDash([2, 3]);
      g.beginPath();
      g.moveTo(x, area.top);
      g.lineTo(x, area.bottom);
      g.stroke();
      g.font = `11px ${store.theme.font}`;
      g.textAlign = x > area.right - 80 ? 'right' : 'left';
      g.fillText(label, x + (g.textAlign === 'right' ? -4 : 4), area.top + 10 + dy);
      g.restore();
    };
    mark(c.maxAbsAt, 'max |Δ|', store.theme.error);
    mark(c.firstDivergence, 'first divergence', store.theme.warning);
  },
};

const tol = { atol: 1e-5, rtol: 0 };
let firstDivergence: number[] | null = null;

function setTolerance(which: 'atol' | 'rtol', text: string): void {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) {
    ui?.[which].setValue(String(tol[which]));
    return;
  }
  tol[which] = v;
  // A kept comparison is judged again by the host (it holds the values); its answer redraws.
  if (store.comparison?.kept) vscode.postMessage({ type: 'requestCompare', atol: tol.atol, rtol: tol.rtol });
  scheduler.mark('data');
}

/** |Δ| per step × unit of the current batch item (output over time), or batch × unit. */
function renderCompareHeat(c: ComparisonMessage): void {
  const u = ui!;
  const { overTime, units } = compareAxes(c);
  const rows = overTime ? c.shape[1]! : c.shape[0]!;
  let columns: (t0: number, t1: number, cols: number) => ArrayLike<number> | null;
  let hi = 0;
  if (c.kept) {
    // Columns of |Δ| from the host (it holds the values), as the heatmap asks for them: the largest in each column.
    const b = store.state.batch;
    hi = Number.isFinite(c.maxAbs) ? c.maxAbs : 0;
    columns = (t0, t1, cols) => {
      const hit = kept.heats.find((m) => m.batch === b && m.t0 === t0 && m.t1 === t1 && m.cols === Math.min(cols, t1 - t0));
      if (hit) return hit.values;
      askKept(`h${b}:${t0}:${t1}:${cols}`, { type: 'requestCompareHeat', batch: b, t0, t1, cols });
      return null;
    };
  } else {
    const base = overTime ? store.state.batch * rows * units : 0;
    const values = new Float64Array(rows * units);
    for (let k = 0; k < values.length; k++) {
      const d = Math.abs(c.actual[base + k]! - c.expected[base + k]!);
      values[k] = Number.isFinite(d) ? d : 0;
      if (values[k]! > hi) hi = values[k]!;
    }
    const identity = Int32Array.from({ length: rows }, (_, k) => k);
    columns = (t0, t1, cols) => heatColumns(values, 0, units, identity, t0, t1, cols);
  }
  u.compareHeatBox.hidden = false;
  // Few output units: a low strip, not 170 px of one row.
  (u.compareHeat.root.firstElementChild as HTMLElement).style.height = `${Math.max(70, Math.min(170, 28 * units + 30))}px`;
  u.compareHeatBox.firstElementChild!.textContent = overTime
    ? `|Δ| per time step × output unit, batch item ${store.state.batch} (click: go to that step and unit)`
    : `|Δ| per batch item × output unit (click: go to that batch item and unit)`;
  u.compareHeat.setData({ columns, steps: rows, units, lo: 0, hi: hi || 1e-12, diverging: false, label: '|Δ| engine − Keras' }, store.theme);
}

function drawCompareHeatCursor(): void {
  const c = store.comparison;
  if (!c || !ui) return;
  const { overTime, units } = compareAxes(c);
  const ou = Math.min(units - 1, Number(ui.outUnit.value) || 0);
  ui.compareHeat.setCursor(overTime ? Math.min(store.state.step, c.shape[1]! - 1) : store.state.batch, ou);
}

function pickCompare(unit: number, t: number): void {
  const c = store.comparison;
  if (!c || !ui) return;
  ui.outUnit.setValue(String(unit));
  scheduler.mark('data');
  if (compareAxes(c).overTime) setStep(t);
  else if (t !== store.state.batch) selectBatch(t);
}

/** Goes to the first value outside the tolerance: its batch item, step (output over time) and output unit. */
function jumpToDivergence(): void {
  const c = store.comparison;
  const p = firstDivergence;
  if (!c || !p || !ui) return;
  const unit = p[p.length - 1]!;
  ui.outUnit.setValue(String(Math.min(unit, 511)));
  scheduler.mark('data');
  if (p[0]! !== store.state.batch) {
    ui.batch.setValue(String(p[0]));
    if (compareAxes(c).overTime) store.state.step = p[1]!;
    selectBatch(p[0]!);
  }
  if (compareAxes(c).overTime) setStep(p[1]!);
}

let analysisKey = '';
function renderAnalysis(): void {
  const u = ui!;
  const a = store.init?.analysis;
  const weightsCard = u.weightsBody.parentElement!;
  const satCard = u.satBody.parentElement!;
  weightsCard.hidden = !a;
  satCard.hidden = !a;
  if (!a) return;
  // Weights depend only on the run and the theme.
  const key = `${store.init!.fileUri}|${store.init!.runMs}|${store.theme.kind}|${store.theme.bg}`;
  if (key !== analysisKey) {
    analysisKey = key;
    renderWeights(u.weightsBody, a.weights, store.theme);
  }
  const meta = layerMeta(store);
  const sv = a.saturation.find((x) => x.layer === store.state.layer);
  u.satTitle.textContent = meta ? `${meta.layerName}${meta.direction === 'backward' ? ' (backward)' : ''}, all batch items and steps` : '';
  renderSaturation(u.satBody, sv, meta?.layerName ?? '', store.theme, Math.max(200, u.satBody.clientWidth || 600));
}

function drawCompareCursor(): void {
  const c = store.comparison;
  const chart = ui?.compareChart;
  if (!c || !chart) return;
  chart.drawCursor(compareAxes(c).overTime ? store.state.step : store.state.batch, store.theme.cursor);
}

function badge(text: string, kind: string): HTMLElement {
  return h('span', `badge ${kind}`, text);
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

/** Host stepping commands (palette entries and their keybindings): the same moves as the toolbar buttons. */
function onStepCommand(action: StepAction): void {
  if (!store.data) return;
  if (action === 'forward') setStep(store.state.step + 1);
  else if (action === 'back') setStep(store.state.step - 1);
  else if (action === 'first') setStep(0);
  else if (action === 'last') setStep(Infinity);
  else togglePlay();
  scheduler.flush();
}

function onInit(m: InitMessage): void {
  // A re-run (file changed on disk, new input or recording) sends init again: start from a clean slate but keep
  // the place (step, layer, units) through the saved state.
  togglePlay(false);
  ui?.inputChart?.destroy();
  ui?.compareChart?.destroy();
  errorBanner.hidden = true;
  store.comparison = null;
  store.init = m;
  store.data = null;
  kept.series.clear();
  kept.heats = [];
  kept.pending.clear();
  delete document.body.dataset.charts;
  const saved = vscode.getState();
  const st: PanelState | null = isPanelState(saved) && saved.fileUri === m.fileUri ? saved : null;
  const layer = st && st.layer < m.layers.length ? st.layer : 0;
  const meta = m.layers[layer];
  store.state = {
    fileUri: m.fileUri,
    layer,
    batch: st && st.batch < m.batch ? st.batch : 0,
    step: st?.step ?? 0,
    quantity: st?.quantity ?? 'h',
    units: st?.units.filter((u) => meta && u < meta.units) ?? [],
    focusUnit: st?.focusUnit ?? 0,
    showPre: st?.showPre ?? false,
  };
  ui = buildLayout(m);
  analysisKey = '';
  for (const c of gateCharts.values()) c.destroy();
  gateCharts.clear();
  if (!meta) {
    showError('This model has no recurrent layer: there are no gates to show.');
    vscode.setState(store.state);
    return;
  }
  selectLayer(layer);
  vscode.setState(store.state);
}

function onTrace(m: TraceMessage): void {
  const meta = store.init?.layers[m.layer];
  if (!meta || m.steps !== meta.steps || m.units !== meta.units || (m.values.length > 0 && m.values.length !== meta.quantities.length)) {
    console.warn('cellscope: trace does not match the layer it names; dropped');
    vscode.postMessage({ type: 'log', level: 'warn', message: `trace for layer ${m.layer} does not match its metadata; dropped` });
    return;
  }
  if (m.layer !== store.state.layer || m.batch !== store.state.batch) return; // stale answer
  const init = store.init!;
  const bytesPerValue = init.precision === 'float32' ? 4 : 8;
  store.data = new TraceData(
    m,
    meta.quantities.length,
    store.stepOfTime,
    (r) => {
      perfMark(r.type, true);
      vscode.postMessage(r);
    },
    { features: init.input.features, bytesPerValue },
  );
  if (m.first) {
    store.data.onSeries(m.first.series);
    if (m.first.heat) store.data.onHeat(m.first.heat);
    store.data.onWindow(m.first.window);
  }
  store.state.step = Math.min(store.state.step, meta.steps - 1);
  scheduler.mark('data');
  postStep(); // the host learns where the panel is (its state query, stepping commands)
}

// ---------------------------------------------------------------------------------------------------------------
// Step-to-render timing, recorded only after a `perf` start message (the benchmark sends it): from each key press
// (its event time) to the next animation frame after the step it caused was drawn with its values.

const perf = { on: false, key: 0, samples: [] as number[], marks: {} as Record<string, number> };
/** When this page started loading and when it said `ready`: the webview's own share of a panel's opening. */
const bootMarks: Record<string, number> = { page: performance.timeOrigin };

/**
 * Wall-clock time (ms since 1970, as the benchmark's clock) of a moment in the trace's life: init, trace, the first
 * request and reply of each kind (requestSeries … window), charts and heat drawn.
 */
function perfMark(name: string, once = false): void {
  if (once && perf.marks[name] !== undefined) return;
  perf.marks[name] = performance.timeOrigin + performance.now();
  perfReport();
}
document.addEventListener('keydown', (e) => {
  if (perf.on) perf.key = e.timeStamp;
}, true);

function perfDrawn(): void {
  if (!perf.on || !perf.key) return;
  const key = perf.key;
  perf.key = 0;
  requestAnimationFrame(() => {
    perf.samples.push(performance.now() - key);
    perfReport();
  });
}

function perfReport(): void {
  const mem = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  document.documentElement.dataset.cellscopePerf = JSON.stringify({ samples: perf.samples, marks: perf.marks, heapBytes: mem?.usedJSHeapSize ?? null, traceBytes: store.data?.bytes() ?? 0 });
}

function onMessage(data: unknown): void {
  if (!isToWebview(data)) {
    console.warn(`cellscope: dropped a malformed message ${describeMessage(data)}`);
    vscode.postMessage({ type: 'log', level: 'warn', message: `dropped a malformed message ${describeMessage(data)}` });
    return;
  }
  const m: ToWebview = data;
  try {
    switch (m.type) {
      case 'init':
        perf.marks = { ...bootMarks };
        perfMark('init');
        onInit(m);
        return;
      case 'trace':
        perfMark('trace');
        onTrace(m);
        return;
      case 'series':
        perfMark('series', true);
        if (store.data?.onSeries(m)) scheduler.mark('charts');
        return;
      case 'heat':
        perfMark('heat columns', true);
        if (store.data?.onHeat(m)) scheduler.mark('heat');
        return;
      case 'window':
        perfMark('window', true);
        if (store.data?.onWindow(m)) scheduler.mark('step');
        return;
      case 'perf':
        perf.on = m.action === 'start';
        perf.key = 0;
        if (perf.on) perf.samples = [];
        perfReport();
        return;
      case 'compareSeries':
        kept.pending.delete(`s${m.batch}:${m.unit}`);
        kept.series.set(`${m.batch}:${m.unit}`, m);
        scheduler.mark('data');
        return;
      case 'compareHeat':
        for (const k of kept.pending) if (k.startsWith(`h${m.batch}:${m.t0}:${m.t1}:`)) kept.pending.delete(k);
        kept.heats = [m, ...kept.heats].slice(0, 4);
        scheduler.mark('data');
        return;
      case 'comparison':
        store.comparison = m;
        tol.atol = m.atol;
        tol.rtol = m.rtol;
        ui?.atol.setValue(String(m.atol));
        ui?.rtol.setValue(String(m.rtol));
        scheduler.mark('data');
        return;
      case 'diagnosis':
        // The worker's lines for the comparison already shown (the tolerance the user set stays).
        if (store.comparison) store.comparison = { ...store.comparison, diagnosis: m.diagnosis };
        scheduler.mark('data');
        return;
      case 'error':
        showError(m.message);
        return;
      case 'step':
        onStepCommand(m.action);
        return;
    }
  } catch (e) {
    const text = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    console.error(e);
    vscode.postMessage({ type: 'log', level: 'error', message: text });
  }
}

window.addEventListener('message', (e: MessageEvent) => onMessage(fromWire(e.data)));
watchTheme((t) => {
  store.theme = t;
  scheduler.mark('data');
});
bootMarks.ready = performance.timeOrigin + performance.now();
vscode.postMessage({ type: 'ready' });
