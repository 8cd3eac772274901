/** Node-only: loads from disk (and the model's sibling files). The rest of src/formats never touches fs. */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Tensor } from '../engine/tensor';
import { checkFileBytes, resolveLimits, type LoadLimits } from './limits';
import { loadArrayBytes, loadExpectedBytes, loadModelBytes, loadRecordingBytes, type LoadedModel, type Recording } from './index';

/** Reads a file after checking its size on disk against maxFileBytes (nothing of a too-big file is read). */
async function readChecked(path: string, shownAs: string, limits: Partial<LoadLimits> | undefined): Promise<Uint8Array> {
  checkFileBytes((await stat(path)).size, { file: shownAs, path: [] }, resolveLimits(limits));
  return readFile(path);
}

export async function loadModelFile(path: string, limits?: Partial<LoadLimits>): Promise<LoadedModel> {
  const dir = dirname(resolve(path));
  // Shards are read whole; the loader checks their declared total against maxFileBytes before asking for any.
  return loadModelBytes(await readChecked(path, path, limits), path, async (rel) => readFile(resolve(dir, rel)), limits);
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
