/**
 * Half-precision arithmetic as Keras runs it under a `float16` / `bfloat16` / `mixed_*` dtype policy (JAX on CPU,
 * measured in docs/mixed-precision.md): every operation is computed in float32 and its result rounded to the
 * 16-bit type, round to nearest, ties to even. A matrix product accumulates in float32 and rounds once at the end.
 * The values are kept in Float32Arrays (every float16 and bfloat16 value is a float32 value).
 */

/** The 16-bit compute dtype a layer's policy names. */
export type HalfDtype = 'float16' | 'bfloat16';

export type Round = (x: number) => number;

// Veltkamp's split: c − (c − x) with c = (2^42 + 1)·x keeps the upper 53 − 42 = 11 significant bits of x, rounded to
// nearest even; exact for float16's normal range (x is a float32, so no double rounding comes in).
const SPLIT16 = 2 ** 42 + 1;
const MIN_NORMAL16 = 2 ** -14;
// Below float16's normal range the quantum is fixed (2^-24): adding and removing 1.5·2^28 rounds to it in a double
// (the sum stays in [2^28, 2^29), where a double's ulp is 2^-24, whatever the sign of x).
const SUBNORMAL_SHIFT16 = 1.5 * 2 ** 28;
// The largest float16 is 65504; from 65520 (half its ulp above) everything rounds to infinity.
const OVERFLOW16 = 65520;

/** x rounded to float32, then to float16 (round to nearest even): numpy `np.float32(x).astype(np.float16)`. */
export function roundFloat16(v: number): number {
  const x = Math.fround(v);
  const a = Math.abs(x);
  if (!(a < OVERFLOW16)) return a === a ? (x > 0 ? Infinity : -Infinity) : NaN;
  if (a < MIN_NORMAL16) {
    const r = x + SUBNORMAL_SHIFT16 - SUBNORMAL_SHIFT16;
    return r === 0 ? x * 0 : r; // keeps the sign of a value that rounds to zero
  }
  const c = SPLIT16 * x;
  return c - (c - x);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** x rounded to float32, then to bfloat16 (round to nearest even, as XLA and ml_dtypes convert). */
export function roundBfloat16(v: number): number {
  f32[0] = v;
  const bits = u32[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x007fffff) return NaN;
  u32[0] = ((bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000) >>> 0;
  return f32[0]!;
}

export function halfRounding(dtype: HalfDtype): Round {
  return dtype === 'float16' ? roundFloat16 : roundBfloat16;
}

/** Rounds `a[off .. off+n)` in place. */
export function roundRange(a: Float32Array | Float64Array, off: number, n: number, round: Round): void {
  for (let k = off, end = off + n; k < end; k++) a[k] = round(a[k]!);
}
