/**
 * Half precision: Keras ran the model under a float16 / bfloat16 dtype policy (`mixed_float16`, the keras.io
 * mixed-precision guide's setting) and rounded every such layer's arithmetic to 16 bits, where the user's run did
 * not. First the policies the file declares (the user ran with an explicit --precision, which ignores them); for a
 * file that declares none, every layer in float16, then in bfloat16 (a recording made under a global policy that the
 * file does not carry, e.g. weights re-exported from a float32 copy).
 */
import type { HalfDtype } from '../engine/half';
import type { Model } from '../engine/model';
import type { Hypothesis } from './types';
import { phrase } from '../phrase';

const declared = (dtype: HalfDtype): Hypothesis => ({
  id: `precision:policy-${dtype}`,
  title: phrase('the model computes in {0} (its Keras dtype policy; Cellscope reproduces it when no --precision is given)', dtype),
  concept: 'precision',
  applies: (m, ctx) => {
    if (!m.layerDtypes || !Object.values(m.layerDtypes).includes(dtype)) return `no layer declares a ${dtype} policy`;
    return ctx.base.policies ? "already following the file's dtype policies" : true;
  },
  apply: (trial) => ({ ...trial, policies: true }),
});

function everyLayerIn(model: Model, dtype: HalfDtype): Record<string, HalfDtype> {
  return Object.fromEntries(model.layers.map((l) => [l.name, dtype]));
}

const assumed = (dtype: HalfDtype): Hypothesis => ({
  id: `precision:all-${dtype}`,
  title: phrase('the model computes in {0} (Keras ran it under the mixed_{0} policy, which the file does not declare)', dtype),
  concept: 'precision',
  applies: (m) => (m.layerDtypes ? 'the file declares its dtype policies' : true),
  apply: (trial) => ({ ...trial, policies: true, model: { ...trial.model, layerDtypes: everyLayerIn(trial.model, dtype) } }),
});

export const halfPrecisionHypotheses: Hypothesis[] = [declared('float16'), declared('bfloat16'), assumed('float16'), assumed('bfloat16')];
