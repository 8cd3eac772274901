/**
 * Where the extension host's loads and checks of user files run: dist/load-worker.js, beside the bundled host
 * (dist/host.js). Without it (tests running the sources) they run in-process, as before.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

let cached: string | null | undefined;

export function loadWorkerPath(): string | undefined {
  if (cached === undefined) {
    const p = join(__dirname, 'load-worker.js');
    cached = existsSync(p) ? p : null;
  }
  return cached ?? undefined;
}
