/**
 * The input playground's controller (one per page, kept across re-runs): sends `run` requests (an edited batch item,
 * a reset, another precision) with ids, drops an init that answers an older request, and keeps what the user is
 * typing — the text and where the caret was — because every run re-mounts the panel's sections.
 */
import { Requests } from '../src/panel/requests';
import type { InitMessage, PanelPrecision, PanelState, ToWebview } from '../src/protocol';
import type { Store } from './store';
import * as l10n from './l10n';

export interface Playground {
  /** The text typed into a token model's box (with characters outside the vocabulary), null before any typing. */
  text: string | null;
  /** Where keyboard focus was in the playground when a run re-mounted it (the caret), restored in the new one. */
  focus: { where: string; start: number; end: number } | null;
  /** A line for the playground (running…, saved to …, why nothing ran). */
  status: string;
  /** A run asked for by the playground is under way. */
  readonly busy: boolean;
  /** Re-run on batch item `batch`'s edited rows ([step][feature]); `delay` ms of quiet first (typing). */
  edit(rows: Float64Array, steps: number, delay?: number): void;
  /** Re-run in another precision (saved in the panel state). */
  setPrecision(p: PanelPrecision): void;
  /** Back to the file's input. */
  reset(): void;
  save(): void;
  /** False for an init answering an older request than the latest (a newer one is on its way). */
  accepts(m: InitMessage): boolean;
  /** After an init was shown: the saved precision is asked for when the host ran another one. */
  afterInit(m: InitMessage): void;
  onSaved(m: Extract<ToWebview, { type: 'saved' }>): void;
  onError(): void;
}

/** Edited values kept in the saved panel state up to this many; a larger edit is not run again after a reload. */
export const KEEP_EDIT_VALUES = 200_000;

type Edit = { batch: number; steps: number; data: Float64Array };
type SavedEdit = NonNullable<PanelState['edits']>[number];

export function playground(store: Store, post: (m: import('../src/protocol').FromWebview) => void, changed: () => void): Playground {
  const requests = new Requests(post);
  let latest = 0;
  let saving = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The edit the latest run carries: kept in the saved state once the run answers. */
  let sent: Edit | null = null;
  /** The first init of this page (a reload's) has not come yet; saved edits are run again after it, one by one. */
  let first = true;
  let replay: SavedEdit[] = [];
  let replayId = 0;
  const precision = (): PanelPrecision => store.state.precision ?? store.init?.precision ?? 'float64';
  /** The last edit of each batch item, in the saved state (too large: none kept, and the status says so). */
  const keep = (e: Edit) => {
    const edits = (store.state.edits ?? []).filter((x) => x.batch !== e.batch);
    edits.push({ batch: e.batch, steps: e.steps, data: Array.from(e.data, (x) => (Number.isNaN(x) ? null : x)) });
    const total = edits.reduce((n, x) => n + x.data.length, 0);
    store.state.edits = total <= KEEP_EDIT_VALUES ? edits : null;
    return total <= KEEP_EDIT_VALUES;
  };
  const next = () => {
    const e = replay.shift();
    if (!e) return false;
    run({ reset: false, edit: { batch: e.batch, steps: e.steps, data: Float64Array.from(e.data, (x) => x ?? NaN) } });
    replayId = latest;
    return true;
  };
  const run = (m: { reset: boolean; edit: Edit | null }) => {
    clearTimeout(timer);
    sent = m.edit;
    latest = requests.ask(null, { type: 'run', precision: precision(), ...m });
    pg.status = 'running…';
    changed();
  };
  const pg: Playground = {
    text: null,
    focus: null,
    status: '',
    get busy() {
      return latest !== 0;
    },
    edit(rows, steps, delay = 0) {
      clearTimeout(timer);
      const go = () => run({ reset: false, edit: { batch: store.state.batch, steps, data: rows } });
      if (delay > 0) timer = setTimeout(go, delay);
      else go();
    },
    setPrecision(p) {
      store.state.precision = p;
      run({ reset: false, edit: null });
    },
    reset() {
      pg.text = null;
      run({ reset: true, edit: null });
    },
    save() {
      saving = requests.ask('save', { type: 'saveInput' });
      if (saving) pg.status = 'saving…';
      changed();
    },
    accepts(m) {
      if (m.re !== 0 && m.re !== latest && requests.settle(m.re)) return false;
      if (m.re === latest && latest) {
        requests.settle(latest);
        latest = 0;
        pg.status = m.input.edited ? l10n.t('ran on the edited input ({0} steps, {1}, {2} ms)', m.steps, m.precision, Math.round(m.runMs)) : l10n.t('ran on the file’s input ({0})', m.precision);
        if (sent && m.input.edited && !keep(sent)) pg.status += ` — ${l10n.t('too large to keep across a reload')}`;
        sent = null;
      }
      // The file's input again (reset, or a newly chosen input file): no edit to keep. A reload's first init is the
      // file's input too, but its saved edits are run again (afterInit).
      if (!m.input.edited && !first) store.state.edits = null;
      if (!m.input.edited) pg.text = null;
      return true;
    },
    afterInit(m) {
      if (m.re === 0 && first) {
        first = false;
        // A reload: the host ran the file's input; the edits saved with the panel are run again (in its precision).
        if (!m.input.edited && store.state.edits?.length) {
          replay = store.state.edits.filter((e) => e.batch < m.batch);
          if (next()) return;
        }
      } else if (replayId && m.re === replayId) {
        replayId = 0;
        if (next()) return;
      }
      if (m.re === 0 && store.state.precision && store.state.precision !== m.precision) run({ reset: false, edit: null });
    },
    onSaved(m) {
      if (!requests.settle(m.re)) return;
      saving = 0;
      pg.status = m.name ? l10n.t('saved as {0}', m.name) : l10n.t('not saved (cancelled)');
      changed();
    },
    onError() {
      // The host refused or the run failed: the banner says why; nothing is pending any more.
      if (latest) requests.settle(latest);
      latest = 0;
      pg.status = '';
    },
  };
  return pg;
}
