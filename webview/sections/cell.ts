/** The cell diagram of the focus unit at the cursor's step: every gate and state's value, previous states from the step before. */
import { h, section, setText } from '../dom';
import type { Panel } from '../panel';
import { CellDiagram } from '../stepdetail';
import { layerMeta, shownInputMeta, type View } from '../store';
import * as l10n from '../l10n';

export function mountCell(p: Panel, parent: ParentNode): View {
  const { store } = p;
  const card = section(l10n.t('Cell'), 'cell');
  const diagram = new CellDiagram();
  const caption = h('p', 'muted');
  card.body.append(diagram.root, caption);
  parent.append(card.root);
  return {
    render(dirty) {
      const tr = store.data;
      const m = layerMeta(store);
      if (!tr || !m) return;
      if (dirty.has('data')) {
        // The activation of c in h = o·act(c) is tanh unless the layer says otherwise (its summary line: "tanh / sigmoid").
        const details = store.init!.summary.layers.find((l) => l.name === m.layerName)?.details ?? '';
        const act = /\b(\w+) \/ \w+/.exec(details)?.[1] ?? 'tanh';
        diagram.build(m.cell, m.quantities, `${act}(c)`);
      }
      const t = store.state.step;
      const s = store.stepOfTime[t]!;
      const j = store.state.focusUnit;
      if (!tr.hasStep(s)) return;
      const init = store.init!;
      // Previous states from the previous processing step (zeros before the first).
      const vals: Record<string, number | string | undefined> = {};
      m.quantities.forEach((q, qi) => (vals[q.key] = tr.valueAtStep(qi, s, j)));
      // At the first processing step the states before it are the ones the run started from, as the trace recorded
      // them: zeros, unless the layer is stateful (carried from the previous call) or is given initial_state.
      let startsAtZero = true;
      m.quantities.forEach((q, qi) => {
        if (q.role !== 'state') return;
        const v = tr.valueBeforeStep(qi, s, j);
        vals[`${q.key}_prev`] = v;
        if (s === 0 && v !== 0) startsAtZero = false;
      });
      // h = o·act(c): the value between c and the output gate, read off the trace rather than recomputed.
      if (m.cell === 'lstm') vals.act_c = Number(vals.h) / Number(vals.o);
      const { features: F, tokens } = shownInputMeta(store);
      if (tokens) {
        const id = tr.input[t]!;
        vals.x = JSON.stringify(init.input.vocabulary?.[id] ?? id);
      } else vals.x = F === 1 ? tr.inputAt(t, 0) : l10n.t('{0} values', F);
      diagram.update(vals, l10n.t('{0} cell, unit {1}, step {2}', m.cell.toUpperCase(), j, t));
      const where = l10n.t('unit {0} at t = {1} ({2}, {3}); click a bar or the heatmap to pick another unit.', j, t, m.layerName, m.direction);
      const start = startsAtZero ? l10n.t('The states before the first step are the initial zeros.') : l10n.t('The states before the first step are the ones the run started from (a stateful layer’s carried states, or initial_state).');
      setText(caption, s === 0 ? `${where} ${start}` : where);
    },
  };
}
