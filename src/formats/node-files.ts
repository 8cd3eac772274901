/**
 * Node-only: loads from disk (and the model's sibling files). The rest of src/formats never touches fs.
 *
 * Files are treated as files: each path is resolved through its symbolic links and must end at a regular file
 * (a device such as /dev/zero, a FIFO, a socket or a directory is refused by name: stat() says 0 bytes for them, so
 * no size check would stop reading them), its size on disk is checked before a byte is read, and no more than that
 * size is read. A model's sibling files (TF.js shards) must resolve inside the model's folder after symlinks, and each
 * distinct file is read once.
 */
import { lstat, open, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, relative, resolve, isAbsolute, sep } from 'node:path';
import type { Tensor } from '../engine/tensor';
import { LoadError } from './load-error';
import { checkFileBytes, resolveLimits, type LoadLimits } from './limits';
import { readInputsBytes, readOutputListBytes } from './onnx-io';
import { loadRunnableBytes, type RunnableModel } from './runnable';
import { loadArrayBytes, loadExpectedBytes, loadModelBytes, loadRecordingBytes, type LoadedModel, type ModelChoices, type ReadSibling, type Recording } from './index';

/** What a non-regular file is, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A path resolved through its links to a regular file, with its size; LoadError otherwise. */
export async function regularFile(path: string, shownAs: string, what = 'a regular file'): Promise<{ real: string; size: number }> {
  const real = await realpath(path);
  const st = await stat(real);
  if (!st.isFile()) {
    const link = (await lstat(path)).isSymbolicLink() ? ` (a symbolic link to ${real})` : '';
    throw new LoadError({
      file: shownAs,
      path: [],
      expected: what,
      found: `${kindOf(st)}${link}`,
      hint: 'Cellscope reads model, input and recording files only from regular files; copy the data into a file',
    });
  }
  return { real, size: st.size };
}

/** Reads at most `size` bytes of a regular file (a file that grew since stat is read as it was). */
async function readUpTo(real: string, size: number): Promise<Uint8Array> {
  const fh = await open(real, 'r');
  try {
    const out = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(out, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === size ? out : out.subarray(0, off);
  } finally {
    await fh.close();
  }
}

/** Reads a regular file after checking its size on disk against maxFileBytes (nothing of a too-big file is read). */
export async function readChecked(path: string, shownAs: string, limits: Partial<LoadLimits> | undefined): Promise<Uint8Array> {
  const { real, size } = await regularFile(path, shownAs);
  checkFileBytes(size, { file: shownAs, path: [] }, resolveLimits(limits));
  return readUpTo(real, size);
}

/**
 * The reader of a model's sibling files: `rel` resolved inside the model's folder after symlinks, a regular file,
 * its size told before reading (`size`, for loaders that compare it with what they expect), each file read once.
 */
export function siblingReader(modelPath: string, limits?: Partial<LoadLimits>): ReadSibling & { size(rel: string): Promise<number> } {
  const dir = dirname(resolve(modelPath));
  const resolved = resolveLimits(limits);
  const files = new Map<string, Promise<{ real: string; size: number }>>();
  const reads = new Map<string, Promise<Uint8Array>>();
  const locate = (rel: string) => {
    let p = files.get(rel);
    if (!p) {
      p = (async () => {
        const realDir = await realpath(dir);
        const f = await regularFile(resolve(dir, rel), rel, 'a regular file beside the model');
        const inside = relative(realDir, f.real);
        if (!inside || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
          throw new LoadError({
            file: modelPath,
            path: [],
            subject: `sibling file ${JSON.stringify(rel)}`,
            expected: `a file inside the model's folder ${realDir}`,
            found: `a symbolic link that leads out of it, to ${f.real}`,
            hint: 'copy the file into the model\'s folder instead of linking to it',
          });
        }
        checkFileBytes(f.size, { file: modelPath, path: [], subject: `sibling file ${JSON.stringify(rel)}` }, resolved, 'a sibling file');
        return f;
      })();
      files.set(rel, p);
    }
    return p;
  };
  const read = async (rel: string): Promise<Uint8Array> => {
    const f = await locate(rel);
    let r = reads.get(f.real);
    if (!r) reads.set(f.real, (r = readUpTo(f.real, f.size)));
    return r;
  };
  return Object.assign(read, { size: async (rel: string) => (await locate(rel)).size });
}

export async function loadModelFile(path: string, limits?: Partial<LoadLimits>, choices?: ModelChoices): Promise<LoadedModel> {
  // Shards are read whole; the loader checks their declared total against maxFileBytes before asking for any.
  return loadModelBytes(await readChecked(path, path, limits), path, siblingReader(path, limits), limits, choices);
}

export async function loadArrayFile(path: string, limits?: Partial<LoadLimits>): Promise<Tensor> {
  return loadArrayBytes(await readChecked(path, path, limits), path, limits);
}

export async function loadRecordingFile(path: string, limits?: Partial<LoadLimits>): Promise<Recording> {
  return loadRecordingBytes(await readChecked(path, path, limits), path, limits);
}

export async function loadExpectedFile(path: string, limits?: Partial<LoadLimits>): Promise<Recording> {
  return loadExpectedBytes(await readChecked(path, path, limits), path, limits);
}

/** Any model file as something to run: an ONNX graph, or the model the loader table reads (src/formats/runnable.ts). */
export async function loadRunnableFile(path: string, limits?: Partial<LoadLimits>, choices?: ModelChoices): Promise<RunnableModel> {
  const bytes = await readChecked(path, path, limits);
  const siblings = siblingReader(path, limits);
  return loadRunnableBytes(bytes, path, () => loadModelBytes(bytes, path, siblings, limits, choices), limits, siblings);
}

/** The inputs of a model that takes `names`: one array, or for several a JSON array or an object keyed by name. */
export async function loadInputsFile(path: string, names: readonly string[], limits?: Partial<LoadLimits>): Promise<Tensor[]> {
  if (names.length <= 1) return [await loadArrayFile(path, limits)];
  return readInputsBytes(await readChecked(path, path, limits), path, names, limits);
}

/**
 * Expected outputs: a JSON array of {"shape", "data"} (or an object keyed by output name) for models with several,
 * else whatever loadExpectedFile reads (a recording, a fixture, one array), which is the first output.
 */
export async function loadExpectedOutputsFile(path: string, names: readonly string[], limits?: Partial<LoadLimits>): Promise<{ outputs: Tensor[]; recording: Recording | null }> {
  const bytes = await readChecked(path, path, limits);
  const list = readOutputListBytes(bytes, path, names, limits);
  if (list) return { outputs: list, recording: null };
  const recording = await loadExpectedBytes(bytes, path, limits);
  // A recording of a model with several outputs lists them all (`outputs`, the first being `output`): compare each.
  return { outputs: recording.outputs ?? [recording.output], recording };
}
