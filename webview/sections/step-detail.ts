/** Step detail: every shown quantity of every unit at the cursor's step, as bars (a click picks the focus unit). */
import { section } from '../dom';
import type { Panel } from '../panel';
import { StepBars, type BarRow } from '../stepdetail';
import { layerMeta, quantityScale, shownQuantities, type View } from '../store';
import * as l10n from '../l10n';

export function mountStepDetail(p: Panel, parent: ParentNode): View {
  const { store, scheduler } = p;
  const card = section(l10n.t('Step detail'), 'detail');
  const bars = new StepBars((unit) => {
    store.state.focusUnit = unit;
    scheduler.mark('step');
  });
  card.body.append(bars.root);
  parent.append(card.root);
  return {
    dispose: () => bars.dispose(),
    render() {
      const tr = store.data;
      const m = layerMeta(store);
      const t = store.state.step;
      const s = store.stepOfTime[t]!;
      if (!tr || !m || !tr.hasStep(s)) return;
      const rows: BarRow[] = shownQuantities(store).map((q) => ({ q: m.quantities[q]!, values: tr.rowAtStep(q, s)!, scale: quantityScale(store, q) }));
      bars.set(rows, store.state.focusUnit, store.theme, t);
    },
  };
}
