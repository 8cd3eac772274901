/**
 * Activation names as Keras configs write them: a string (Keras 2), a serialized function object (Keras 3),
 * or None for linear.
 */
import { describeValue } from './load-error';
import { fail, isObject, type At } from './json-read';

/** The activations the engine implements (kept here so loaders validate against the documented list). */
export const KNOWN_ACTIVATIONS: readonly string[] = [
  'tanh', 'sigmoid', 'hard_sigmoid', 'relu', 'linear', 'elu', 'selu', 'softsign', 'softplus', 'exponential',
  'swish', 'silu', 'gelu', 'softmax', 'relu6', 'leaky_relu', 'mish', 'log_softmax', 'hard_silu', 'hard_swish',
];

/** `undefined` (key missing) gives the Keras default; null / "None" mean no activation. */
export function readActivation(v: unknown, where: At, fallback: string, subject: string): string {
  if (v === undefined) return fallback;
  let name: unknown = v;
  // Keras 3: {"module": "keras.activations", "class_name": "function", "config": "tanh", "registered_name": "function"}
  if (isObject(v)) name = typeof v.config === 'string' ? v.config : v.class_name;
  if (name === null || name === 'None') return 'linear';
  if (typeof name === 'string' && KNOWN_ACTIVATIONS.includes(name)) return name;
  return fail(where, `one of the known activations: ${KNOWN_ACTIVATIONS.join(', ')}`, describeValue(name), {
    subject,
    hint: 'custom activation functions cannot be reproduced; rebuild the layer with a built-in activation',
  });
}
