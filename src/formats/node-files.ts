/** Node-only: loads from disk (and the model's sibling files). The rest of src/formats never touches fs. */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Tensor } from '../engine/tensor';
import { checkFileBytes, resolveLimits, type LoadLimits } from './limits';
import { readInputsBytes, readOutputListBytes } from './onnx-io';
import { loadRunnableBytes, type RunnableModel } from './runnable';
import { loadArrayBytes, loadExpectedBytes, loadModelBytes, loadRecordingBytes, type LoadedModel, type ModelChoices, type Recording } from './index';

/** Reads a file after checking its size on disk against maxFileBytes (nothing of a too-big file is read). */
async function readChecked(path: string, shownAs: string, limits: Partial<LoadLimits> | undefined): Promise<Uint8Array> {
  checkFileBytes((await stat(path)).size, { file: shownAs, path: [] }, resolveLimits(limits));
  return readFile(path);
}

export async function loadModelFile(path: string, limits?: Partial<LoadLimits>, choices?: ModelChoices): Promise<LoadedModel> {
  const dir = dirname(resolve(path));
  // Shards are read whole; the loader checks their declared total against maxFileBytes before asking for any.
  return loadModelBytes(await readChecked(path, path, limits), path, async (rel) => readFile(resolve(dir, rel)), limits, choices);
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
  const dir = dirname(resolve(path));
  const bytes = await readChecked(path, path, limits);
  return loadRunnableBytes(bytes, path, () => loadModelBytes(bytes, path, async (rel) => readFile(resolve(dir, rel)), limits, choices), limits);
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
  return { outputs: [recording.output], recording };
}
