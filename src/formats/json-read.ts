/**
 * Typed reads from parsed JSON that fail with a LoadError at the exact path, so no loader ever leaks a TypeError.
 */
import { LoadError, describeValue, type JsonPath, type LoadErrorDetails } from './load-error';

export interface At {
  file: string;
  path: JsonPath;
}

export function at(file: string, path: JsonPath): At {
  return { file, path };
}

export function child(where: At, ...keys: (string | number)[]): At {
  return { file: where.file, path: [...where.path, ...keys] };
}

export function fail(where: At, expected: string, found?: string, more: Partial<LoadErrorDetails> = {}): never {
  throw new LoadError({ file: where.file, path: where.path, expected, ...(found !== undefined ? { found } : {}), ...more });
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function readObject(v: unknown, where: At, what = 'an object'): Record<string, unknown> {
  if (!isObject(v)) fail(where, what, describeValue(v));
  return v;
}

export function readArray(v: unknown, where: At, what = 'an array'): unknown[] {
  if (!Array.isArray(v)) fail(where, what, describeValue(v));
  return v;
}

export function readString(v: unknown, where: At, what = 'a string'): string {
  if (typeof v !== 'string') fail(where, what, describeValue(v));
  return v;
}

export function readBool(v: unknown, where: At, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') fail(where, 'true or false', describeValue(v));
  return v;
}

export function readPositiveInt(v: unknown, where: At, what = 'a positive integer'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(where, what, describeValue(v));
  return v;
}

/** A shape like `[null, 10, 3]`: integers ≥ 0 or null for "any size". */
export function readDims(v: unknown, where: At): (number | null)[] {
  const arr = readArray(v, where, 'a shape: a list of sizes (integers or null)');
  return arr.map((d, i) => {
    if (d === null) return null;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) fail(child(where, i), 'a size (integer ≥ 0 or null)', describeValue(d));
    return d;
  });
}

export function keysText(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj);
  if (!keys.length) return 'an empty object';
  const shown = keys.slice(0, 8).map((k) => JSON.stringify(k)).join(', ');
  return `an object with keys ${shown}${keys.length > 8 ? `, … (${keys.length} keys)` : ''}`;
}
