/**
 * The activation functions the recurrent operators accept by name (ONNX spec, "Equation" section of LSTM/GRU/RNN),
 * with onnxruntime's rule for `activation_alpha` / `activation_beta`: walking the activation list in order, each
 * function that takes an alpha (beta) consumes the next value of the list, or its default when the list has run out.
 * Names are matched case-insensitively, as onnxruntime does.
 */

export interface RecurrentActivation {
  /** The name as written in the file. */
  name: string;
  alpha: number;
  beta: number;
  apply(x: number): number;
  /** The engine's (Keras's) name when the function needs no alpha or beta and the engine has it, else undefined. */
  engineName: string | undefined;
}

interface Known {
  /** How many of alpha, beta it consumes. */
  uses: [alpha: boolean, beta: boolean];
  /** Defaults when the lists run out (undefined: the value is required). */
  defaults: [alpha: number | undefined, beta: number | undefined];
  make(alpha: number, beta: number): (x: number) => number;
  engineName?: string;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const KNOWN: Readonly<Record<string, Known>> = {
  sigmoid: { uses: [false, false], defaults: [0, 0], make: () => sigmoid, engineName: 'sigmoid' },
  tanh: { uses: [false, false], defaults: [0, 0], make: () => Math.tanh, engineName: 'tanh' },
  relu: { uses: [false, false], defaults: [0, 0], make: () => (x) => (x > 0 ? x : 0), engineName: 'relu' },
  affine: { uses: [true, true], defaults: [undefined, undefined], make: (a, b) => (x) => a * x + b },
  leakyrelu: { uses: [true, false], defaults: [0.01, 0], make: (a) => (x) => (x >= 0 ? x : a * x) },
  thresholdedrelu: { uses: [true, false], defaults: [1, 0], make: (a) => (x) => (x > a ? x : 0) },
  scaledtanh: { uses: [true, true], defaults: [undefined, undefined], make: (a, b) => (x) => a * Math.tanh(b * x) },
  hardsigmoid: { uses: [true, true], defaults: [0.2, 0.5], make: (a, b) => (x) => Math.max(0, Math.min(1, a * x + b)) },
  elu: { uses: [true, false], defaults: [1, 0], make: (a) => (x) => (x >= 0 ? x : a * Math.expm1(x)) },
  softsign: { uses: [false, false], defaults: [0, 0], make: () => (x) => x / (1 + Math.abs(x)) },
  softplus: { uses: [false, false], defaults: [0, 0], make: () => (x) => Math.log1p(Math.exp(x)) },
};

export const ACTIVATION_NAMES = ['Relu', 'Tanh', 'Sigmoid', 'Affine', 'LeakyRelu', 'ThresholdedRelu', 'ScaledTanh', 'HardSigmoid', 'Elu', 'Softsign', 'Softplus'];

/** Why a list of activations cannot be used; the caller turns it into a LoadError on the attribute. */
export class ActivationListError extends Error {}

export function resolveActivations(names: readonly string[], alphas: readonly number[], betas: readonly number[]): RecurrentActivation[] {
  let ai = 0;
  let bi = 0;
  return names.map((name) => {
    const k = KNOWN[name.toLowerCase()];
    if (!k) throw new ActivationListError(`unknown activation "${name}" (known: ${ACTIVATION_NAMES.join(', ')})`);
    const take = (uses: boolean, list: readonly number[], at: number, fallback: number | undefined, what: string): [number, number] => {
      if (!uses) return [0, at];
      if (at < list.length) return [list[at]!, at + 1];
      if (fallback === undefined) throw new ActivationListError(`activation ${name} needs an ${what} value in activation_${what}`);
      return [fallback, at];
    };
    const [alpha, nextA] = take(k.uses[0], alphas, ai, k.defaults[0], 'alpha');
    const [beta, nextB] = take(k.uses[1], betas, bi, k.defaults[1], 'beta');
    ai = nextA;
    bi = nextB;
    return { name, alpha, beta, apply: k.make(alpha, beta), engineName: k.engineName };
  });
}
