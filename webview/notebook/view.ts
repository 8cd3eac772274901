/**
 * One notebook output drawn: the model and the verdict against the framework's recording, a layer / quantity / batch
 * choice, the chosen quantity over time for the first units (with the step cursor), the units × time heatmap, and the
 * value of every gate and state of every unit at the current step. ← → Home End step when the output has focus.
 * The data come from the extension host (src/notebook/bundle.ts); nothing is computed here but what is drawn.
 */
import type { NotebookLayer, NotebookResult } from '../../src/notebook/bundle';
import { heatColumns } from '../../src/panel/overview';
import type { QuantityRole } from '../../src/protocol';
import { scaleFor } from '../../src/panel/value-scale';
import { LineChart } from '../charts';
import { Heatmap } from '../heatmap';
import { readTheme, type Theme } from '../theme';
import * as l10n from '../l10n';

/** Units charted as lines (all of them in the heatmap and the table). */
const CHARTED_UNITS = 8;
const TABLE_UNITS = 16;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text = ''): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
};

const fmt = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? l10n.exp(v, 3) : l10n.fixed(v, 4)) : String(v));

export class NotebookView {
  readonly root = el('div', 'cellscope-nb');
  private readonly verdict = el('span', 'nb-verdict');
  private readonly body = el('div');
  private result: NotebookResult | null = null;
  private layer = 0;
  private quantity = 0;
  private batch = 0;
  private step = 0;
  private theme: Theme = readTheme();
  private chart: LineChart | null = null;
  private heat: Heatmap | null = null;
  private slider: HTMLInputElement | null = null;
  private readout = el('span', 'nb-muted');
  private table = el('table');

  constructor(
    title: string,
    private readonly openPanel: (() => void) | null,
  ) {
    this.root.tabIndex = 0;
    this.root.setAttribute('role', 'group');
    this.root.setAttribute('aria-label', `Cellscope: ${title}`);
    const head = el('div', 'nb-head');
    head.append(el('span', 'nb-title', `Cellscope · ${title}`), this.verdict);
    this.root.append(head, this.body);
    this.root.addEventListener('keydown', (e) => this.key(e));
  }

  /** A line instead of the views (waiting, errors, no extension host). */
  message(text: string): void {
    this.body.replaceChildren(el('div', 'nb-message', text));
  }

  show(result: NotebookResult): void {
    this.result = result;
    this.verdict.textContent = result.comparison?.text ?? l10n.t('no recording to compare with');
    this.verdict.className = `nb-verdict ${result.comparison ? (result.comparison.pass ? 'pass' : 'fail') : 'nb-muted'}`;
    if (!result.layers.length) {
      this.message(l10n.t('{0}: no recurrent layer to show.', result.layersText));
      return;
    }
    this.layer = Math.min(this.layer, result.layers.length - 1);
    this.build();
  }

  private get current(): NotebookLayer {
    return this.result!.layers[this.layer]!;
  }

  private build(): void {
    const r = this.result!;
    const lt = this.current;
    const info = el('div', 'nb-muted', `${r.layersText} · ${l10n.t('input {0}', r.inputShape.join('×'))}`);
    const controls = el('div', 'nb-controls');
    const layerPick = this.select(
      l10n.t('Layer'),
      r.layers.map((l) => (r.layers.some((o) => o !== l && o.name === l.name) ? `${l.name} (${l.direction})` : l.name)),
      this.layer,
      (i) => {
        this.layer = i;
        this.quantity = 0;
        this.batch = Math.min(this.batch, r.layers[i]!.batch - 1);
        this.step = Math.min(this.step, r.layers[i]!.steps - 1);
        this.build();
      },
    );
    const qPick = this.select(l10n.t('Quantity'), lt.quantities.map((q) => q.label), this.quantity, (i) => {
      this.quantity = i;
      this.draw();
    });
    controls.append(layerPick, qPick);
    if (lt.batch > 1) {
      controls.append(
        this.select(l10n.t('Batch item'), Array.from({ length: lt.batch }, (_, b) => String(b)), this.batch, (b) => {
          this.batch = b;
          this.draw();
        }),
      );
    }
    const back = el('button', 'secondary', '◀');
    back.title = l10n.t('Step back (←)');
    back.setAttribute('aria-label', l10n.t('Step back'));
    back.addEventListener('click', () => this.goto(this.step - 1));
    const fwd = el('button', 'secondary', '▶');
    fwd.title = l10n.t('Step forward (→)');
    fwd.setAttribute('aria-label', l10n.t('Step forward'));
    fwd.addEventListener('click', () => this.goto(this.step + 1));
    const slider = el('input');
    slider.type = 'range';
    slider.min = '0';
    slider.max = String(lt.steps - 1);
    slider.setAttribute('aria-label', l10n.t('Time step'));
    slider.addEventListener('input', () => this.goto(Number(slider.value)));
    this.slider = slider;
    controls.append(back, slider, fwd, this.readout);
    if (this.openPanel) {
      const open = el('button', '', l10n.t('Open in Cellscope panel'));
      open.addEventListener('click', () => this.openPanel!());
      controls.append(open);
    }
    this.chart?.destroy();
    this.chart = new LineChart({ title: '', ariaLabel: '', xLabel: l10n.t('time step'), height: 170 });
    this.heat = new Heatmap((_unit, t) => this.goto(t));
    const grid = el('div', 'nb-grid');
    const left = el('div');
    left.append(this.chart.root, this.heat.root);
    const right = el('div', 'nb-values');
    right.append(this.table);
    grid.append(left, right);
    this.body.replaceChildren(info, controls, grid);
    this.draw();
  }

  private select(label: string, options: string[], value: number, onPick: (i: number) => void): HTMLElement {
    const wrap = el('label', '', `${label} `);
    const s = el('select');
    options.forEach((o, i) => {
      const opt = el('option', '', o);
      opt.value = String(i);
      s.append(opt);
    });
    s.value = String(value);
    s.addEventListener('change', () => onPick(Number(s.value)));
    wrap.append(s);
    return wrap;
  }

  /** Redraws chart and heatmap for the chosen layer, quantity and batch item, then the step. */
  private draw(): void {
    const lt = this.current;
    const q = lt.quantities[this.quantity]!;
    const values = lt.values[this.quantity]!;
    const base = this.batch * lt.steps * lt.units;
    const units = Math.min(lt.units, CHARTED_UNITS);
    const series = Array.from({ length: units }, (_, j) => ({
      label: l10n.t('unit {0}', j),
      color: this.theme.series[j % this.theme.series.length]!,
      ys: Array.from({ length: lt.steps }, (_, t) => values[base + t * lt.units + j]!),
    }));
    const gate = q.role === 'gate';
    this.chart!.setTitle(
      `${lt.name}: ${q.label}${lt.units > units ? ` (${l10n.t('units 0–{0} of {1}', units - 1, lt.units)})` : ''}, ${l10n.t('batch item {0}', this.batch)}`,
      l10n.t('{0} of {1} units over {2} steps', q.label, units, lt.steps),
    );
    this.chart!.setData(series, this.theme, gate ? 0 : undefined, gate ? 1 : undefined);
    const identity = Int32Array.from({ length: lt.steps }, (_, t) => t);
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = base; k < base + lt.steps * lt.units; k++) {
      const v = values[k]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.heat!.setData(
      {
        columns: (t0, t1, cols) => heatColumns(values, base, lt.units, identity, t0, t1, cols),
        steps: lt.steps,
        units: lt.units,
        scale: scaleFor(q.role as QuantityRole, lo, hi),
        label: `${q.label} (${lt.name})`,
      },
      this.theme,
    );
    this.goto(this.step);
  }

  private goto(step: number): void {
    const lt = this.current;
    this.step = Math.max(0, Math.min(lt.steps - 1, step));
    if (this.slider) this.slider.value = String(this.step);
    const masked = lt.masked?.[this.batch * lt.steps + this.step] ? ` (${l10n.t('padding: skipped')})` : '';
    this.readout.textContent = `${l10n.t('step')} ${this.step} / ${lt.steps - 1}${masked}`;
    this.chart?.drawCursor(this.step, this.theme.cursor);
    this.heat?.setCursor(this.step, 0);
    this.renderTable();
  }

  /** Every shown quantity of every unit (up to TABLE_UNITS) at the current step: the values behind the pictures. */
  private renderTable(): void {
    const lt = this.current;
    const row = (this.batch * lt.steps + this.step) * lt.units;
    const head = el('tr');
    head.append(el('th', '', l10n.t('unit')), ...lt.quantities.map((q) => el('th', '', q.label)));
    const rows = Array.from({ length: Math.min(lt.units, TABLE_UNITS) }, (_, j) => {
      const tr = el('tr');
      tr.append(el('td', '', String(j)), ...lt.values.map((v) => el('td', '', fmt(v[row + j]!))));
      return tr;
    });
    const caption = el('caption', 'nb-muted', `${l10n.t('step')} ${this.step}, ${l10n.t('batch item {0}', this.batch)}${lt.units > TABLE_UNITS ? ` (${l10n.t('first {0} of {1} units', TABLE_UNITS, lt.units)})` : ''}`);
    this.table.replaceChildren(caption, head, ...rows);
  }

  private key(e: KeyboardEvent): void {
    if (!this.result || (e.target as HTMLElement).tagName === 'SELECT' || (e.target as HTMLElement).tagName === 'INPUT') return;
    const lt = this.current;
    const to = e.key === 'ArrowRight' ? this.step + 1 : e.key === 'ArrowLeft' ? this.step - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? lt.steps - 1 : null;
    if (to === null) return;
    e.preventDefault();
    e.stopPropagation();
    this.goto(to);
  }

  dispose(): void {
    this.chart?.destroy();
    this.root.remove();
  }
}
