/**
 * Real Keras predictions of examples/char-rnn (model.keras, Keras 3 in .venv, JAX on CPU): the output of each step
 * for given token id sequences, with the softmax head as trained, or with the head made linear (its logits). The
 * references the playground and the prediction tests compare with; nobody computed them by hand.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
// @ts-expect-error plain ES module without types
import { ensurePythonEnv, kerasEnv } from '../../scripts/python-env.mjs';

const SCRIPT = `
import json, sys
import numpy as np
import keras
path, seqs, linear = json.load(sys.stdin)
model = keras.saving.load_model(path)
if linear:
    model.layers[-1].activation = keras.activations.linear
outs = [model.predict(np.array([s], dtype="int32"), verbose=0) for s in seqs]
# With the linear head, Keras's own softmax of its logits too (the probabilities the panel must show).
json.dump({"out": [np.asarray(o, dtype="float64")[0].tolist() for o in outs],
           "softmax": [np.asarray(keras.activations.softmax(keras.ops.convert_to_tensor(o), axis=-1), dtype="float64")[0].tolist() for o in outs]}, sys.stdout)
`;

/**
 * out[i][t][v]: Keras's output at step t of sequence i (probabilities, or logits with `linearHead`); softmax: Keras's
 * softmax of that output (with the linear head: the probabilities).
 */
export function kerasCharOutputs(root: string, sequences: number[][], linearHead = false): { out: number[][][]; softmax: number[][][] } {
  const r = spawnSync(ensurePythonEnv(), ['-c', SCRIPT], {
    input: JSON.stringify([join(root, 'examples', 'char-rnn', 'model.keras'), sequences, linearHead]),
    env: kerasEnv({ KERAS_BACKEND: 'jax', JAX_PLATFORMS: 'cpu' }),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`Keras failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { out: number[][][]; softmax: number[][][] };
}
