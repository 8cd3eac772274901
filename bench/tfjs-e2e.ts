/**
 * The TF.js side of the end-to-end comparison: read the same Keras export JSON and input as `cellscope run`, build
 * the model in TF.js (CPU backend), predict, write the output JSON. Usage: tfjs-e2e.ts MODEL INPUT OUT
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';

const [modelFile, inputFile, outFile] = process.argv.slice(2) as [string, string, string];
async function main(): Promise<void> {
  console.warn = () => {};
  await tf.setBackend('cpu');
  const doc = JSON.parse(readFileSync(modelFile, 'utf8'));
  const input = JSON.parse(readFileSync(inputFile, 'utf8'));
  const [, lstm] = doc.model.config.layers;
  const c = lstm.config;
  const model = tf.sequential({
    layers: [
      tf.layers.lstm({
        units: c.units,
        activation: c.activation,
        recurrentActivation: c.recurrent_activation,
        useBias: c.use_bias,
        returnSequences: c.return_sequences,
        inputShape: [input.shape[1], input.shape[2]],
        // setWeights replaces them (TF.js's default orthogonal initializer alone is slow at this size).
        kernelInitializer: 'zeros',
        recurrentInitializer: 'zeros',
      }),
    ],
  });
  model.setWeights(doc.weights.map((w: number[] | number[][]) => tf.tensor(w)));
  const y = model.predict(tf.tensor(input.data, input.shape)) as tf.Tensor;
  writeFileSync(outFile, JSON.stringify({ shape: y.shape, data: Array.from(y.dataSync()) }));
}

void main();
