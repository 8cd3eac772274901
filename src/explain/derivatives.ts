/**
 * The derivative of every activation the engine runs (src/engine/activations.ts), as a vector-Jacobian product:
 * given the values before the activation and the gradient after it, the gradient before it. Element-wise ones use
 * f'(x); softmax and log_softmax, which mix the slice, use their Jacobian through the output. Where a function has a
 * kink (relu at 0, the clips of hard_sigmoid and relu6) the value is JAX's: 0 at the kink, as jax.nn defines them.
 */
import erf from '@stdlib/math-base-special-erf';
import { UnknownActivationError } from '../engine/activations';
import type { HardSigmoidFlavor } from '../engine/model';
import type { FloatArray } from '../engine/tensor';

type Scalar = (x: number) => number;

const sigmoid: Scalar = (x) => 1 / (1 + Math.exp(-x));
const softplus: Scalar = (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

// Keras 3 hard_sigmoid is relu6(x + 3) / 6: slope 1/6 strictly inside (−3, 3); Keras 2's clip(0.2x + 0.5): 0.2 inside (−2.5, 2.5).
const dHardSigmoid3: Scalar = (x) => (x > -3 && x < 3 ? 1 / 6 : 0);
const dHardSigmoid2: Scalar = (x) => (x > -2.5 && x < 2.5 ? 0.2 : 0);
const hardSigmoid3: Scalar = (x) => Math.min(1, Math.max(0, x / 6 + 0.5));

/** f'(x) of every element-wise activation, by Keras name. */
const scalarDerivatives: Record<string, Scalar> = {
  linear: () => 1,
  tanh: (x) => {
    const t = Math.tanh(x);
    return 1 - t * t;
  },
  sigmoid: (x) => {
    const s = sigmoid(x);
    return s * (1 - s);
  },
  relu: (x) => (x > 0 ? 1 : 0),
  relu6: (x) => (x > 0 && x < 6 ? 1 : 0),
  leaky_relu: (x) => (x >= 0 ? 1 : 0.2),
  elu: (x) => (x > 0 ? 1 : Math.exp(x)),
  selu: (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)),
  softsign: (x) => 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x))),
  softplus: sigmoid,
  exponential: Math.exp,
  swish: (x) => {
    const s = sigmoid(x);
    return s + x * s * (1 - s);
  },
  silu: (x) => {
    const s = sigmoid(x);
    return s + x * s * (1 - s);
  },
  // d/dx ½x(1 + erf(x/√2)) = Φ(x) + x·φ(x).
  gelu: (x) => 0.5 * (1 + erf(x / Math.SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  // d/dx x·tanh(softplus(x)) = tanh(sp) + x·(1 − tanh²(sp))·sigmoid(x).
  mish: (x) => {
    const t = Math.tanh(softplus(x));
    return t + x * (1 - t * t) * sigmoid(x);
  },
  hard_silu: (x) => hardSigmoid3(x) + x * dHardSigmoid3(x),
  hard_swish: (x) => hardSigmoid3(x) + x * dHardSigmoid3(x),
};

/** f'(x) of an element-wise activation; undefined for softmax and log_softmax. */
export function scalarDerivative(name: string, hardSigmoid: HardSigmoidFlavor): Scalar | undefined {
  if (name === 'hard_sigmoid') return hardSigmoid === 'keras2' ? dHardSigmoid2 : dHardSigmoid3;
  return scalarDerivatives[name];
}

/**
 * dIn[k] (=, not +=) = Σ_j ∂f(pre)_j/∂pre_k · dOut[j] over one slice of `length` values. `pre` is read, never written.
 */
export type ActivationVjp = (pre: FloatArray, preOff: number, dOut: Float64Array, dOutOff: number, dIn: Float64Array, dInOff: number, length: number) => void;

function elementwiseVjp(d: Scalar): ActivationVjp {
  return (pre, preOff, dOut, dOutOff, dIn, dInOff, length) => {
    for (let k = 0; k < length; k++) dIn[dInOff + k] = dOut[dOutOff + k]! * d(pre[preOff + k]!);
  };
}

/** softmax: y = softmax(x); dx = y ⊙ (dy − ⟨dy, y⟩). */
const softmaxVjp: ActivationVjp = (pre, preOff, dOut, dOutOff, dIn, dInOff, length) => {
  let max = -Infinity;
  for (let k = 0; k < length; k++) max = Math.max(max, pre[preOff + k]!);
  let sum = 0;
  for (let k = 0; k < length; k++) sum += Math.exp(pre[preOff + k]! - max);
  let dot = 0;
  for (let k = 0; k < length; k++) dot += dOut[dOutOff + k]! * (Math.exp(pre[preOff + k]! - max) / sum);
  for (let k = 0; k < length; k++) dIn[dInOff + k] = (Math.exp(pre[preOff + k]! - max) / sum) * (dOut[dOutOff + k]! - dot);
};

/** log_softmax: y = x − logΣe^x; dx = dy − softmax(x)·Σdy. */
const logSoftmaxVjp: ActivationVjp = (pre, preOff, dOut, dOutOff, dIn, dInOff, length) => {
  let max = -Infinity;
  for (let k = 0; k < length; k++) max = Math.max(max, pre[preOff + k]!);
  let sum = 0;
  let total = 0;
  for (let k = 0; k < length; k++) {
    sum += Math.exp(pre[preOff + k]! - max);
    total += dOut[dOutOff + k]!;
  }
  for (let k = 0; k < length; k++) dIn[dInOff + k] = dOut[dOutOff + k]! - (Math.exp(pre[preOff + k]! - max) / sum) * total;
};

export function activationVjp(name: string, hardSigmoid: HardSigmoidFlavor): ActivationVjp {
  if (name === 'softmax') return softmaxVjp;
  if (name === 'log_softmax') return logSoftmaxVjp;
  const d = scalarDerivative(name, hardSigmoid);
  if (!d) throw new UnknownActivationError(name);
  return elementwiseVjp(d);
}
