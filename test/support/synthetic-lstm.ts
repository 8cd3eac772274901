// Random LSTMs built in code (seeded: test/random.mjs) for the panel, worker and timing tests: shapes and mistakes
// no fixture has. Numbers the tests check come from the engine run on these models, never from the builders.
import type { Model, Tensor } from '../../src/engine';
import { rng } from '../random';
import { verbatim } from '../../src/phrase';

export interface LstmShape {
  units: number;
  features: number;
  steps: number;
  returnSequences: boolean;
  /** Scales of the kernel, recurrent kernel and bias draws. */
  scales: [number, number, number];
  seed: number;
}

/** One LSTM layer with seeded uniform weights (Keras 3 semantics). */
export function lstmModel(o: LstmShape): Model {
  const next = rng(o.seed);
  const { units: U, features: F } = o;
  const arr = (n: number, scale: number) => Float64Array.from({ length: n }, () => next() * scale);
  return {
    name: `synthetic-lstm-${U}x${o.steps}`,
    inputShape: [o.steps, F],
    inputIsTokens: false,
    semantics: { kerasMajor: 3, hardSigmoid: 'keras3', decidedBy: verbatim('test') },
    source: { file: 'synthetic', format: 'test' },
    layers: [
      {
        kind: 'recurrent',
        name: 'lstm',
        cell: 'lstm',
        config: { units: U, activation: 'tanh', recurrentActivation: 'sigmoid', useBias: true, returnSequences: o.returnSequences, returnState: false, goBackwards: false, stateful: false, resetAfter: false },
        weights: {
          kernel: { shape: [F, 4 * U], data: arr(F * 4 * U, o.scales[0]) },
          recurrentKernel: { shape: [U, 4 * U], data: arr(U * 4 * U, o.scales[1]) },
          bias: { shape: [4 * U], data: arr(4 * U, o.scales[2]) },
        },
      },
    ],
  };
}

/** A random LSTM (8 features → `units`, batch 1, `steps` steps) returning sequences, and a wavy input, for timing and load tests. */
export function syntheticLstm(units: number, steps: number, seed = 12345): { model: Model; input: Tensor } {
  const model = lstmModel({ units, features: 8, steps, returnSequences: true, scales: [0.5, 1.5 / Math.sqrt(units), 0.3], seed });
  const noise = rng(seed + 1);
  const input = { shape: [1, steps, 8], data: Float64Array.from({ length: steps * 8 }, (_, k) => Math.sin(k * 0.013) + 0.3 * noise()) };
  return { model, input };
}
