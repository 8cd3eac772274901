/**
 * The input playground: edit the input and the panel re-runs the model on it (through the engine worker, like any
 * run). Token models: the text, typed, through the vocabulary (characters outside it are listed, not silently
 * dropped). Float models: a step × feature grid around the cursor (and the input chart's points can be dragged).
 * Reset goes back to the file's input; "Save input as…" writes the edited input to a new file.
 */
import { detokenize, tokenize, unknownText } from '../../src/panel/playground';
import { h, section, setText } from '../dom';
import { onScreen } from '../on-screen';
import type { Panel } from '../panel';
import { fmt, type View } from '../store';
import { button } from '../toolkit';
import * as l10n from '../l10n';

/** Steps of the grid shown around the cursor, and features at most. */
const GRID_STEPS = 10;
const GRID_FEATURES = 8;
/** Quiet time after a keystroke before the re-run is asked for. */
const TYPING_MS = 250;

/** The current batch item's input rows ([step][feature]) as a fresh array, or null when the panel holds only a chart of a long input. */
export function editableRows(p: Panel): Float64Array | null {
  const tr = p.store.data;
  const init = p.store.init!;
  const F = init.input.features;
  // A multi-input model's inputs are not edited yet (the playground's run message carries one input).
  if (!tr || init.modelInputs.length > 1 || tr.input.length !== tr.inputSteps * F) return null;
  return Float64Array.from(tr.input);
}

export function mountPlayground(p: Panel, parent: ParentNode): View {
  const { store, playground: pg } = p;
  const init = store.init!;
  const card = section(l10n.t('Playground: edit the input'), 'playground');
  const status = h('span', 'muted pg-status');
  status.setAttribute('aria-live', 'polite');
  const warn = h('p', 'pg-warn');
  warn.setAttribute('role', 'status');
  const reset = button({ label: l10n.t('Reset to the file’s input'), title: l10n.t('Run on the input file again'), onClick: () => pg.reset() });
  const save = button({ label: l10n.t('Save input as…'), title: l10n.t('Write this input to a new JSON file (a save dialog; nothing is overwritten without asking)'), onClick: () => pg.save() });
  const actions = h('div', 'pg-actions');
  actions.append(reset, save, status);
  const area = h('div', 'pg-area');
  card.body.append(area, warn, actions);
  parent.append(card.root);
  if (!init.input.edited) reset.setAttribute('disabled', '');
  if (init.modelInputs.length > 1) {
    // The playground's run request carries one input: a model with several is not edited here (yet), and says so.
    area.append(h('p', 'muted', l10n.t('This model takes {0} inputs ({1}): editing them in the panel is not supported yet; edit the input file and the panel re-runs.', init.modelInputs.length, init.modelInputs.map((m) => m.name).join(', '))));
    save.setAttribute('disabled', '');
    return { render() {} };
  }
  let gridFrom = -1;
  let textFor = -1;

  /** Once the new section is in the page (the layout attaches it after mounting): the caret where it was. */
  const restoreFocus = (el: HTMLInputElement | HTMLTextAreaElement) => {
    const f = pg.focus;
    if (!f || f.where !== el.dataset.playground) return;
    pg.focus = null;
    queueMicrotask(() => {
      el.focus();
      try {
        el.setSelectionRange(f.start, f.end);
      } catch {
        // some inputs have no selection
      }
    });
  };

  const mountText = () => {
    const vocab = init.input.vocabulary;
    if (!vocab) {
      area.replaceChildren(h('p', 'muted', l10n.t('This token model carries no vocabulary: its input cannot be typed as text.')));
      return;
    }
    const box = h('textarea', 'pg-text');
    box.dataset.playground = 'text';
    box.rows = 3;
    box.spellcheck = false;
    box.setAttribute('aria-label', l10n.t('Input text (re-runs the model as you type)'));
    box.value = pg.text ?? detokenize(store.data?.input ?? [], vocab);
    const check = () => {
      const { ids, unknown } = tokenize(box.value, vocab);
      warn.textContent = unknownText(unknown, vocab) || (ids.length ? '' : l10n.t('Type at least one character of the vocabulary: a run needs one step.'));
      return ids;
    };
    box.addEventListener('input', () => {
      pg.text = box.value;
      const ids = check();
      if (ids.length) pg.edit(Float64Array.from(ids), ids.length, TYPING_MS);
    });
    area.replaceChildren(h('label', 'muted', l10n.t('Type text ({0}-token vocabulary); the model re-runs as you type.', vocab.length)), box);
    check();
    restoreFocus(box);
  };

  /**
   * The grid follows the cursor only near the viewport (webview/on-screen.ts): scrolled away, a step leaves its 80
   * cells alone (a move of its rows rewrote them all, 2–10 ms every seventh step), and it catches up with the step
   * shown when it comes back within 200 px of the view. It is built at once for each trace; its caption and cell
   * labels always name the rows it shows.
   */
  const shown = onScreen(area);

  /** The grid's table and its cells, built once per trace; a step that moves its rows rewrites them in place. */
  let grid: { table: HTMLTableElement; rows: HTMLTableRowElement[]; cells: HTMLInputElement[][] } | null = null;

  const buildGrid = (steps: number, F: number, shownF: number) => {
    const table = h('table', 'pg-grid');
    table.createCaption();
    const head = table.createTHead().insertRow();
    head.append(h('th', '', l10n.t('step')));
    for (let f = 0; f < shownF; f++) head.append(h('th', '', `x${F > 1 ? f : ''}`));
    const body = table.createTBody();
    const rows: HTMLTableRowElement[] = [];
    const cells: HTMLInputElement[][] = [];
    for (let r = 0; r < Math.min(steps, GRID_STEPS); r++) {
      const row = body.insertRow();
      const th = h('th', '');
      th.scope = 'row';
      row.append(th);
      const line: HTMLInputElement[] = [];
      for (let f = 0; f < shownF; f++) {
        const cell = h('input', 'pg-cell');
        cell.type = 'text';
        cell.inputMode = 'decimal';
        cell.addEventListener('change', () => {
          const s = Number(row.dataset.t);
          const x = Number(cell.value.trim());
          if (cell.value.trim() === '' || !Number.isFinite(x)) {
            cell.setAttribute('aria-invalid', 'true');
            warn.textContent = l10n.t('Step {0}, feature {1}: “{2}” is not a number (write e.g. 0.5, -1e-3).', s, f, cell.value);
            return;
          }
          cell.removeAttribute('aria-invalid');
          warn.textContent = '';
          const fresh = editableRows(p)!;
          fresh[s * F + f] = x;
          pg.edit(fresh, store.data!.inputSteps);
        });
        row.insertCell().append(cell);
        line.push(cell);
      }
      rows.push(row);
      cells.push(line);
    }
    area.replaceChildren(table, ...(F > shownF ? [h('p', 'muted', l10n.t('first {0} of {1} features shown', shownF, F))] : []));
    grid = { table, rows, cells };
  };

  const drawGrid = () => {
    const tr = store.data!;
    const F = init.input.features;
    const t = store.state.step;
    // The rows stay while the cursor is inside them with a row of context either side (or at the input's edge): a
    // step then moves only the current row's mark, and the cells are rewritten once every few steps.
    const last = Math.max(0, tr.inputSteps - GRID_STEPS);
    const inside = gridFrom >= 0 && t >= gridFrom + (gridFrom > 0 ? 1 : 0) && t <= gridFrom + GRID_STEPS - (gridFrom < last ? 2 : 1);
    const from = inside ? gridFrom : Math.max(0, Math.min(t - 3, last));
    if (from === gridFrom) {
      // The same rows (a step within them, or the user editing a cell): only the current row's mark moves.
      area.querySelector('tr.current')?.classList.remove('current');
      area.querySelector(`tr[data-t="${t}"]`)?.classList.add('current');
      return;
    }
    const rebuild = gridFrom < 0 || !grid;
    gridFrom = from;
    if (tr.input.length !== tr.inputSteps * F) {
      grid = null;
      area.replaceChildren(h('p', 'muted', l10n.t('This input is too long to edit here ({0} steps × {1} features): edit its file, or load another with Cellscope: Load Input Sequence.', tr.inputSteps, F)));
      return;
    }
    const shownF = Math.min(F, GRID_FEATURES);
    if (rebuild) buildGrid(tr.inputSteps, F, shownF);
    const g = grid!;
    const to = Math.min(tr.inputSteps, from + GRID_STEPS);
    setText(g.table.caption!, l10n.t('Input values, steps {0}–{1} of {2} (Enter re-runs)', from, to - 1, tr.inputSteps));
    g.rows.forEach((row, r) => {
      const s = from + r;
      row.dataset.t = String(s);
      row.className = s === t ? 'current' : '';
      setText(row.cells[0]!, String(s));
      g.cells[r]!.forEach((cell, f) => {
        cell.value = fmt(tr.input[s * F + f]!, 6);
        cell.removeAttribute('aria-invalid');
        cell.dataset.playground = `c${s}:${f}`;
        cell.setAttribute('aria-label', l10n.t('input at step {0}, feature {1}', s, f));
        if (rebuild) restoreFocus(cell);
      });
    });
  };

  // While the user types, the box is there at once (before the new run's trace arrives): no keystroke falls outside it.
  if (init.input.tokens && pg.text !== null) {
    mountText();
    textFor = store.state.batch;
  }

  return {
    dispose() {
      shown.dispose();
      // A re-run re-mounts the panel: the caret (or the grid cell being edited) comes back where it is now.
      const a = document.activeElement as HTMLInputElement | HTMLTextAreaElement | null;
      const where = a && card.root.contains(a) ? a.dataset.playground : undefined;
      pg.focus = where ? { where, start: a!.selectionStart ?? 0, end: a!.selectionEnd ?? 0 } : null;
    },
    render(dirty) {
      setText(status, pg.status);
      if (!store.data) return;
      if (dirty.has('data')) {
        gridFrom = -1;
        // The text box is built once per batch item: a redraw (theme, units) must not take the caret away.
        if (init.input.tokens && textFor !== store.state.batch) mountText();
        textFor = store.state.batch;
      }
      // A new trace builds the grid at once (its cells are in the page and the tab order wherever it is scrolled).
      if (!init.input.tokens) (gridFrom < 0 ? drawGrid() : shown.draw(drawGrid));
    },
  };
}
