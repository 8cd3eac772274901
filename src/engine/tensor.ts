/** Dense row-major numeric arrays: the one shape every file, input, output and weight is turned into. */

/** float64 is the default precision; float32 reproduces Keras's own float32 arithmetic. */
export type Precision = 'float64' | 'float32';

export type FloatArray = Float32Array | Float64Array;

export interface Tensor {
  /** Dimensions, outermost first (numpy order). */
  readonly shape: readonly number[];
  /** Row-major (C order, last index fastest), length = product of shape. */
  readonly data: FloatArray;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensor(shape: readonly number[], data: FloatArray): Tensor {
  if (sizeOf(shape) !== data.length) {
    throw new RangeError(`tensor of shape [${shape.join(', ')}] needs ${sizeOf(shape)} values, got ${data.length}`);
  }
  return { shape: [...shape], data };
}

export function zeros(shape: readonly number[], precision: Precision = 'float64'): Tensor {
  const n = sizeOf(shape);
  return { shape: [...shape], data: precision === 'float32' ? new Float32Array(n) : new Float64Array(n) };
}

export function allocate(n: number, precision: Precision): FloatArray {
  return precision === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** Copies `t` into the given precision (float32 rounds every value, as Keras's float32 weights are). */
export function withPrecision(t: Tensor, precision: Precision): Tensor {
  const data = allocate(t.data.length, precision);
  data.set(t.data);
  return { shape: [...t.shape], data };
}

export function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
