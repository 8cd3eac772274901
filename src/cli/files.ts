/** What the CLI writes: results go to --out without replacing an existing file unless the user said --force. */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';

export class UsageError extends Error {}

/**
 * One synchronous write: the CLI has nothing else to do meanwhile, and fs/promises would pass a large output to the
 * thread pool in 512 KB pieces. Without --force the flag 'wx' refuses an existing file in the call that creates it.
 */
export async function writeOutput(path: string, text: string, force: boolean): Promise<void> {
  try {
    writeFileSync(path, text, { flag: force ? 'w' : 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    throw new UsageError(`${path} exists; not overwriting it (pass --force to replace ${basename(path)})`);
  }
}

/** A file the system would not read (missing, a directory, no permission), in the user's words. */
export function fileSystemProblem(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  const what: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'is a directory', EACCES: 'permission denied', ENOTDIR: 'a folder on the path is a file' };
  return err && typeof err.code === 'string' && what[err.code] && err.path ? `cannot read ${err.path}: ${what[err.code]}` : undefined;
}
