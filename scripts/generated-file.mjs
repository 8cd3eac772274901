// The committed generated modules (the WebAssembly kernels, the cells' float twins): written only when their text
// changed (so the build does not touch files it need not), or, with `check`, compared (false when stale).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** @param {string} path @param {string} text @param {boolean} check @returns {boolean} */
export function writeGenerated(path, text, check) {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : null;
  if (check) return current === text;
  if (current !== text) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return true;
}
