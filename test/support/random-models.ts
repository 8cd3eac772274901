/** Small engine models with seeded random weights (test/random.mjs), for tests that need shapes no fixture has (explain, engine). */
import type { CellKind, Layer, Model, RecurrentConfig, RecurrentLayer } from '../../src/engine/model';
import { GATE_COUNT } from '../../src/engine/model';
import type { Tensor } from '../../src/engine/tensor';
import { rng } from '../random.mjs';
import { verbatim } from '../../src/phrase';

export function random(shape: number[], next: () => number, scale = 0.8): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float64Array.from({ length: n }, () => next() * scale) };
}

export function recurrent(name: string, cell: CellKind, features: number, units: number, next: () => number, config: Partial<RecurrentConfig> = {}, projection?: number): RecurrentLayer {
  const g = GATE_COUNT[cell];
  const c: RecurrentConfig = {
    units,
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    useBias: true,
    returnSequences: true,
    returnState: false,
    goBackwards: false,
    stateful: false,
    resetAfter: cell === 'gru',
    ...config,
  };
  return {
    kind: 'recurrent',
    name,
    cell,
    config: c,
    weights: {
      kernel: random([features, g * units], next),
      recurrentKernel: random([units, g * units], next),
      bias: random(cell === 'gru' && c.resetAfter ? [2, g * units] : [g * units], next),
      ...(projection ? { projection: random([units, projection], next) } : {}),
    },
  };
}

export function dense(name: string, inputs: number, units: number, next: () => number, activation = 'linear'): Layer {
  return { kind: 'dense', name, units, activation, kernel: random([inputs, units], next), bias: random([units], next), timeDistributed: false };
}

export function model(layers: Layer[], inputShape: (number | null)[], hardSigmoid: 'keras2' | 'keras3' = 'keras3'): Model {
  return {
    name: 'test',
    layers,
    inputShape,
    inputIsTokens: false,
    semantics: { kerasMajor: hardSigmoid === 'keras2' ? 2 : 3, hardSigmoid, decidedBy: verbatim('test') },
    source: { file: '<test>', format: 'test' },
  };
}

export { rng };
