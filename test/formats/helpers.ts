import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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
export { expectLoadError } from '../support/rejects';

export function loadDoc(doc: unknown, file = 'model.json') {
  return loadModelText(JSON.stringify(doc), file);
}
