/** The Explain views' choices (in the saved panel state) and what they ask the host for. */
import type { ExplainAsk } from '../src/panel/explain-view';
import type { OutputMessage, PanelState } from '../src/protocol';
import type { Store } from './store';
import * as l10n from './l10n';

export type ExplainChoices = NonNullable<PanelState['explain']>;

/** The attribution methods' names in the display language (a function: the page's bundle is read after imports). */
export const methodLabels = (): Record<ExplainChoices['method'], string> => ({
  gradient: l10n.t('gradient (saliency)'),
  'grad-input': l10n.t('gradient × input'),
  'integrated-gradients': l10n.t('integrated gradients'),
  occlusion: l10n.t('occlusion (per step)'),
  lrp: 'LRP (LSTM/GRU)',
});

/** The choices, made once (defaults) and then kept in the state. */
export function explainChoices(s: Store): ExplainChoices {
  return (s.state.explain ??= { method: 'gradient', steps: 64, baseline: 'zeros', output: 0, target: null, trajectoryLayer: s.state.layer, open: false });
}

/** The target when none was picked: the largest value (of the last step, for an output over time). */
export function defaultTarget(o: OutputMessage): number[] {
  if (!o.values.length) return o.shape.map((d, k) => (k === 0 && o.shape.length === 2 ? d - 1 : 0));
  const [a, b] = o.shape;
  const row = o.shape.length === 2 ? (a! - 1) * b! : 0;
  const n = o.shape.length === 2 ? b! : o.values.length;
  let best = 0;
  for (let j = 1; j < n; j++) if (o.values[row + j]! > o.values[row + best]!) best = j;
  if (o.shape.length === 2) return [a! - 1, best];
  if (o.shape.length === 1) return [best];
  return o.shape.map(() => 0);
}

/** The target in force: the one picked when it fits the output, else the default. */
export function targetOf(c: ExplainChoices, o: OutputMessage): number[] {
  const t = c.target;
  return t && t.length === o.shape.length && t.every((v, k) => v < o.shape[k]!) ? t : defaultTarget(o);
}

export function askOf(s: Store, o: OutputMessage): ExplainAsk {
  const c = explainChoices(s);
  return { batch: s.state.batch, output: c.output, target: targetOf(c, o), method: c.method, steps: c.steps, baseline: c.baseline };
}

/** "y[0, 12, 3]" with the output's number when the model has several. */
export function targetText(o: { outputs?: number; output: number }, batch: number, target: number[]): string {
  const y = `y[${[batch, ...target].join(', ')}]`;
  return o.outputs && o.outputs > 1 ? l10n.t('output {0} {1}', o.output, y) : y;
}
