/**
 * What the CLI writes: results go to --out, a regular file, without replacing an existing one unless the user said
 * --force. Output is written in pieces as it is made (a trace of a million steps is far more text than one
 * JavaScript string may hold), and every failure of the user's path is a UsageError (exit 2, one line).
 */
import { closeSync, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { basename } from 'node:path';

export class UsageError extends Error {}

/** Where output goes, piece by piece; close() flushes. */
export interface OutputSink {
  write(text: string): void;
  close(): void;
}

/**
 * Bytes gathered before one write(2): big enough that a trace costs few system calls, small beside the output. One
 * buffer per sink, filled again after each write, so megabytes of output touch no fresh memory (on a VM a fresh page
 * costs ~10 µs: a joined string and a Buffer per megabyte made `cellscope run` of W1 fault in 23 MB to write 5 MB).
 */
const FLUSH_BYTES = 1 << 20;

/**
 * Opens --out. Without --force the flag 'wx' refuses an existing file in the call that creates it; with --force an
 * existing file or symbolic link is unlinked first and a new file created in its place (never written through the
 * link). Directories, devices, FIFOs and sockets are refused whatever the flags: --out names a file.
 */
export function openOutput(path: string, force: boolean): OutputSink {
  let kind: string | undefined;
  try {
    const st = lstatSync(path);
    kind = st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'a directory' : 'not a regular file (a device, FIFO or socket)';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(fileSystemProblem(e, path, 'write') ?? `cannot write ${path}`);
  }
  if (kind && kind !== 'file' && kind !== 'symlink') throw new UsageError(`cannot write ${path}: ${kind}; --out takes the name of a regular file`);
  if (kind && !force) throw new UsageError(`${path} exists; not overwriting it (pass --force to replace ${basename(path)})`);
  let fd: number;
  try {
    if (kind) unlinkSync(path);
    fd = openSync(path, 'wx', 0o666);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${path} exists; not overwriting it (pass --force to replace ${basename(path)})`);
    throw new UsageError(fileSystemProblem(e, path, 'write') ?? `cannot write ${path}`);
  }
  return fdSink(fd, path, true);
}

/** A sink over a file descriptor (1 for stdout); write errors become UsageErrors naming `shownAs`. */
export function fdSink(fd: number, shownAs: string, closeFd: boolean): OutputSink {
  const buf = Buffer.allocUnsafe(FLUSH_BYTES);
  let used = 0;
  const flush = () => {
    if (!used) return;
    const n = used;
    used = 0;
    writeAll(fd, buf.subarray(0, n), shownAs);
  };
  return {
    write(text) {
      // A UTF-16 code unit is at most 3 bytes of UTF-8: a text that might not fit is written after a flush, and one
      // longer than the buffer is written by itself.
      if (text.length * 3 > FLUSH_BYTES - used) {
        flush();
        if (text.length * 3 > FLUSH_BYTES) return writeAll(fd, Buffer.from(text, 'utf8'), shownAs);
      }
      used += buf.write(text, used, 'utf8');
    },
    close() {
      try {
        flush();
      } finally {
        if (closeFd) closeSync(fd);
      }
    },
  };
}

/** All of `bytes` to `fd`. A non-blocking stdout (a pipe) says EAGAIN when full: retried, without spinning forever. */
function writeAll(fd: number, bytes: Uint8Array, shownAs: string): void {
  let off = 0;
  let until = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' && (until ||= Date.now() + 60_000) > Date.now()) continue;
      if (code === 'EAGAIN') throw new UsageError(fileSystemProblem(e, shownAs, 'write') ?? `cannot write ${shownAs}`);
      throw new UsageError(fileSystemProblem(e, shownAs, 'write') ?? `cannot write ${shownAs}: ${(e as Error).message}`);
    }
  }
}

/** The whole text at once (small outputs). */
export async function writeOutput(path: string, text: string, force: boolean): Promise<void> {
  const sink = openOutput(path, force);
  sink.write(text);
  sink.close();
}

const PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a folder on the path is a file',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  EBUSY: 'device or resource busy',
  ETXTBSY: 'text file busy',
};

/** A file the system would not read or write (missing, a directory, no permission, disk full), in the user's words. */
export function fileSystemProblem(e: unknown, path?: string, verb?: 'read' | 'write'): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err.code !== 'string' || !PROBLEMS[err.code]) return undefined;
  const where = path ?? err.path;
  if (!where) return undefined;
  const v = verb ?? (err.syscall === 'write' || err.syscall === 'unlink' ? 'write' : 'read');
  return `cannot ${v} ${where}: ${PROBLEMS[err.code]}`;
}
