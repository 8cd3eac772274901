/**
 * The fast road through a large export JSON. Such a file is a few KB of config and tens of MB of
 * `"weights": [[...numbers...], ...]`; JSON.parse of it builds millions of JS numbers in nested arrays that are
 * then copied into Float64Arrays, after the whole file was decoded as UTF-8 (a 58 MB IMDB BiLSTM: ~1.7 s). Here
 * the top-level `weights` array is read straight from the bytes into one Float64Array per weight, and only the rest
 * of the file goes through parseJsonText. Any surprise (a ragged or non-numeric array, NaN, a string escape in a
 * key, a syntax error) gives up: the caller then parses the whole text as before, whose errors name the place.
 *
 * Numbers are converted exactly as JSON.parse converts them (the nearest double): up to 15 significant digits with
 * a power of ten ≤ 22 by one IEEE operation (exact inputs, one rounding); longer ones (Python writes float32
 * weights as 17 digits) in double-double arithmetic, ~2⁻¹⁰⁴ from the true value, rounded once; a result whose
 * residue falls near a rounding midpoint, and anything unusual, is handed to Number() itself.
 */
import { tensor, type Tensor } from '../engine/tensor';
import { decodeUtf8, parseJsonText } from './json-text';

/** Below this many bytes the ordinary parse is quick enough. */
export const FAST_WEIGHTS_MIN_BYTES = 1 << 20;

const PREPARSED = Symbol('cellscope.preparsedArray');

/** An array already read into a tensor, standing where its nested lists were in the document. */
export interface PreparsedArray {
  [PREPARSED]: Tensor;
}

export function preparsedTensor(v: unknown): Tensor | undefined {
  return typeof v === 'object' && v !== null && PREPARSED in v ? (v as PreparsedArray)[PREPARSED] : undefined;
}

class GiveUp extends Error {}

/**
 * The document with its top-level `weights` read on the fast road (each array a PreparsedArray), or undefined when
 * that road does not apply: the caller parses the whole text then (and reports what is wrong with it).
 */
export function parseWithPreparsedWeights(bytes: Uint8Array, file: string): unknown {
  const fast = readTopLevelNumberArrays(bytes, 'weights');
  if (!fast) return undefined;
  let doc: unknown;
  try {
    doc = parseJsonText(`${decodeUtf8(bytes.subarray(0, fast.start))}[]${decodeUtf8(bytes.subarray(fast.end))}`, file);
  } catch {
    return undefined; // its positions would be those of the shortened text: the whole parse reports the error
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { weights?: unknown }).weights)) return undefined;
  (doc as { weights: PreparsedArray[] }).weights = fast.tensors.map((t) => ({ [PREPARSED]: t }));
  return doc;
}

/**
 * The top-level value of `key` (an array of numeric arrays) read into tensors, and the byte range it took; undefined
 * when the document does not start as an object holding that key as a plain array of number arrays.
 */
export function readTopLevelNumberArrays(bytes: Uint8Array, key: string): { tensors: Tensor[]; start: number; end: number } | undefined {
  try {
    const r = new Reader(bytes);
    r.skipBom();
    r.ws();
    r.expect(0x7b);
    r.ws();
    if (r.peek() === 0x7d) return undefined;
    for (;;) {
      r.ws();
      const name = r.key();
      r.ws();
      r.expect(0x3a);
      r.ws();
      if (name === key && r.peek() === 0x5b) {
        const start = r.i;
        const tensors = r.arrayOfArrays();
        return { tensors, start, end: r.i };
      }
      r.skipValue();
      r.ws();
      const c = r.next();
      if (c === 0x7d) return undefined;
      if (c !== 0x2c) throw new GiveUp();
    }
  } catch (e) {
    // RangeError: an array too large to hold here; the ordinary road has its own limits and messages for that.
    if (e instanceof GiveUp || e instanceof RangeError) return undefined;
    throw e;
  }
}

const EXACT_POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const SPLITTER = 134217729; // 2^27 + 1, Dekker's split

class Reader {
  i = 0;
  private buf: Float64Array = new Float64Array(1 << 16);
  constructor(private readonly b: Uint8Array) {}

  peek(): number {
    return this.i < this.b.length ? this.b[this.i]! : -1;
  }
  next(): number {
    if (this.i >= this.b.length) throw new GiveUp();
    return this.b[this.i++]!;
  }
  expect(c: number): void {
    if (this.next() !== c) throw new GiveUp();
  }
  skipBom(): void {
    if (this.b[0] === 0xef && this.b[1] === 0xbb && this.b[2] === 0xbf) this.i = 3;
  }
  ws(): void {
    const b = this.b;
    let i = this.i;
    while (i < b.length) {
      const c = b[i]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.i = i;
  }
  /** A key without escapes (ASCII or UTF-8 bytes compared as Latin-1: only equality with an ASCII name matters). */
  key(): string {
    this.expect(0x22);
    const from = this.i;
    for (;;) {
      const c = this.next();
      if (c === 0x5c) throw new GiveUp();
      if (c === 0x22) break;
    }
    // Only equality with a short ASCII name matters; a long key (hostile or not) is simply not it.
    return this.i - 1 - from > 64 ? '' : String.fromCharCode(...this.b.subarray(from, this.i - 1));
  }
  /** Skips any JSON value (strings with escapes, nesting), checking only the structure. */
  skipValue(): void {
    let depth = 0;
    do {
      const c = this.next();
      if (c === 0x22) {
        for (;;) {
          const d = this.next();
          if (d === 0x5c) this.i++;
          else if (d === 0x22) break;
        }
      } else if (c === 0x5b || c === 0x7b) depth++;
      else if (c === 0x5d || c === 0x7d) {
        if (--depth < 0) throw new GiveUp();
      } else if (depth === 0) {
        // A scalar at the top: runs to the next delimiter.
        while (this.i < this.b.length && !isDelimiter(this.b[this.i]!)) this.i++;
      }
    } while (depth > 0);
  }

  /** `[ a, b, ... ]` where each item is a (nested) array of numbers: one tensor each. */
  arrayOfArrays(): Tensor[] {
    const out: Tensor[] = [];
    this.expect(0x5b);
    this.ws();
    if (this.peek() === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.numberArray());
      this.ws();
      const c = this.next();
      if (c === 0x5d) return out;
      if (c !== 0x2c) throw new GiveUp();
    }
  }

  /** One rectangular nested array of numbers (a bare scalar or an empty array: the slow road reads those). */
  private numberArray(): Tensor {
    const r = readNumberArray(this.b, this.i, this.buf);
    this.buf = r.buf;
    this.i = r.end;
    return tensor(r.shape, r.buf.slice(0, r.n));
  }
}

/**
 * One loop over the bytes of `[[...], ...]` (locals only: a CLI run ends before V8 would optimise a method-heavy
 * reader). `counts[d]`: items so far in the open array at depth d; `shape[d]`: the length every array there must have.
 */
function readNumberArray(b: Uint8Array, start: number, scratch: Float64Array): { shape: number[]; buf: Float64Array; n: number; end: number } {
  let buf: Float64Array = scratch;
  let n = 0;
  let i = start;
  const len = b.length;
  const shape = new Int32Array(33).fill(-1);
  const counts = new Int32Array(33);
  let rank = -1;
  let depth = 0;
  for (;;) {
    // At the start of an item (or the whole array).
    while (i < len && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
    let c: number = b[i]!;
    if (c === 0x5b) {
      if (depth >= 32 || (rank >= 0 && depth >= rank)) throw new GiveUp();
      i++;
      counts[depth++] = 0;
      continue;
    }
    if (depth === 0 || (rank >= 0 && depth !== rank)) throw new GiveUp();
    rank = depth;
    // A number, parsed in place: sign, digits (the first 15 significant in hi, 4 more in lo), fraction, exponent.
    const from = i;
    let neg = false;
    if (c === 0x2d) {
      neg = true;
      c = b[++i]!;
    }
    let hi = 0;
    let lo = 0;
    let sig = 0;
    let loDigits = 0;
    let scale = 0;
    if (c === 0x30) c = b[++i]!;
    else if (c > 0x30 && c <= 0x39) {
      while (c >= 0x30 && c <= 0x39) {
        if (sig < 15) hi = hi * 10 + (c - 0x30);
        else if (sig < 19) {
          lo = lo * 10 + (c - 0x30);
          loDigits++;
        } else scale++;
        sig++;
        c = b[++i]!;
      }
    } else throw new GiveUp();
    if (c === 0x2e) {
      c = b[++i]!;
      const fracFrom = i;
      while (c >= 0x30 && c <= 0x39) {
        if (sig === 0 && c === 0x30) scale--;
        else {
          if (sig < 15) {
            hi = hi * 10 + (c - 0x30);
            scale--;
          } else if (sig < 19) {
            lo = lo * 10 + (c - 0x30);
            loDigits++;
            scale--;
          }
          sig++;
        }
        c = b[++i]!;
      }
      if (i === fracFrom) throw new GiveUp();
    }
    if (c === 0x65 || c === 0x45) {
      c = b[++i]!;
      let eneg = false;
      if (c === 0x2b || c === 0x2d) {
        eneg = c === 0x2d;
        c = b[++i]!;
      }
      const expFrom = i;
      let e = 0;
      while (c >= 0x30 && c <= 0x39) {
        if (e < 100000) e = e * 10 + (c - 0x30);
        c = b[++i]!;
      }
      if (i === expFrom) throw new GiveUp();
      scale += eneg ? -e : e;
    }
    let v: number;
    if (sig === 0) v = 0;
    else if (sig <= 15 && scale >= -22 && scale <= 22) v = scale >= 0 ? hi * EXACT_POW10[scale]! : hi / EXACT_POW10[-scale]!;
    else v = (sig <= 19 ? nearest(hi, lo, loDigits, scale) : undefined) ?? slow(b, neg ? from + 1 : from, i);
    if (n === buf.length) {
      const grown = new Float64Array(buf.length * 2);
      grown.set(buf);
      buf = grown;
    }
    buf[n++] = neg ? -v : v;
    counts[depth - 1]++;
    // After an item: a comma (next item) or closing brackets, each closing array checked against its siblings.
    for (;;) {
      while (i < len && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
      c = b[i++]!;
      if (c === 0x2c) break;
      if (c !== 0x5d) throw new GiveUp();
      const d = depth - 1;
      if (shape[d] === -1) shape[d] = counts[d]!;
      else if (shape[d] !== counts[d]) throw new GiveUp();
      depth = d;
      if (depth === 0) {
        const dims = Array.from(shape.subarray(0, rank));
        if (dims.reduce((p, x) => p * x, 1) !== n) throw new GiveUp();
        return { shape: dims, buf, n, end: i };
      }
      counts[depth - 1]++;
    }
  }
}

function isDelimiter(c: number): boolean {
  return c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Number() of the digits (no sign) from..to: for what the exact paths leave. */
function slow(b: Uint8Array, from: number, to: number): number {
  if (to - from > 1000) throw new GiveUp(); // a thousand-digit number: JSON.parse's business
  const v = Number(String.fromCharCode(...b.subarray(from, to)));
  if (Number.isNaN(v)) throw new GiveUp();
  return v;
}

// ---------------------------------------------------------------------------------------------- double-double

/** 10^k as hi + lo (|lo| ≤ ulp(hi)/2), exact to ~2⁻¹⁰⁶, for k in [POW_MIN, POW_MAX]; computed once with BigInt. */
const POW_MIN = -64;
const POW_MAX = 64;
let powTable: Float64Array | undefined;

function pow10dd(k: number): number {
  if (!powTable) {
    powTable = new Float64Array(2 * (POW_MAX - POW_MIN + 1));
    for (let e = POW_MIN; e <= POW_MAX; e++) {
      const j = 2 * (e - POW_MIN);
      const hi = Number(`1e${e}`);
      // hi = m · 2^q exactly; the remainder 10^e − hi as a fraction of BigInts, rounded once.
      let q = Math.floor(Math.log2(hi)) - 52;
      while (hi / 2 ** q >= 2 ** 53) q++;
      while (hi / 2 ** q < 2 ** 52) q--;
      const m = BigInt(hi / 2 ** q);
      let lo: number;
      if (e >= 0) {
        const exact = 10n ** BigInt(e);
        lo = q >= 0 ? Number(exact - (m << BigInt(q))) : Number(exact * (1n << BigInt(-q)) - m) * 2 ** q;
      } else {
        // 10^e − m·2^q = (2^-q − m·10^-e) · 2^q / 10^-e
        const p = 10n ** BigInt(-e);
        lo = (Number((1n << BigInt(-q)) - m * p) * 2 ** q) / Number(p);
      }
      powTable[j] = hi;
      powTable[j + 1] = lo;
    }
  }
  return 2 * (k - POW_MIN);
}

const word = new Float64Array(1);
/** The double's bits as two 32-bit words (little-endian: low word first), to step to its neighbour. */
const words = new Uint32Array(word.buffer);

/**
 * The double nearest to (hi · 10^loDigits + lo) · 10^scale, or undefined when it cannot be decided here (out of
 * the table's range, a subnormal or overflowing result, a residue too near a midpoint).
 */
function nearest(hi: number, lo: number, loDigits: number, scale: number): number | undefined {
  if (scale < POW_MIN || scale > POW_MAX) return undefined;
  // The significand exactly as mh + ml (< 2^64, so two doubles hold it): hi · 10^loDigits exactly (Dekker), plus lo.
  const k = EXACT_POW10[loDigits]!;
  const p0 = hi * k;
  let t = SPLITTER * hi;
  let ah = t - (t - hi);
  let al = hi - ah;
  t = SPLITTER * k;
  let bh = t - (t - k);
  let bl = k - bh;
  const p1 = ah * bh - p0 + ah * bl + al * bh + al * bl;
  const mh = p0 + lo;
  const bb = mh - p0;
  const ml = p1 + (p0 - (mh - bb) + (lo - bb));
  // Times 10^scale as ph + pl: mh · ph exactly, the cross terms in double.
  const j = pow10dd(scale);
  const ph = powTable![j]!;
  const pl = powTable![j + 1]!;
  const r = mh * ph;
  t = SPLITTER * mh;
  ah = t - (t - mh);
  al = mh - ah;
  t = SPLITTER * ph;
  bh = t - (t - ph);
  bl = ph - bh;
  const re = ah * bh - r + ah * bl + al * bh + al * bl + mh * pl + ml * ph;
  const v = r + re;
  if (!Number.isFinite(v) || Math.abs(v) < 2.2250738585072014e-308) return undefined;
  // The residue of rounding r + re to v, against half the gap to the neighbour on its side.
  const residue = re - (v - r);
  word[0] = v;
  if (residue > 0) {
    words[0] = (words[0]! + 1) >>> 0;
    if (words[0] === 0) words[1]!++;
  } else {
    if (words[0] === 0) words[1]!--;
    words[0] = (words[0]! - 1) >>> 0;
  }
  const half = Math.abs(word[0]! - v) / 2;
  const margin = Math.abs(v) * 2 ** -98;
  if (Math.abs(Math.abs(residue) - half) <= margin || Math.abs(residue) > half) return undefined;
  return v;
}
