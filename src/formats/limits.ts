/**
 * How big a file, an array or a sequence Cellscope agrees to load. A file declares sizes (a TF.js weight shape,
 * an HDF5 dataset's shape, a zip member's uncompressed size, an input's time steps) before any of it is read; a
 * corrupt or hostile file can claim gigabytes, so every loader checks the declaration against these limits before
 * it allocates, and a refusal names the setting that raises the limit (`cellscope.limits.*` in VS Code).
 *
 * Every loader takes an optional `Partial<LoadLimits>`; what is left out keeps its default.
 */
import { LoadError, type JsonPath } from './load-error';

export interface LoadLimits {
  /** Largest file (a model, input or recording; a TF.js model's shards together), in bytes. */
  maxFileBytes: number;
  /** Most values one array (a weight, an input, a recorded output) may hold. */
  maxElements: number;
  /** Most time steps an input, a recording or a model's declared input shape may have. */
  maxSequenceLength: number;
}

export const DEFAULT_LIMITS: Readonly<LoadLimits> = Object.freeze({
  maxFileBytes: 512 * 1024 ** 2,
  maxElements: 2 ** 28,
  maxSequenceLength: 1_000_000,
});

/** The VS Code setting behind each limit (the file-size one is in megabytes). */
export const LIMIT_SETTINGS: Readonly<Record<keyof LoadLimits, string>> = Object.freeze({
  maxFileBytes: 'cellscope.limits.maxFileMegabytes',
  maxElements: 'cellscope.limits.maxElements',
  maxSequenceLength: 'cellscope.limits.maxSequenceLength',
});

/** The settings as package.json declares them (`cellscope.limits.maxFileMegabytes` etc.), all optional. */
export interface LimitSettings {
  maxFileMegabytes?: unknown;
  maxElements?: unknown;
  maxSequenceLength?: unknown;
}

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** Defaults filled in; a missing, non-numeric or non-positive value keeps the default. */
export function resolveLimits(limits?: Partial<LoadLimits>): LoadLimits {
  if (!limits) return { ...DEFAULT_LIMITS };
  return {
    maxFileBytes: positive(limits.maxFileBytes) ?? DEFAULT_LIMITS.maxFileBytes,
    maxElements: positive(limits.maxElements) ?? DEFAULT_LIMITS.maxElements,
    maxSequenceLength: positive(limits.maxSequenceLength) ?? DEFAULT_LIMITS.maxSequenceLength,
  };
}

/** From the `cellscope.limits` settings object (what `workspace.getConfiguration('cellscope.limits')` gives). */
export function limitsFromSettings(s: LimitSettings | undefined): LoadLimits {
  const mb = positive(s?.maxFileMegabytes);
  return resolveLimits({
    ...(mb !== undefined ? { maxFileBytes: Math.floor(mb * 1024 ** 2) } : {}),
    ...(positive(s?.maxElements) !== undefined ? { maxElements: Math.floor(s!.maxElements as number) } : {}),
    ...(positive(s?.maxSequenceLength) !== undefined ? { maxSequenceLength: Math.floor(s!.maxSequenceLength as number) } : {}),
  });
}

export interface LimitWhere {
  file: string;
  path: JsonPath;
  subject?: string;
}

function megabytes(bytes: number): string {
  const mb = bytes / 1024 ** 2;
  return Number.isInteger(mb) ? String(mb) : mb.toFixed(1);
}

function refuse(where: LimitWhere, key: keyof LoadLimits, limit: number, what: string, found: string): never {
  const setting = LIMIT_SETTINGS[key];
  const shown = key === 'maxFileBytes' ? `${megabytes(limit)} MB` : String(limit);
  throw new LoadError({
    file: where.file,
    path: where.path,
    ...(where.subject ? { subject: where.subject } : {}),
    expected: `${what} within ${setting} (${shown})`,
    found: `${found}, which exceeds ${setting} (${shown})`,
    hint: `raise the setting ${setting} if the file is what you meant to open; a corrupt file can also declare absurd sizes`,
  });
}

/** A file's (or a set of shards') byte count. */
export function checkFileBytes(bytes: number, where: LimitWhere, limits: LoadLimits, what = 'a file'): void {
  if (Number.isFinite(bytes) && bytes >= 0 && bytes <= limits.maxFileBytes) return;
  refuse(where, 'maxFileBytes', limits.maxFileBytes, what, Number.isFinite(bytes) && bytes >= 0 ? `${bytes} bytes (${megabytes(bytes)} MB)` : `an invalid size ${bytes}`);
}

/** The number of values a declared shape asks for; checked before anything of that size is allocated. */
export function checkElements(count: number, where: LimitWhere, limits: LoadLimits, what = 'an array'): void {
  if (Number.isFinite(count) && count >= 0 && count <= limits.maxElements) return;
  refuse(where, 'maxElements', limits.maxElements, `${what} of at most ${limits.maxElements} values`, Number.isFinite(count) && count >= 0 ? `${count} values` : `an invalid element count ${count}`);
}

/** Time steps of a sequence (an input's or recording's axis 1, a model's declared input length). */
export function checkSequenceLength(steps: number | null | undefined, where: LimitWhere, limits: LoadLimits, what = 'a sequence'): void {
  if (steps === null || steps === undefined || steps <= limits.maxSequenceLength) return;
  refuse(where, 'maxSequenceLength', limits.maxSequenceLength, `${what} of at most ${limits.maxSequenceLength} time steps`, `${steps} time steps`);
}

/** Product of a shape without overflow surprises (Infinity when it does not fit a double). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
