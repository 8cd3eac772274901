/** Node-only: loads from disk (and the model's sibling files). The rest of src/formats never touches fs. */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Tensor } from '../engine/tensor';
import { loadArrayBytes, loadExpectedBytes, loadModelBytes, loadRecordingBytes, type LoadedModel, type Recording } from './index';

export async function loadModelFile(path: string): Promise<LoadedModel> {
  const dir = dirname(resolve(path));
  return loadModelBytes(await readFile(path), path, async (rel) => readFile(resolve(dir, rel)));
}

export async function loadArrayFile(path: string): Promise<Tensor> {
  return loadArrayBytes(await readFile(path), path);
}

export async function loadRecordingFile(path: string): Promise<Recording> {
  return loadRecordingBytes(await readFile(path), path);
}

export async function loadExpectedFile(path: string): Promise<Recording> {
  return loadExpectedBytes(await readFile(path), path);
}
