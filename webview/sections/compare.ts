/**
 * Output vs the recorded output (of the model's framework: Keras, PyTorch, ONNX…): the verdict under the user's tolerance (saved with the panel), the diagnosis
 * of a mismatch, a chart of one output unit (engine solid, the recording dashed, |Δ| on the right axis) and the |Δ| heatmap.
 * Everything is read through the store's CompareSource: the same code draws a small and a long comparison.
 */
import type { Chart } from 'chart.js';
import { LineChart } from '../charts';
import { badge, h, labelled, section } from '../dom';
import { Heatmap } from '../heatmap';
import type { Panel } from '../panel';
import { fmt, layerMeta, type View } from '../store';
import { button, dropdown, textField } from '../toolkit';
import type { CompareSource } from '../../src/panel/compare-source';
import { Requests } from '../../src/panel/requests';
import { replaySequenceName } from '../../src/formats/replay-names';
import { outputUnitToken } from '../../src/panel/predictions';
import type { InitMessage } from '../../src/protocol';
import * as l10n from '../l10n';

const MAX_UNITS = 512;

export function mountCompare(p: Panel, init: InitMessage, parent: ParentNode): View {
  const { store, scheduler, nav } = p;
  const st = () => store.state;
  const card = section(l10n.t('Output vs recorded {0} output', init.framework), 'compare');
  const text = h('p', 'compare-text');
  text.setAttribute('aria-live', 'polite');
  const outUnit = dropdown(l10n.t('Output unit'), (v) => {
    st().outUnit = Number(v);
    scheduler.mark('data');
  });
  const outField = labelled(l10n.t('Output unit'), outUnit.element);
  outField.hidden = !init.hasComparison;
  const atol = textField('', '1e-5', (v) => setTolerance('atol', v), 7, l10n.t('Absolute tolerance (atol)'));
  const rtol = textField('', '0', (v) => setTolerance('rtol', v), 7, l10n.t('Relative tolerance (rtol)'));
  atol.element.classList.add('atol');
  rtol.element.classList.add('rtol');
  const tolField = h('div', 'tol-fields');
  tolField.append(labelled('atol', atol.element), labelled('rtol', rtol.element));
  tolField.hidden = !init.hasComparison;
  // A model with several outputs: which one is compared (each has its own recording).
  const asks = new Requests(p.post);
  /** The output (and tolerance) last asked for, until its comparison arrives. */
  let askedFor = '';
  const outputPicker = dropdown(l10n.t('Model output'), (v) => {
    st().compareOutput = Number(v);
    scheduler.mark('data');
  });
  const outputField = labelled(l10n.t('Model output'), outputPicker.element);
  outputField.hidden = !init.hasComparison || init.modelOutputs.length < 2;
  const outputsLine = h('p', 'compare-outputs');
  outputsLine.hidden = true;
  const jump = button({ label: l10n.t('Jump to first divergence'), title: l10n.t('Select the batch item, step and output unit of the first value outside the tolerance'), onClick: () => jumpToDivergence() });
  jump.classList.add('jump');
  jump.hidden = true;
  card.head.append(outputField, outField, tolField, jump);
  const diagnosis = h('div', 'diagnosis');
  diagnosis.hidden = true;
  const heat = new Heatmap((unit, t) => pick(unit, t));
  const heatBox = h('div', 'compare-heat');
  heatBox.append(h('div', 'chart-title', ''), heat.root);
  heatBox.hidden = true;
  card.body.append(outputsLine, text, diagnosis, heatBox);
  if (!init.hasComparison) text.textContent = l10n.t('No recorded {0} output for this input: nothing to compare.', init.framework);
  parent.append(card.root);
  let chart: LineChart | null = null;
  let chartOverTime = false;

  /** The output unit shown: the saved one, else the one with the largest error (the most telling view). */
  const unitOf = (c: CompareSource) => {
    const at = c.message.maxAbsAt;
    return Math.min(c.axes.units - 1, MAX_UNITS - 1, st().outUnit ?? (at ? at[at.length - 1]! : 0));
  };
  /** Where the cursor is along the comparison's rows: the step (output over time) or the batch item. */
  const row = (c: CompareSource) => (c.axes.overTime ? Math.min(st().step, c.axes.rows - 1) : st().batch);

  function setTolerance(which: 'atol' | 'rtol', v: string): void {
    const c = store.compare;
    const x = Number(v);
    const current = c?.verdict().tolerance ?? st().tolerance ?? { atol: 1e-5, rtol: 0 };
    if (v.trim() === '' || !Number.isFinite(x) || x < 0) return (which === 'atol' ? atol : rtol).setValue(String(current[which]));
    st().tolerance = { ...current, [which]: x };
    c?.setTolerance(st().tolerance!);
    scheduler.mark('data');
  }

  function pick(unit: number, t: number): void {
    const c = store.compare;
    if (!c) return;
    st().outUnit = unit;
    scheduler.mark('data');
    if (c.axes.overTime) nav.setStep(t);
    else if (t !== st().batch) nav.selectBatch(t);
  }

  /** Goes to the first value outside the tolerance: its batch item, step (output over time) and output unit. */
  function jumpToDivergence(): void {
    const c = store.compare;
    const at = c?.verdict().first;
    if (!c || !at) return;
    st().outUnit = Math.min(at[at.length - 1]!, MAX_UNITS - 1);
    scheduler.mark('data');
    if (at[0]! !== st().batch) {
      if (c.axes.overTime) st().step = at[1]!;
      nav.selectBatch(at[0]!);
    }
    if (c.axes.overTime) nav.setStep(at[1]!);
  }

  /** Marks the max error and the first divergence when they fall in the chart's slice. */
  const marks = {
    id: 'cellscopeMarks',
    afterDatasetsDraw(ch: Chart<'line'>) {
      const c = store.compare;
      if (!c) return;
      const ou = unitOf(c);
      const g = ch.ctx;
      const area = ch.chartArea;
      let n = 0;
      const mark = (at: number[] | null, label: string, color: string) => {
        if (!at) return;
        const dy = 12 * n++;
        if (at[at.length - 1] !== ou || (c.axes.overTime && at[0] !== st().batch)) return;
        const x = ch.scales.x!.getPixelForValue(c.axes.overTime ? at[1]! : at[0]!);
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
      mark(c.message.maxAbsAt, l10n.t('max |Δ|'), store.theme.error);
      mark(c.message.firstDivergence, l10n.t('first divergence'), store.theme.warning);
    },
  };

  /** Layer replay: the output holding the shown layer's sequence (src/formats/replay-names.ts); else 0. */
  function replayOutput(c: CompareSource): number {
    const layer = init.replay && init.summary.layers[layerMeta(store)?.layerIndex ?? -1]?.name;
    const k = layer ? c.message.outputs.findIndex((o) => o.name === replaySequenceName(layer)) : -1;
    return Math.max(0, k);
  }

  /** Every recorded output's verdict in one line, and the picker's choices (several outputs only). */
  function drawOutputs(c: CompareSource): void {
    const outs = c.message.outputs;
    outputsLine.hidden = outs.length < 2;
    if (outs.length < 2) return;
    const said = (o: (typeof outs)[number]) => (o.shapeMismatch ? l10n.t('shapes differ') : o.pass ? l10n.t('matches') : l10n.t('differs'));
    outputsLine.replaceChildren(
      l10n.t('{0} outputs compared:', outs.length),
      ...outs.flatMap((o, k) => [' ', badge(`${o.name}: ${said(o)}`, o.pass && !o.shapeMismatch ? 'pass' : 'fail'), h('span', 'muted', ` max |Δ| = ${fmt(o.maxAbs)}${k < outs.length - 1 ? ' ·' : ''}`)]),
    );
    outputPicker.setChoices(outs.map((o, k) => ({ value: String(k), label: `${o.name} — ${said(o)}` })), String(c.message.output));
  }

  function drawVerdict(c: CompareSource): void {
    const m = c.message;
    const v = c.verdict();
    drawOutputs(c);
    atol.setValue(String(v.tolerance.atol));
    rtol.setValue(String(v.tolerance.rtol));
    if (outUnit.element.childElementCount !== Math.min(c.axes.units, MAX_UNITS)) {
      outUnit.setChoices(Array.from({ length: Math.min(c.axes.units, MAX_UNITS) }, (_, k) => ({ value: String(k), label: l10n.t('unit {0}', k) + outputUnitToken(k, init.input.vocabulary, init.predictions !== null) })), String(unitOf(c)));
      outUnit.element.hidden = false;
    } else outUnit.setValue(String(unitOf(c)));
    const verdict = m.shapeMismatch ? l10n.t('shapes differ') : v.pass ? l10n.t('matches') : l10n.t('{0} of {1} differ', v.mismatches, m.count);
    const names = m.shape.length === 3 ? [l10n.t('batch'), l10n.t('step'), l10n.t('unit')] : [l10n.t('batch'), l10n.t('unit')];
    const where = (at: number[] | null) => (at ? at.map((x, i) => `${names[i] ?? l10n.t('axis {0}', i)} ${x}`).join(', ') : l10n.t('none'));
    const [a, r] = [v.tolerance.atol, v.tolerance.rtol].map(shortNumber);
    text.replaceChildren(
      badge(verdict, v.pass ? 'pass' : 'fail'),
      h('span', 'max-error', ` max |Δ| = ${fmt(m.maxAbs)}`),
      m.shapeMismatch
        ? ` — ${m.shapeMismatch}`
        : ` ${l10n.t('over {0} values', m.shape.join(' × '))} — ${v.pass ? l10n.t('matches (atol {0}, rtol {1})', a, r) : l10n.t('{0} differ beyond atol {1}, rtol {2}; first at {3}', v.mismatches, a, r, where(v.first))} · ${l10n.t('max at {0}', where(m.maxAbsAt))} · ${l10n.t('max rel {0}', fmt(m.maxRel))}`,
    );
    jump.hidden = !v.first;
    // The host's diagnosis explains its own (default-tolerance) verdict; shown while the values still differ.
    const diag = !v.pass && m.diagnosis?.length ? m.diagnosis : null;
    diagnosis.hidden = !diag;
    // The heading says "Diagnosis" once (the CLI's `diagnosis:` / `note:` prefixes are its lines' kinds); notes muted.
    diagnosis.replaceChildren(...(diag ? [h('div', 'diagnosis-head', l10n.t('Diagnosis')), ...diag.map((l) => h('p', l.kind === 'note' ? 'muted' : '', l10n.phrase(l.text)))] : []));
  }

  function drawHeat(c: CompareSource): void {
    const { overTime, rows, units } = c.axes;
    const b = st().batch;
    heatBox.hidden = false;
    // Few output units: a low strip, not 170 px of one row.
    (heat.root.firstElementChild as HTMLElement).style.height = `${Math.max(70, Math.min(170, 28 * units + 30))}px`;
    heatBox.firstElementChild!.textContent = overTime
      ? l10n.t('|Δ| per time step × output unit, batch item {0} (click: go to that step and unit)', b)
      : l10n.t('|Δ| per batch item × output unit (click: go to that batch item and unit)');
    heat.setData(
      { columns: (t0, t1, cols) => c.heat(b, t0, t1, cols), steps: rows, units, scale: { kind: 'magnitude', lo: 0, hi: c.heatTop || 1e-12 }, label: l10n.t('|Δ| engine − {0}', init.framework), xLabel: overTime ? l10n.t('step') : l10n.t('batch item'), zoomable: overTime },
      store.theme,
    );
  }

  function drawChart(c: CompareSource): void {
    const { overTime, rows } = c.axes;
    // Another output (a multi-output model) may have other axes: the chart is made again with its own labels.
    if (chart && chartOverTime !== overTime) {
      chart.destroy();
      chart.root.remove();
      chart = null;
    }
    chartOverTime = overTime;
    if (!chart) {
      chart = new LineChart({ title: '', ariaLabel: '', xLabel: overTime ? l10n.t('time step') : l10n.t('batch item'), height: 190, y1Label: '|Δ|', plugins: [marks] });
      const ch = chart;
      chart.onRendered = () => store.compare && ch.drawCursor(row(store.compare), store.theme.cursor);
      card.body.append(chart.root);
    }
    const ou = unitOf(c);
    const lines = c.lines(st().batch, ou);
    if (!lines) return; // asked the host: drawn when its answer comes
    const theme = store.theme;
    const title = overTime ? l10n.t('output unit {0} over time, batch item {1}', ou, st().batch) : l10n.t('output unit {0} over the batch', ou);
    chart.setTitle(l10n.t('Engine (solid) vs {0} (dashed), {1}; |Δ| right axis', init.framework, title), l10n.t('Engine output and recorded {0} output, {1}, with the absolute error', init.framework, title));
    chart.setData(
      [
        { label: l10n.t('engine'), color: theme.series[0]!, ys: lines.actual.ys, xs: lines.actual.xs, width: 2 },
        { label: init.framework, color: theme.series[1]!, ys: lines.expected.ys, xs: lines.expected.xs, dashed: true, width: 1.5 },
        { label: '|Δ|', color: theme.error, ys: lines.err.ys, xs: lines.err.xs, yAxis: 'y1', width: 1, faint: true },
      ],
      theme,
      undefined,
      undefined,
      rows,
    );
  }

  return {
    render(dirty) {
      const c = store.compare;
      if (!c) return;
      // The output picked (or saved with the panel) is asked for; drawn when its comparison arrives. In layer replay
      // the shown layer's recorded sequence is, until one is picked.
      const want = Math.min(st().compareOutput ?? replayOutput(c), Math.max(0, c.message.outputs.length - 1));
      const t = c.verdict().tolerance;
      const key = `${want}:${t.atol}:${t.rtol}`;
      if (want === c.message.output) askedFor = '';
      else if (askedFor !== key) {
        askedFor = key;
        asks.ask(null, { type: 'requestCompare', output: want, atol: t.atol, rtol: t.rtol });
      }
      if (dirty.has('data')) {
        drawVerdict(c);
        if (!c.message.shapeMismatch) {
          drawHeat(c);
          drawChart(c);
        }
      }
      if (!heatBox.hidden) heat.setCursor(row(c), unitOf(c));
      chart?.drawCursor(row(c), store.theme.cursor);
    },
    dispose() {
      chart?.destroy();
      heat.dispose();
    },
  };
}

/** A tolerance as typed: six significant digits without trailing zeros (0 → "0", 1e-5 → "0.00001" or "1e-5"). */
function shortNumber(x: number): string {
  return l10n.sig(x, 6).replace(/([.,]\d*?)0+(?=e|$)/, '$1').replace(/[.,](?=e|$)/, '');
}
