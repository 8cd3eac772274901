/**
 * What a PyTorch state dict leaves to the user, above the charts: the recurrent module to open when the file holds
 * several (the CLI's --module) and nn.RNN's nonlinearity (not stored in state dicts; tanh unless the user says relu).
 * A change asks the host to load the file again with it and re-run (a new init); the choice is saved with the panel.
 */
import type { InitMessage } from '../../src/protocol';
import { h, labelled } from '../dom';
import type { Panel } from '../panel';
import type { View } from '../store';
import { dropdown } from '../toolkit';
import * as l10n from '../l10n';

type Nonlinearity = 'tanh' | 'relu';

export function mountChoices(p: Panel, init: InitMessage, parent: ParentNode): View {
  const c = init.choices;
  // What the host ran is what is saved (a saved choice the file no longer has was replaced by the host's pick).
  p.store.state.choices = c ? { module: c.module, nonlinearity: c.nonlinearity ?? 'tanh' } : null;
  if (!c || (c.modules.length < 2 && c.nonlinearity === null)) return { render() {} };
  const bar = h('div', 'card choices');
  bar.setAttribute('role', 'group');
  bar.setAttribute('aria-label', l10n.t('What the PyTorch file leaves open'));
  const pick = (module: string, nonlinearity: Nonlinearity) => {
    p.store.state.choices = { module, nonlinearity };
    p.announce(l10n.t('Re-running with module {0}, {1}…', module || l10n.t('(top level)'), nonlinearity));
    p.post({ type: 'setChoices', module, nonlinearity });
  };
  const current = () => p.store.state.choices ?? { module: c.module, nonlinearity: 'tanh' as Nonlinearity };
  if (c.modules.length > 1) {
    const modules = dropdown(l10n.t('Recurrent module'), (v) => pick(v, current().nonlinearity));
    modules.setChoices(c.modules.map((m) => ({ value: m.prefix, label: m.label })), c.module);
    bar.append(labelled(l10n.t('Module'), modules.element, h('span', 'muted', l10n.t('{0} recurrent modules in this state dict', c.modules.length))));
  }
  if (c.nonlinearity !== null) {
    const nl = dropdown(l10n.t('nn.RNN nonlinearity'), (v) => pick(current().module, v === 'relu' ? 'relu' : 'tanh'));
    nl.setChoices([{ value: 'tanh', label: 'tanh' }, { value: 'relu', label: 'relu' }], c.nonlinearity);
    bar.append(labelled(l10n.t('Nonlinearity'), nl.element, h('span', 'muted', l10n.t('nn.RNN(nonlinearity=…) is not stored in a state dict'))));
  }
  parent.append(bar);
  return { render() {} };
}
