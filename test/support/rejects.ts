/**
 * A LoadError with every fragment in its message: `expectLoadError(() => load(...), 'fragment', …)` for loaders that
 * throw, `await rejects(load(...), …)` for those that reject. Anything else (another error, no error) fails the test.
 */
import assert from 'node:assert/strict';
import { LoadError } from '../../src/formats/load-error';

function asLoadError(caught: unknown, fragments: readonly string[]): LoadError {
  assert.ok(caught instanceof LoadError, `expected a LoadError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  for (const f of fragments) assert.ok(caught.message.includes(f), `message lacks ${JSON.stringify(f)}:\n${caught.message}`);
  return caught;
}

export function expectLoadError(f: () => unknown, ...fragments: string[]): LoadError {
  try {
    f();
  } catch (e) {
    return asLoadError(e, fragments);
  }
  return asLoadError(undefined, fragments);
}

export async function rejects(p: Promise<unknown>, ...fragments: string[]): Promise<LoadError> {
  try {
    await p;
  } catch (e) {
    return asLoadError(e, fragments);
  }
  return asLoadError(undefined, fragments);
}
