/**
 * Stateful layers: the recording was the second `predict` on the same input with the states carried over (not
 * reset), or the first (reset) while the user ran twice; or the layer was stateful in Keras but not in the model.
 */
import { recurrentLayersOf, type Layer, type Model, type RecurrentLayer } from '../engine/model';
import type { Hypothesis } from './types';
import { phrase } from '../phrase';

const hasStateful = (m: Model) => recurrentLayersOf(m).some(({ layer }) => layer.config.stateful);

function makeStateful(model: Model): Model {
  const s = (l: RecurrentLayer): RecurrentLayer => ({ ...l, config: { ...l.config, stateful: true } });
  const layers = model.layers.map((l): Layer => (l.kind === 'recurrent' ? s(l) : l.kind === 'bidirectional' ? { ...l, forward: s(l.forward), backward: s(l.backward) } : l));
  return { ...model, layers };
}

export const stateHypotheses: Hypothesis[] = [
  {
    id: 'states-not-reset',
    title: phrase('stateful states not reset: the recording is the 2nd predict call on the same input'),
    concept: 'state',
    applies: (m, ctx) => (!hasStateful(m) ? 'no stateful layer' : ctx.base.predictCalls !== 1 ? 'already more than one call' : true),
    apply: (trial) => ({ ...trial, predictCalls: 2 }),
  },
  {
    id: 'states-reset',
    title: phrase('states reset: the recording is a single predict call from zero states'),
    concept: 'state',
    applies: (m, ctx) => (!hasStateful(m) ? 'no stateful layer' : ctx.base.predictCalls === 1 ? 'already one call' : true),
    apply: (trial) => ({ ...trial, predictCalls: 1 }),
  },
  {
    id: 'stateful-layers',
    title: phrase('recurrent layers were stateful: the recording is the 2nd predict call with states carried over'),
    concept: 'state',
    applies: (m) => (recurrentLayersOf(m).length === 0 ? 'no recurrent layer' : hasStateful(m) ? 'already stateful' : true),
    apply: (trial) => ({ ...trial, model: makeStateful(trial.model), predictCalls: Math.max(2, trial.predictCalls) }),
  },
];
