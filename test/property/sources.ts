/** The real, valid files the properties mutate. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { FIXTURES, REPO } from '../fixtures-path';

export { REPO };
const EXAMPLES = join(REPO, 'examples');
const DATA = join(REPO, 'test/formats/data');

export interface Source {
  name: string;
  path: string;
}

function list(dir: string, keep: (f: string) => boolean): Source[] {
  return readdirSync(dir)
    .filter(keep)
    .sort()
    .map((f) => ({ name: f, path: join(dir, f) }));
}

function format(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')).format;
  } catch {
    return undefined;
  }
}

/** Examples exported from Keras (each has model.cellscope.json, model.keras, model.h5, input.json, recording.json). */
const exampleDirs = readdirSync(EXAMPLES)
  .filter((d) => ['model.cellscope.json', 'model.keras', 'model.h5', 'input.json', 'recording.json'].every((f) => existsSync(join(EXAMPLES, d, f))))
  .sort();

/** Keras export JSON: the examples' model.cellscope.json and the Keras 3 exports of test/formats/data. */
export const EXPORT_JSON: Source[] = [
  ...exampleDirs.map((d) => ({ name: `examples/${d}/model.cellscope.json`, path: join(EXAMPLES, d, 'model.cellscope.json') })),
  ...list(join(DATA, 'keras3'), (f) => f.endsWith('.json') && !f.includes('recording')),
];

/** keras-recorded-fixture/v1 (Keras 2 recordings). */
export const RECORDED_FIXTURES: Source[] = list(join(FIXTURES, 'keras-recorded'), (f) => f.endsWith('.json') && f !== 'index.json');

/** keras-model-fixture/v1: Keras 3 generated fixtures and the hand-built examples. */
export const MODEL_FIXTURES: Source[] = [
  ...list(join(FIXTURES, 'keras3-generated'), (f) => f.endsWith('.json') && f !== 'index.json'),
  ...list(join(EXAMPLES, 'hand-built'), (f) => f.endsWith('.json')),
].filter((s) => format(s.path) === 'keras-model-fixture/v1');

export const KERAS_ARCHIVES: Source[] = exampleDirs.map((d) => ({ name: `examples/${d}/model.keras`, path: join(EXAMPLES, d, 'model.keras') }));
export const H5_FILES: Source[] = exampleDirs.map((d) => ({ name: `examples/${d}/model.h5`, path: join(EXAMPLES, d, 'model.h5') }));
export const INPUTS: Source[] = exampleDirs.map((d) => ({ name: `examples/${d}/input.json`, path: join(EXAMPLES, d, 'input.json') }));
export const RECORDINGS: Source[] = [
  ...exampleDirs.map((d) => ({ name: `examples/${d}/recording.json`, path: join(EXAMPLES, d, 'recording.json') })),
  { name: 'keras3/lstm_dense.recording.json', path: join(DATA, 'keras3', 'lstm_dense.recording.json') },
];
export const TFJS_DIR = join(DATA, 'tfjs');
export const TFJS_MODELS: string[] = readdirSync(TFJS_DIR).sort();

const cache = new Map<string, Uint8Array>();
export function bytesOf(path: string): Uint8Array {
  let b = cache.get(path);
  if (!b) {
    b = new Uint8Array(readFileSync(path));
    cache.set(path, b);
  }
  return b;
}
const jsonCache = new Map<string, unknown>();
export function jsonOf(path: string): unknown {
  if (!jsonCache.has(path)) jsonCache.set(path, JSON.parse(readFileSync(path, 'utf8')));
  return jsonCache.get(path);
}
