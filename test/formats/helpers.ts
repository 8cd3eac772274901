import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LoadError } from '../../src/formats/load-error';
import { loadModelText } from '../../src/formats/index';

export { FIXTURES, fixtureFiles } from '../fixtures-path';
export const DATA = resolve(__dirname, 'data');

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Nested lists of the given shape, filled with small distinct numbers. */
export function nested(shape: number[], start = 0): unknown {
  let n = start;
  const build = (d: number): unknown => (d === shape.length ? (n++ % 97) / 100 : Array.from({ length: shape[d]! }, () => build(d + 1)));
  return build(0);
}

/** Runs `f`, asserts it throws a LoadError, and checks every fragment appears in the message. */
export function expectLoadError(f: () => unknown, ...fragments: string[]): LoadError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof LoadError, `expected a LoadError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  for (const fragment of fragments) assert.ok(caught.message.includes(fragment), `message lacks ${JSON.stringify(fragment)}:\n${caught.message}`);
  return caught;
}

export function loadDoc(doc: unknown, file = 'model.json') {
  return loadModelText(JSON.stringify(doc), file);
}
