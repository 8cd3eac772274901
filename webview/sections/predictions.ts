/**
 * Next token (token models): the model's top-k next tokens at the cursor's step with their probabilities, read from
 * the run's output by the host (src/panel/predictions.ts); where they come from (softmax head, or the softmax of a
 * linear head's logits) is said under them. A hover on a row gives its exact probability and id.
 */
import { tokenText } from '../../src/panel/predictions';
import { h, section } from '../dom';
import type { Panel } from '../panel';
import type { View } from '../store';
import * as l10n from '../l10n';

export function mountPredictions(p: Panel, parent: ParentNode): View {
  const { store } = p;
  const init = store.init!;
  if (!init.input.tokens || (!init.predictions && !init.predictionsNote)) return { render() {} };
  const card = section(l10n.t('Next token'), 'predictions');
  const caption = h('p', 'pred-caption');
  const list = h('ol', 'pred-list');
  list.setAttribute('aria-label', l10n.t('Most likely next tokens'));
  const note = h('p', 'muted pred-note');
  card.body.append(caption, list, note);
  parent.append(card.root);
  const vocab = init.input.vocabulary ?? [];
  const name = (id: number) => vocab[id] ?? `⟨${id}⟩`;

  return {
    render() {
      const pr = init.predictions;
      const tr = store.data;
      if (!pr) {
        note.textContent = init.predictionsNote ?? '';
        return;
      }
      const source =
        pr.head.kind === 'probabilities'
          ? l10n.t('probabilities from {0} (softmax)', pr.head.layer)
          : pr.head.kind === 'logits'
            ? l10n.t("softmax of {0}'s logits (the head is linear: the panel applies the softmax)", pr.head.layer)
            : l10n.t("exp of {0}'s log_softmax", pr.head.layer);
      note.textContent = l10n.t('{0}; top {1} of {2} tokens.', source, pr.k, vocab.length);
      if (!tr) return;
      const t = store.state.step;
      const b = store.state.batch;
      // An output without a time axis predicts once, after the last step.
      const step = pr.steps === 1 ? 0 : Math.min(t, pr.steps - 1);
      const read = pr.steps === 1 ? tr.inputSteps - 1 : t;
      const here = tr.input[read];
      const next = pr.steps === 1 ? undefined : tr.input[read + 1];
      caption.replaceChildren(
        pr.steps === 1 ? `${l10n.t('After the whole input, ending in')} ` : `${l10n.t('After t = {0}, reading', t)} `,
        h('code', 'tok-inline', here === undefined ? '?' : tokenText(name(here))),
        `, ${l10n.t('the model predicts:')}`,
      );
      const at = (b * pr.steps + step) * pr.k;
      const rows: HTMLElement[] = [];
      for (let r = 0; r < pr.k; r++) {
        const id = pr.ids[at + r]!;
        const prob = pr.probs[at + r]!;
        const li = h('li', `pred${next === id ? ' actual' : ''}`);
        const bar = h('span', 'pred-bar');
        bar.style.width = `${Math.max(0, Math.min(1, prob)) * 100}%`;
        const track = h('span', 'pred-track');
        track.append(bar);
        li.append(h('code', 'pred-tok', tokenText(name(id))), track, h('span', 'pred-p', `${(prob * 100).toFixed(prob >= 0.995 || prob < 0.001 ? 2 : 1)} %`));
        li.title = `${JSON.stringify(name(id))} (id ${id}): p = ${l10n.sig(prob, 6)}${next === id ? ` — ${l10n.t('the input’s next token')}` : ''}`;
        li.dataset.id = String(id);
        li.dataset.p = String(prob);
        rows.push(li);
      }
      list.replaceChildren(...rows);
      if (next !== undefined && !rows.some((r) => r.classList.contains('actual'))) {
        list.append(h('li', 'pred-miss muted', l10n.t('the input continues with {0}, not in the top {1}', tokenText(name(next)), pr.k)));
      }
    },
  };
}
