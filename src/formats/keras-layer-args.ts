/** Reads of the small arguments layer configs share: `3` or `[3]` sizes, numbers with defaults, one-of strings. */
import { describeValue } from './load-error';
import { child, fail, type At } from './json-read';
import type { LayerHeader } from './keras-layer-json';

/** A size Keras accepts as `n` or `[n]` (1-D layers). */
export function readSize(h: LayerHeader, key: string, fallback?: number): number {
  const v = h.config[key] ?? fallback;
  const at = child(h.configAt, key);
  const n = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) fail(at, `a positive integer (or a list of one) for ${key} of layer "${h.name}"`, describeValue(v), { subject: `layer "${h.name}"` });
  return n;
}

export function readNumber(h: LayerHeader, key: string, fallback: number | null): number | null {
  const v = h.config[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(child(h.configAt, key), `a number for ${key} of layer "${h.name}"`, describeValue(v), { subject: `layer "${h.name}"` });
  return v;
}

export function readChoice<T extends string>(h: LayerHeader, key: string, choices: readonly T[], fallback: T): T {
  const v = h.config[key] ?? fallback;
  if (typeof v !== 'string' || !choices.includes(v.toLowerCase() as T)) {
    fail(child(h.configAt, key), `one of ${choices.map((c) => `"${c}"`).join(', ')} for ${key} of layer "${h.name}"`, describeValue(v), { subject: `layer "${h.name}"` });
  }
  return v.toLowerCase() as T;
}

/** Only channels_last is run; channels_first would need every kernel transposed. */
export function requireChannelsLast(h: LayerHeader): void {
  const v = h.config.data_format;
  if (v !== undefined && v !== null && v !== 'channels_last') {
    fail(child(h.configAt, 'data_format'), `data_format "channels_last" for layer "${h.name}"`, describeValue(v), {
      subject: `layer "${h.name}"`,
      hint: 'Cellscope runs channels_last convolutions and pooling; rebuild the layer with data_format="channels_last" (the default) and transpose the input',
    });
  }
}

export function pairOf(h: LayerHeader, key: string, fallback: number): [number, number] {
  const v = h.config[key] ?? fallback;
  const at: At = child(h.configAt, key);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) return [v[0] as number, v[1] as number];
  return fail(at, `an integer ≥ 0 or a pair [left, right] for ${key} of layer "${h.name}"`, describeValue(v), { subject: `layer "${h.name}"` });
}

/** A 2-D size Keras accepts as `n` or `[a, b]`. */
export function readSize2(h: LayerHeader, key: string, fallback?: number): [number, number] {
  const v = h.config[key] ?? fallback;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  if (ok(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  return fail(child(h.configAt, key), `a positive integer or a pair of them for ${key} of layer "${h.name}"`, describeValue(v), { subject: `layer "${h.name}"` });
}

/** An n-D size Keras accepts as `k` or a list of n (ConvLSTM1D/2D/3D, Conv3D). */
export function readSizes(h: LayerHeader, key: string, rank: number, fallback?: number): number[] {
  const v = h.config[key] ?? fallback;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  if (ok(v)) return new Array<number>(rank).fill(v);
  if (Array.isArray(v) && v.length === rank && v.every(ok)) return v as number[];
  return fail(child(h.configAt, key), `a positive integer or a list of ${rank} of them for ${key} of layer "${h.name}"`, describeValue(v), { subject: `layer "${h.name}"` });
}

/** channels_last (the default, also for null) or channels_first, for the layers that run both. */
export function readDataFormat(h: LayerHeader): 'channels_last' | 'channels_first' {
  const v = h.config.data_format;
  if (v === undefined || v === null) return 'channels_last';
  if (v !== 'channels_last' && v !== 'channels_first') fail(child(h.configAt, 'data_format'), `"channels_last" or "channels_first" for data_format of layer "${h.name}"`, describeValue(v), { subject: `layer "${h.name}"` });
  return v;
}
