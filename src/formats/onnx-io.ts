/**
 * Inputs and expected outputs of models with several of them (ONNX graphs): a JSON array of arrays in the model's
 * order, or an object keyed by input (output) name. One array alone (nested lists or {"shape", "data"}) is the first
 * and only input (output), as for every other model.
 */
import type { Tensor } from '../engine/tensor';
import { readArrayValue } from './arrays';
import { isObject } from './json-read';
import { LoadError } from './load-error';
import { checkElements, checkFileBytes, resolveLimits, type LoadLimits } from './limits';
import { decodeUtf8, parseJsonText } from './json-text';

/** {"shape", "data"} (or a recording / fixture, which have "format"): one array, not a list keyed by name. */
function isSingleArrayObject(v: Record<string, unknown>): boolean {
  return 'data' in v || 'shape' in v || 'format' in v;
}

function isArrayObject(v: unknown): boolean {
  return isObject(v) && 'data' in v;
}

/** A list of arrays when the document is one: a JSON array of {"shape", "data"}, or an object keyed by `names`. */
export function tensorListOf(doc: unknown, names: readonly string[], file: string): Tensor[] | undefined {
  if (Array.isArray(doc) && doc.length > 0 && doc.every(isArrayObject)) {
    return doc.map((v, i) => readArrayValue(v, { file, path: [i] }).tensor);
  }
  if (isObject(doc) && !isSingleArrayObject(doc) && Object.keys(doc).length > 0 && Object.keys(doc).every((k) => names.includes(k))) {
    return names.filter((n) => n in doc).map((n) => readArrayValue(doc[n], { file, path: [n] }).tensor);
  }
  return undefined;
}

/**
 * The inputs of a model that takes `names` in that order: one array for one input; a JSON array of arrays (nested
 * lists or {"shape", "data"}) or an object keyed by name for several.
 */
export function readInputs(doc: unknown, names: readonly string[], file: string): Tensor[] {
  if (names.length <= 1) return tensorListOf(doc, names, file)?.slice(0, 1) ?? [readArrayValue(doc, { file, path: [] }).tensor];
  let list: Tensor[] | undefined;
  if (Array.isArray(doc) && doc.length === names.length) list = doc.map((v, i) => readArrayValue(v, { file, path: [i] }).tensor);
  else if (isObject(doc) && names.every((n) => n in doc)) list = names.map((n) => readArrayValue(doc[n], { file, path: [n] }).tensor);
  if (!list) {
    throw new LoadError({
      file,
      path: [],
      expected: `${names.length} inputs (${names.join(', ')}): a JSON array of ${names.length} arrays in that order, or an object keyed by input name`,
      found: Array.isArray(doc) ? `an array of ${doc.length}` : isObject(doc) ? `an object with keys ${Object.keys(doc).slice(0, 8).join(', ')}` : 'something else',
    });
  }
  return list;
}

function parsed(bytes: Uint8Array, file: string, limits: LoadLimits): unknown {
  checkFileBytes(bytes.length, { file, path: [] }, limits);
  return parseJsonText(decodeUtf8(bytes), file);
}

function checked(list: Tensor[], file: string, limits: LoadLimits): Tensor[] {
  list.forEach((t, i) => checkElements(t.data.length, { file, path: [i] }, limits));
  return list;
}

export function readInputsBytes(bytes: Uint8Array, file: string, names: readonly string[], limits?: Partial<LoadLimits>): Tensor[] {
  const resolved = resolveLimits(limits);
  return checked(readInputs(parsed(bytes, file, resolved), names, file), file, resolved);
}

/** A list of expected outputs (JSON array of {"shape", "data"}, or keyed by output name), or undefined for any other file. */
export function readOutputListBytes(bytes: Uint8Array, file: string, names: readonly string[], limits?: Partial<LoadLimits>): Tensor[] | undefined {
  const resolved = resolveLimits(limits);
  const doc = parsed(bytes, file, resolved);
  const list = tensorListOf(doc, names, file) ?? nestedListsOfOutputs(doc, names, file);
  return list && checked(list, file, resolved);
}

/**
 * `[Y, Y_h]` written as nested lists (numpy `.tolist()` of each output) for a graph with several outputs: a JSON array
 * that is not one array of numbers (its rows differ in shape) but whose items each are.
 */
function nestedListsOfOutputs(doc: unknown, names: readonly string[], file: string): Tensor[] | undefined {
  if (names.length < 2 || !Array.isArray(doc) || doc.length < 1 || doc.length > names.length) return undefined;
  try {
    readArrayValue(doc, { file, path: [] });
    return undefined;
  } catch {
    try {
      return doc.map((v, i) => readArrayValue(v, { file, path: [i] }).tensor);
    } catch {
      return undefined;
    }
  }
}
