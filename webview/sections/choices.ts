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

type Nonlinearity = 'tanh' | 'relu';

export function mountChoices(p: Panel, init: InitMessage, parent: ParentNode): View {
  const c = init.choices;
  // What the host ran is what is saved (a saved choice the file no longer has was replaced by the host's pick).
  p.store.state.choices = c ? { module: c.module, nonlinearity: c.nonlinearity ?? 'tanh' } : null;
  if (!c || (c.modules.length < 2 && c.nonlinearity === null)) return { render() {} };
  const bar = h('div', 'card choices');
  bar.setAttribute('role', 'group');
  bar.setAttribute('aria-label', 'What the PyTorch file leaves open');
  const pick = (module: string, nonlinearity: Nonlinearity) => {
    p.store.state.choices = { module, nonlinearity };
    p.announce(`Re-running with module ${module || '(top level)'}, ${nonlinearity}…`);
    p.post({ type: 'setChoices', module, nonlinearity });
  };
  const current = () => p.store.state.choices ?? { module: c.module, nonlinearity: 'tanh' as Nonlinearity };
  if (c.modules.length > 1) {
    const modules = dropdown('Recurrent module', (v) => pick(v, current().nonlinearity));
    modules.setChoices(c.modules.map((m) => ({ value: m.prefix, label: m.label })), c.module);
    bar.append(labelled('Module', modules.element, h('span', 'muted', `${c.modules.length} recurrent modules in this state dict`)));
  }
  if (c.nonlinearity !== null) {
    const nl = dropdown('nn.RNN nonlinearity', (v) => pick(current().module, v === 'relu' ? 'relu' : 'tanh'));
    nl.setChoices([{ value: 'tanh', label: 'tanh' }, { value: 'relu', label: 'relu' }], c.nonlinearity);
    bar.append(labelled('Nonlinearity', nl.element, h('span', 'muted', 'nn.RNN(nonlinearity=…) is not stored in a state dict')));
  }
  parent.append(bar);
  return { render() {} };
}
