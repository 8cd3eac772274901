/**
 * dist/host.js as scripts/build.mjs writes it (the host and both workers in one bundle: src/extension/host-bundle.ts),
 * built from the current sources into a throwaway folder, for tests that start it as a worker thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = join(import.meta.dirname, '..', '..');

export interface BuiltHostBundle {
  /** The bundle's path (start it with `workerOptions('engine' | 'load')`). */
  path: string;
  /** The folder it lives in, for the test's own scratch files. */
  dir: string;
  remove(): void;
}

export async function buildHostBundle(prefix: string): Promise<BuiltHostBundle> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, 'host.js');
  await esbuild.build({ entryPoints: [join(ROOT, 'src/extension/host-bundle.ts')], outfile: path, bundle: true, platform: 'node', format: 'cjs', external: ['vscode'], target: 'es2022', mainFields: ['module', 'main'], logLevel: 'warning' });
  return { path, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
