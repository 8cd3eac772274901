// A random LSTM (8 features → `units`, batch 1, `steps` steps) for timing and load tests: big shapes no fixture has.
import type { Model, Tensor } from '../src/engine';

export function syntheticLstm(units: number, steps: number, seed = 12345): { model: Model; input: Tensor } {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 2;
  const F = 8;
  const arr = (n: number, scale: number) => Float64Array.from({ length: n }, () => rnd() * scale);
  const model: Model = {
    name: `synthetic-lstm-${units}x${steps}`,
    inputShape: [steps, F],
    inputIsTokens: false,
    semantics: { kerasMajor: 3, hardSigmoid: 'keras3', decidedBy: 'test' },
    source: { file: 'synthetic', format: 'test' },
    layers: [
      {
        kind: 'recurrent',
        name: 'lstm',
        cell: 'lstm',
        config: { units, activation: 'tanh', recurrentActivation: 'sigmoid', useBias: true, returnSequences: true, returnState: false, goBackwards: false, stateful: false, resetAfter: false },
        weights: {
          kernel: { shape: [F, 4 * units], data: arr(F * 4 * units, 0.5) },
          recurrentKernel: { shape: [units, 4 * units], data: arr(units * 4 * units, 1.5 / Math.sqrt(units)) },
          bias: { shape: [4 * units], data: arr(4 * units, 0.3) },
        },
      },
    ],
  };
  const input = { shape: [1, steps, F], data: Float64Array.from({ length: steps * F }, (_, k) => Math.sin(k * 0.013) + 0.3 * rnd()) };
  return { model, input };
}
