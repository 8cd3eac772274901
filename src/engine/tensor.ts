/** Dense row-major numeric arrays: the one shape every file, input, output and weight is turned into. */

/** float64 is the default precision; float32 reproduces Keras's own float32 arithmetic. */
export type Precision = 'float64' | 'float32';

/** Rounds a scalar result to the run's precision: Keras's float32 rounds after every operation. */
export function rounding(precision: Precision): (x: number) => number {
  return precision === 'float32' ? Math.fround : (x: number) => x;
}

export type FloatArray = Float32Array | Float64Array;

export interface Tensor {
  /** Dimensions, outermost first (numpy order). */
  readonly shape: readonly number[];
  /** Row-major (C order, last index fastest), length = product of shape. */
  readonly data: FloatArray;
}

/** The per-axis indices of element `flat` of a row-major tensor of this shape. */
export function indicesOf(shape: readonly number[], flat: number): number[] {
  const indices = new Array<number>(shape.length);
  let rest = flat;
  for (let a = shape.length - 1; a >= 0; a--) {
    indices[a] = rest % shape[a]!;
    rest = Math.floor(rest / shape[a]!);
  }
  return indices;
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

/**
 * Arrays given back inside `reusingArrays`, by precision and length. Fresh memory is not free: every new page is a
 * fault the kernel zeroes, ~4 ms per MB of CPU measured on the dev VM (a `fill` of the same megabyte: 0.05 ms), so a
 * loop of same-shaped runs (integrated gradients' chunks: ~140 MB of trace each) runs faster on reused arrays.
 */
let pool: { lists: Map<string, FloatArray[]>; held: Set<ArrayBufferLike> } | null = null;
/** Arrays smaller than this are cheap to make (and many): never pooled. */
const POOL_MIN = 1 << 16;

/** `zeroed` = false: a caller that writes every value itself takes a reused array as it is (fresh ones are zeros). */
export function allocate(n: number, precision: Precision, zeroed = true): FloatArray {
  if (pool && n >= POOL_MIN) {
    const a = pool.lists.get(`${precision} ${n}`)?.pop();
    if (a) {
      pool.held.delete(a.buffer);
      return zeroed ? a.fill(0) : a;
    }
  }
  return precision === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/**
 * Runs `fn` with `recycle`, which hands arrays that nothing reads any more back to `allocate` (zeroed again when
 * reused). Only whole buffers are taken (never a view into a larger one) and each once; the pool ends with `fn`.
 */
export function reusingArrays<T>(fn: (recycle: (arrays: Iterable<FloatArray | null | undefined>) => void) => T): T {
  const outer = pool;
  const mine = outer ?? { lists: new Map<string, FloatArray[]>(), held: new Set<ArrayBufferLike>() };
  pool = mine;
  const recycle = (arrays: Iterable<FloatArray | null | undefined>) => {
    for (const a of arrays) {
      if (!a || a.length < POOL_MIN || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength || mine.held.has(a.buffer)) continue;
      mine.held.add(a.buffer);
      const key = `${a instanceof Float32Array ? 'float32' : 'float64'} ${a.length}`;
      const list = mine.lists.get(key) ?? [];
      list.push(a);
      mine.lists.set(key, list);
    }
  };
  try {
    return fn(recycle);
  } finally {
    pool = outer;
  }
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
