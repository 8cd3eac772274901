/** What the CLI writes: results go to --out without replacing an existing file unless the user said --force. */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';

export class UsageError extends Error {}

export async function writeOutput(path: string, text: string, force: boolean): Promise<void> {
  if (existsSync(path) && !force) {
    throw new UsageError(`${path} exists; not overwriting it (pass --force to replace ${basename(path)})`);
  }
  await writeFile(path, text);
}

/** A file the system would not read (missing, a directory, no permission), in the user's words. */
export function fileSystemProblem(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  const what: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'is a directory', EACCES: 'permission denied', ENOTDIR: 'a folder on the path is a file' };
  return err && typeof err.code === 'string' && what[err.code] && err.path ? `cannot read ${err.path}: ${what[err.code]}` : undefined;
}
