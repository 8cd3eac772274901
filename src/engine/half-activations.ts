/**
 * Keras's activations as JAX computes them on float16 / bfloat16 tensors (CPU): each primitive op in float32, its
 * result rounded to the 16-bit type. The forms below are the ones `jax.nn` lowers to (checked against Keras 3.15.1 in
 * test/engine/half-activations.test.ts); an activation not listed here is computed in double and rounded once.
 */
import { scalarActivation, UnknownActivationError, type VectorActivation } from './activations';
import type { HardSigmoidFlavor } from './hard-sigmoid';
import { roundFloat16, type Round } from './half';

type Scalar = (x: number) => number;

function halfScalars(round: Round): Record<string, Scalar> {
  // jax.nn.sigmoid = lax.logistic, expanded by XLA as 1 / (1 + exp(−x)), three rounded ops.
  const sigmoid: Scalar = (x) => round(1 / round(1 + round(Math.exp(-x))));
  // jax.nn.hard_sigmoid = relu6(x + 3) / 6. Measured: in float16 XLA multiplies by 1/6 rounded to float16, in
  // bfloat16 it divides (test/engine/half-activations.test.ts).
  const sixth = round(1 / 6);
  const hardSigmoid: Scalar =
    round === roundFloat16 ? (x) => round(Math.min(6, Math.max(0, round(x + 3))) * sixth) : (x) => round(Math.min(6, Math.max(0, round(x + 3))) / 6);
  return {
    linear: (x) => x,
    relu: (x) => (x > 0 ? x : 0),
    relu6: (x) => Math.min(6, Math.max(0, x)),
    tanh: (x) => round(Math.tanh(x)),
    sigmoid,
    hard_sigmoid: hardSigmoid,
    swish: (x) => round(x * sigmoid(x)),
    silu: (x) => round(x * sigmoid(x)),
    hard_silu: (x) => round(x * hardSigmoid(x)),
    hard_swish: (x) => round(x * hardSigmoid(x)),
  };
}

/** Whether `halfActivation` reproduces Keras's op-by-op rounding for this activation (else: computed, rounded once). */
export function halfActivationIsExact(name: string, hardSigmoid: HardSigmoidFlavor): boolean {
  return (name !== 'hard_sigmoid' || hardSigmoid === 'keras3') && name in halfScalars((x) => x);
}

/** The scalar form in half precision (undefined for softmax and log_softmax). */
export function halfScalarActivation(name: string, hardSigmoid: HardSigmoidFlavor, round: Round): Scalar | undefined {
  const exact = name === 'hard_sigmoid' && hardSigmoid === 'keras2' ? undefined : halfScalars(round)[name];
  if (exact) return exact;
  const f = scalarActivation(name, hardSigmoid);
  return f && ((x) => round(f(x)));
}

/**
 * Softmax as jax.nn.softmax lowers it for a 16-bit input: e = exp(x − max) rounded, the sum of e accumulated in
 * float32 and rounded, then e / sum rounded. (XLA's fusion keeps some exp values at float32 inside the sum: about one
 * value in five differs by one ulp from Keras; see docs/mixed-precision.md.)
 */
function halfSoftmax(round: Round, log: boolean): VectorActivation {
  return (v, offset, length) => {
    let max = -Infinity;
    for (let k = offset; k < offset + length; k++) if (v[k]! > max) max = v[k]!;
    let sum = 0;
    for (let k = offset; k < offset + length; k++) {
      const d = round(v[k]! - max);
      const e = round(Math.exp(d));
      if (log) v[k] = d;
      else v[k] = e;
      sum = Math.fround(sum + e);
    }
    const s = round(sum);
    const logSum = round(Math.log(s));
    for (let k = offset; k < offset + length; k++) v[k] = round(log ? v[k]! - logSum : v[k]! / s);
  };
}

export function halfActivation(name: string, hardSigmoid: HardSigmoidFlavor, round: Round): VectorActivation {
  if (name === 'softmax' || name === 'log_softmax') return halfSoftmax(round, name === 'log_softmax');
  const f = halfScalarActivation(name, hardSigmoid, round);
  if (!f) throw new UnknownActivationError(name);
  return (v, offset, length) => {
    for (let k = offset, end = offset + length; k < end; k++) v[k] = f(v[k]!);
  };
}
