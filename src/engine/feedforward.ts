/** The layers around the recurrent ones: Dense (any rank, on the last axis), Embedding, Flatten, Activation. */
import { activation } from './activations';
import { roundRange, type Round } from './half';
import { halfActivation } from './half-activations';
import { RunError } from './errors';
import { addVecMat } from './linalg';
import type { ActivationLayer, DenseLayer, EmbeddingLayer, HardSigmoidFlavor } from './model';
import { allocate, indicesOf, shapeText, sizeOf, type Precision, type Tensor } from './tensor';

/** `half`: a float16 / bfloat16 layer (precision float32): kernel and bias rounded, x·K summed in float32 then rounded, each op after it rounded. */
export function applyDense(layer: DenseLayer, x: Tensor, precision: Precision, hardSigmoid: HardSigmoidFlavor, half?: Round): Tensor {
  const inputs = layer.kernel.shape[0]!;
  const last = x.shape[x.shape.length - 1];
  if (last !== inputs) {
    throw new RunError(
      `layer "${layer.name}" (Dense) expects ${inputs} values on the last axis; got input of shape ${shapeText(x.shape)}`,
    );
  }
  const rows = x.data.length / inputs;
  const units = layer.units;
  const kernel = allocate(layer.kernel.data.length, precision);
  kernel.set(layer.kernel.data);
  if (half) roundRange(kernel, 0, kernel.length, half);
  const out = allocate(rows * units, precision);
  for (let r = 0; r < rows; r++) addVecMat(out, r * units, x.data, r * inputs, inputs, kernel, units, 0, units);
  if (half) roundRange(out, 0, out.length, half);
  if (layer.bias) {
    const bias = layer.bias.data;
    const b = half ? (j: number) => half(bias[j]!) : (j: number) => bias[j]!;
    for (let r = 0; r < rows; r++) for (let j = 0; j < units; j++) out[r * units + j] += b(j);
    if (half) roundRange(out, 0, out.length, half);
  }
  const act = half ? halfActivation(layer.activation, hardSigmoid, half) : activation(layer.activation, hardSigmoid);
  for (let r = 0; r < rows; r++) act(out, r * units, units);
  return { shape: [...x.shape.slice(0, -1), units], data: out };
}

export function applyActivation(layer: ActivationLayer, x: Tensor, hardSigmoid: HardSigmoidFlavor, half?: Round): Tensor {
  const data = x.data.slice();
  const n = x.shape[x.shape.length - 1] ?? 1;
  const act = half ? halfActivation(layer.activation, hardSigmoid, half) : activation(layer.activation, hardSigmoid);
  for (let off = 0; off < data.length; off += n) act(data, off, n);
  return { shape: [...x.shape], data };
}

export function applyFlatten(x: Tensor): Tensor {
  return { shape: [x.shape[0]!, sizeOf(x.shape.slice(1))], data: x.data };
}

/**
 * Token ids → vectors: [batch, time] → [batch, time, dim]; with mask_zero, id 0 marks padding. Several ids per step
 * ([batch, time, k], categorical features) give [batch, time, k, dim], as Keras's take() does.
 */
export function applyEmbedding(
  layer: EmbeddingLayer,
  x: Tensor,
  precision: Precision,
): { output: Tensor; mask: Uint8Array | null } {
  // Keras also accepts [batch, time, 1] id tensors for a model declared on [batch, time]; the 1 carries nothing.
  const shape = x.shape.length === 3 && x.shape[2] === 1 ? x.shape.slice(0, 2) : x.shape;
  if (shape.length < 2) {
    throw new RunError(
      `layer "${layer.name}" (Embedding) expects token ids of shape [batch, time]; got ${shapeText(x.shape)}`,
      'an Embedding model takes integer ids, one per time step',
    );
  }
  if (shape.length > 2 && layer.maskZero) {
    throw new RunError(
      `layer "${layer.name}" (Embedding, mask_zero) reads ${shapeText(x.shape)}: a mask over several ids per step is not supported`,
      'give the Embedding one id per time step, or mask_zero=False',
    );
  }
  const n = sizeOf(shape);
  const dim = layer.outputDim;
  const out = allocate(n * dim, precision);
  const mask = layer.maskZero ? new Uint8Array(n) : null;
  const table = layer.embeddings.data;
  for (let k = 0; k < n; k++) {
    const id = x.data[k]!;
    if (!Number.isInteger(id) || id < 0 || id >= layer.inputDim) {
      throw new RunError(
        `input${indicesOf(shape, k).map((i) => `[${i}]`).join('')} is ${id}, not a token id of layer "${layer.name}" (Embedding): expected an integer in 0..${layer.inputDim - 1}`,
      );
    }
    out.set(table.subarray(id * dim, (id + 1) * dim), k * dim);
    if (mask) mask[k] = id === 0 ? 0 : 1;
  }
  return { output: { shape: [...shape, dim], data: out }, mask };
}
