/**
 * Where the extension host's loads and checks of user files run: dist/host.js started as the load worker (the
 * bundled host is its own worker: src/extension/host-bundle.ts). Without it (tests running the sources) they run
 * in-process, as before.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../engine/tensor';
import { loadArrayBytes, loadExpectedBytes, type LoadLimits, type Recording } from '../formats/index';
import { readArrayIsolated, readExpectedIsolated } from '../worker/load-client';

let cached: string | null | undefined;

export function loadWorkerPath(): string | undefined {
  if (cached === undefined) {
    const p = join(__dirname, 'host.js');
    cached = existsSync(p) ? p : null;
  }
  return cached ?? undefined;
}

/** An input array: in the load worker when there is one, else in-process. */
export async function readArray(bytes: Uint8Array, fileName: string, limits: LoadLimits): Promise<Tensor> {
  const workerPath = loadWorkerPath();
  return workerPath ? readArrayIsolated({ type: 'array' as const, bytes, fileName, limits }, { workerPath }).promise : loadArrayBytes(bytes, fileName, limits);
}

/** Expected outputs: in the load worker when there is one, else in-process. */
export async function readExpected(bytes: Uint8Array, fileName: string, limits: LoadLimits): Promise<Recording> {
  const workerPath = loadWorkerPath();
  return workerPath ? readExpectedIsolated({ type: 'expected' as const, bytes, fileName, limits }, { workerPath }).promise : loadExpectedBytes(bytes, fileName, limits);
}
