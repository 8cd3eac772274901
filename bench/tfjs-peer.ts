/** The same workloads in TF.js (pure-JS CPU backend), the peer the numbers are compared with. */
import * as tf from '@tensorflow/tfjs';
import type { Workload, WorkloadData } from './workloads';

let ready: Promise<void> | null = null;

export function tfjsReady(): Promise<void> {
  ready ??= (async () => {
    // The banner about tfjs-node is printed once on first use; the CPU backend is what the comparison is about.
    const warn = console.warn;
    console.warn = () => {};
    await tf.setBackend('cpu');
    await tf.ready();
    console.warn = warn;
  })();
  return ready;
}

export interface TfjsModel {
  predict(): void;
  dispose(): void;
  /** Why the peer differs from the Cellscope workload, if it does. */
  note?: string;
}

export function tfjsModel(w: Workload, d: WorkloadData, precision: 'float32' | 'float64'): TfjsModel {
  const { layer, input } = d;
  const common = {
    units: w.units,
    returnSequences: true,
    activation: 'tanh' as const,
    recurrentActivation: 'sigmoid' as const,
    batchInputShape: [w.batch, w.steps, w.features],
    // setWeights replaces them; TF.js's default orthogonal initializer alone takes minutes for these sizes.
    kernelInitializer: 'zeros' as const,
    recurrentInitializer: 'zeros' as const,
  };
  // TF.js's GRU has no reset_after=true: the peer runs reset_after=false (same flop count).
  const rnn = w.cell === 'lstm' ? tf.layers.lstm(common) : w.cell === 'gru' ? tf.layers.gru(common) : tf.layers.simpleRNN(common);
  const model = tf.sequential({ layers: [rnn] });
  const { kernel, recurrentKernel, bias } = layer.weights;
  const gu = kernel.shape[1]!;
  // GRU reset_after bias is [input row | recurrent row]; reset_after=false has one row: give it the input row.
  const b = bias!.data.length === gu ? bias!.data : bias!.data.subarray(0, gu);
  model.setWeights([
    tf.tensor(Float32Array.from(kernel.data), kernel.shape as number[]),
    tf.tensor(Float32Array.from(recurrentKernel.data), recurrentKernel.shape as number[]),
    tf.tensor(Float32Array.from(b), [gu]),
  ]);
  const x = tf.tensor(Float32Array.from(input.data), input.shape as number[]);
  return {
    predict() {
      const y = model.predict(x) as tf.Tensor;
      y.dataSync();
      y.dispose();
    },
    dispose() {
      x.dispose();
      model.dispose();
    },
    ...(w.cell === 'gru' && w.resetAfter ? { note: 'TF.js GRU lacks reset_after=true: peer runs reset_after=false' } : {}),
    ...(precision === 'float64' ? { note: 'TF.js CPU computes in float32 only' } : {}),
  };
}
