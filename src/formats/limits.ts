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
  // ---- work budgets: what a load or a run may *do*, checked before it starts (a small file can ask for much) ----
  /** Most values a load or a run allocates in all (weights, a custom cell's derived arrays, inputs, outputs, traces). */
  maxAllocatedElements: number;
  /** Most cell steps one run makes: batch items × time steps × predict calls. */
  maxRunSteps: number;
  /** Most bytes decoded (decompressed) from one HDF5 file, all chunks of all datasets together. */
  maxDecodedBytes: number;
  /** Most HDF5 objects (groups, datasets, B-tree nodes) one load visits. */
  maxHdf5Objects: number;
}

export const DEFAULT_LIMITS: Readonly<LoadLimits> = Object.freeze({
  maxFileBytes: 512 * 1024 ** 2,
  maxElements: 2 ** 28,
  maxSequenceLength: 1_000_000,
  maxAllocatedElements: 2 ** 26,
  maxRunSteps: 100_000_000,
  maxDecodedBytes: 512 * 1024 ** 2,
  maxHdf5Objects: 100_000,
});

/** The VS Code setting behind each limit (the file-size one is in megabytes). */
export const LIMIT_SETTINGS: Readonly<Record<keyof LoadLimits, string>> = Object.freeze({
  maxFileBytes: 'cellscope.limits.maxFileMegabytes',
  maxElements: 'cellscope.limits.maxElements',
  maxSequenceLength: 'cellscope.limits.maxSequenceLength',
  maxAllocatedElements: 'cellscope.limits.maxAllocatedElements',
  maxRunSteps: 'cellscope.limits.maxRunSteps',
  maxDecodedBytes: 'cellscope.limits.maxDecodedMegabytes',
  maxHdf5Objects: 'cellscope.limits.maxHdf5Objects',
});

/** The settings as package.json declares them (`cellscope.limits.maxFileMegabytes` etc.), all optional. */
export interface LimitSettings {
  maxFileMegabytes?: unknown;
  maxElements?: unknown;
  maxSequenceLength?: unknown;
  maxAllocatedElements?: unknown;
  maxRunSteps?: unknown;
  maxDecodedMegabytes?: unknown;
  maxHdf5Objects?: unknown;
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
    maxAllocatedElements: positive(limits.maxAllocatedElements) ?? DEFAULT_LIMITS.maxAllocatedElements,
    maxRunSteps: positive(limits.maxRunSteps) ?? DEFAULT_LIMITS.maxRunSteps,
    maxDecodedBytes: positive(limits.maxDecodedBytes) ?? DEFAULT_LIMITS.maxDecodedBytes,
    maxHdf5Objects: positive(limits.maxHdf5Objects) ?? DEFAULT_LIMITS.maxHdf5Objects,
  };
}

/** From the `cellscope.limits` settings object (what `workspace.getConfiguration('cellscope.limits')` gives). */
export function limitsFromSettings(s: LimitSettings | undefined): LoadLimits {
  const mb = positive(s?.maxFileMegabytes);
  const decoded = positive(s?.maxDecodedMegabytes);
  const whole = (v: unknown) => (positive(v) !== undefined ? Math.floor(v as number) : undefined);
  const given = <K extends keyof LoadLimits>(key: K, v: number | undefined): Partial<LoadLimits> => (v !== undefined ? { [key]: v } : {});
  return resolveLimits({
    ...given('maxAllocatedElements', whole(s?.maxAllocatedElements)),
    ...given('maxRunSteps', whole(s?.maxRunSteps)),
    ...given('maxHdf5Objects', whole(s?.maxHdf5Objects)),
    ...given('maxDecodedBytes', decoded !== undefined ? Math.floor(decoded * 1024 ** 2) : undefined),
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

export function refuse(where: LimitWhere, key: keyof LoadLimits, limit: number, what: string, found: string): never {
  const setting = LIMIT_SETTINGS[key];
  const shown = key === 'maxFileBytes' || key === 'maxDecodedBytes' ? `${megabytes(limit)} MB` : String(limit);
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

/**
 * A work budget spent as the work goes, refused before the step that would pass it: `spend(n)` throws the LoadError
 * of refuse() (naming the budget and its setting) when the total would exceed the limit.
 */
export class Budget {
  spent = 0;
  constructor(
    readonly key: keyof LoadLimits,
    readonly limit: number,
    /** What is counted, for the message: "values allocated", "bytes decoded", "HDF5 objects visited". */
    readonly what: string,
  ) {}
  spend(n: number, where: LimitWhere): void {
    const total = this.spent + n;
    if (!(total <= this.limit)) refuse(where, this.key, this.limit, `at most ${this.limit} ${this.what} in one load`, `${Number.isFinite(total) ? total : n} ${this.what} (so far and for this step)`);
    this.spent = total;
  }
}
