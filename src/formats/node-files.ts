/** Node-only: loads from disk (and the model's sibling files). The rest of src/formats never touches fs. */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Tensor } from '../engine/tensor';
import type { LoadLimits } from './limits';
import { loadArrayBytes, loadExpectedBytes, loadModelBytes, loadRecordingBytes, type LoadedModel, type Recording } from './index';

export async function loadModelFile(path: string, limits?: Partial<LoadLimits>): Promise<LoadedModel> {
  const dir = dirname(resolve(path));
  return loadModelBytes(await readFile(path), path, async (rel) => readFile(resolve(dir, rel)), limits);
}

export async function loadArrayFile(path: string, limits?: Partial<LoadLimits>): Promise<Tensor> {
  return loadArrayBytes(await readFile(path), path, limits);
}

export async function loadRecordingFile(path: string, limits?: Partial<LoadLimits>): Promise<Recording> {
  return loadRecordingBytes(await readFile(path), path, limits);
}

export async function loadExpectedFile(path: string, limits?: Partial<LoadLimits>): Promise<Recording> {
  return loadExpectedBytes(await readFile(path), path, limits);
}
