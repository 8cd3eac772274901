/** The benchmark workloads of the "Speed" issue, as engine models with seeded random weights and inputs. */
import { GATE_COUNT, type CellKind, type Model, type RecurrentLayer } from '../src/engine/model';
import type { Tensor } from '../src/engine/tensor';
import { rng } from '../test/random.mjs';

export interface Workload {
  id: string;
  cell: CellKind;
  resetAfter: boolean;
  batch: number;
  steps: number;
  features: number;
  units: number;
  /** TF.js peer takes minutes here: only with --full. */
  slowPeer: boolean;
}

export const WORKLOADS: Workload[] = [
  { id: 'W1', cell: 'lstm', resetAfter: false, batch: 1, steps: 1000, features: 32, units: 256, slowPeer: false },
  // TF.js's GRU (CPU) is ~50× slower than its LSTM here (≈ 10 s per 100 steps on the dev machine): --full only.
  { id: 'W1', cell: 'gru', resetAfter: true, batch: 1, steps: 1000, features: 32, units: 256, slowPeer: true },
  { id: 'W2', cell: 'lstm', resetAfter: false, batch: 390, steps: 5, features: 1, units: 100, slowPeer: false },
  { id: 'W3', cell: 'lstm', resetAfter: false, batch: 1, steps: 100_000, features: 8, units: 64, slowPeer: true },
  { id: 'W4', cell: 'lstm', resetAfter: false, batch: 64, steps: 200, features: 128, units: 512, slowPeer: true },
];

/** Multiply-adds ×2 of the matrix products x·K and h·U over the whole run. */
export function flopsOf(w: Workload): number {
  return 2 * w.batch * w.steps * (w.features + w.units) * GATE_COUNT[w.cell] * w.units;
}

function randomTensor(shape: number[], scale: number, next: () => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  // Values rounded to float32 so that both engines and the JSON export see the same numbers.
  for (let i = 0; i < n; i++) data[i] = Math.fround(next() * scale);
  return { shape, data };
}

export interface WorkloadData {
  model: Model;
  layer: RecurrentLayer;
  input: Tensor;
}

export function buildWorkload(w: Workload, seed = 1): WorkloadData {
  const next = rng(seed);
  const g = GATE_COUNT[w.cell];
  const gu = g * w.units;
  const layer: RecurrentLayer = {
    kind: 'recurrent',
    name: w.cell,
    cell: w.cell,
    config: {
      units: w.units,
      activation: 'tanh',
      recurrentActivation: 'sigmoid',
      useBias: true,
      returnSequences: true,
      returnState: false,
      goBackwards: false,
      stateful: false,
      resetAfter: w.resetAfter,
    },
    weights: {
      kernel: randomTensor([w.features, gu], 1 / Math.sqrt(w.features), next),
      recurrentKernel: randomTensor([w.units, gu], 1 / Math.sqrt(w.units), next),
      bias: randomTensor(w.cell === 'gru' && w.resetAfter ? [2, gu] : [gu], 0.1, next),
    },
  };
  const model: Model = {
    name: `${w.id}-${w.cell}`,
    layers: [layer],
    inputShape: [w.steps, w.features],
    inputIsTokens: false,
    semantics: { kerasMajor: 3, hardSigmoid: 'keras3', decidedBy: 'benchmark' },
    source: { file: '<bench>', format: 'bench' },
  };
  const input = randomTensor([w.batch, w.steps, w.features], 1, next);
  return { model, layer, input };
}

export function label(w: Workload): string {
  return `${w.id} ${w.cell === 'gru' ? `GRU${w.resetAfter ? ' r_a' : ''}` : 'LSTM'} b${w.batch} t${w.steps} f${w.features} u${w.units}`;
}
