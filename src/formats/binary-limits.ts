/**
 * Sizes a binary model file may declare before Cellscope allocates memory for them. A file states how big its
 * parts are (a zip member's uncompressed size, an HDF5 dataset's shape, a TF.js manifest's weight shapes) before
 * any byte is read; a corrupt or hostile file can claim gigabytes. These limits are far above any recurrent
 * network Cellscope can step through interactively, and are checked before anything is allocated.
 */
import { LoadError, type JsonPath } from './load-error';

/** One tensor, one zip member or one shard group: 1 GiB. */
export const MAX_DECLARED_BYTES = 1024 ** 3;

/** A Keras config.json / metadata.json / model_config: 64 MiB of JSON is already absurd for a layer list. */
export const MAX_JSON_MEMBER_BYTES = 64 * 1024 ** 2;

export function bytesText(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** Throws before allocation when `declared` exceeds `limit`. */
export function checkDeclaredSize(
  declared: number,
  what: string,
  where: { file: string; path: JsonPath; subject?: string },
  limit = MAX_DECLARED_BYTES,
): void {
  if (Number.isFinite(declared) && declared >= 0 && declared <= limit) return;
  throw new LoadError({
    file: where.file,
    path: where.path,
    ...(where.subject ? { subject: where.subject } : {}),
    expected: `${what} of at most ${bytesText(limit)} (Cellscope's limit for one part of a model file)`,
    found: Number.isFinite(declared) && declared >= 0 ? `a declared size of ${bytesText(declared)} (${declared} bytes)` : `an invalid declared size ${declared}`,
    hint: 'the file is corrupt, or the model is far larger than Cellscope can step through (this fixed limit comes on top of the settings cellscope.limits.maxFileMegabytes and cellscope.limits.maxElements)',
  });
}
