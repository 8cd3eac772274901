/**
 * Keras's activation functions, by the names Keras writes in a config. Each acts in place on a slice of a vector,
 * because softmax needs the whole slice and the cells call them on gate blocks.
 */
import erf from '@stdlib/math-base-special-erf';
import type { HardSigmoidFlavor } from './hard-sigmoid';

/** Applies the activation to `v[offset .. offset+length)` in place. */
export type VectorActivation = (v: Float64Array | Float32Array, offset: number, length: number) => void;

type Scalar = (x: number) => number;

const sigmoid: Scalar = (x) => 1 / (1 + Math.exp(-x));
// Keras 2 (and tf.keras ≤ 2.15, TF.js): a steeper line; Keras 3: relu6(x + 3) / 6.
const hardSigmoidKeras2: Scalar = (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5));
const hardSigmoidKeras3: Scalar = (x) => Math.min(1, Math.max(0, x / 6 + 0.5));
// Stable for large |x|: log(1 + e^x) without overflow.
const softplus: Scalar = (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

const scalarActivations: Record<string, Scalar> = {
  linear: (x) => x,
  tanh: Math.tanh,
  sigmoid,
  relu: (x) => (x > 0 ? x : 0),
  relu6: (x) => Math.min(6, Math.max(0, x)),
  // Keras 3's default negative_slope (tf.keras's LeakyReLU layer used 0.3, but its activation function 0.2).
  leaky_relu: (x) => (x >= 0 ? x : 0.2 * x),
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  selu: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
  softsign: (x) => x / (1 + Math.abs(x)),
  softplus,
  exponential: Math.exp,
  swish: (x) => x * sigmoid(x),
  silu: (x) => x * sigmoid(x),
  // Keras's default is the exact form (approximate=False) in both Keras 2 and Keras 3.
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  mish: (x) => x * Math.tanh(softplus(x)),
  hard_silu: (x) => x * hardSigmoidKeras3(x),
  hard_swish: (x) => x * hardSigmoidKeras3(x),
};

function elementwise(f: Scalar): VectorActivation {
  return (v, offset, length) => {
    for (let k = offset, end = offset + length; k < end; k++) v[k] = f(v[k]!);
  };
}

/** Softmax over the slice, shifted by its max so large inputs do not overflow. */
const softmax: VectorActivation = (v, offset, length) => {
  let max = -Infinity;
  for (let k = offset; k < offset + length; k++) if (v[k]! > max) max = v[k]!;
  let sum = 0;
  for (let k = offset; k < offset + length; k++) {
    const e = Math.exp(v[k]! - max);
    v[k] = e;
    sum += e;
  }
  for (let k = offset; k < offset + length; k++) v[k] = v[k]! / sum;
};

const logSoftmax: VectorActivation = (v, offset, length) => {
  let max = -Infinity;
  for (let k = offset; k < offset + length; k++) if (v[k]! > max) max = v[k]!;
  let sum = 0;
  for (let k = offset; k < offset + length; k++) sum += Math.exp(v[k]! - max);
  const logSum = max + Math.log(sum);
  for (let k = offset; k < offset + length; k++) v[k] = v[k]! - logSum;
};

/** Every activation name the engine knows, in the order shown to users. */
export const ACTIVATION_NAMES: readonly string[] = [
  ...Object.keys(scalarActivations),
  'hard_sigmoid',
  'softmax',
  'log_softmax',
].sort();

export function isActivationName(name: string): boolean {
  return ACTIVATION_NAMES.includes(name);
}

export class UnknownActivationError extends Error {
  constructor(readonly activation: string) {
    super(`unknown activation "${activation}"; known: ${ACTIVATION_NAMES.join(', ')}`);
    this.name = 'UnknownActivationError';
  }
}

/** The scalar form, for element-wise activations only (undefined for softmax and log_softmax). */
export function scalarActivation(name: string, hardSigmoid: HardSigmoidFlavor): Scalar | undefined {
  if (name === 'hard_sigmoid') return hardSigmoid === 'keras2' ? hardSigmoidKeras2 : hardSigmoidKeras3;
  return scalarActivations[name];
}

export function activation(name: string, hardSigmoid: HardSigmoidFlavor): VectorActivation {
  if (name === 'softmax') return softmax;
  if (name === 'log_softmax') return logSoftmax;
  const f = scalarActivation(name, hardSigmoid);
  if (!f) throw new UnknownActivationError(name);
  return elementwise(f);
}
