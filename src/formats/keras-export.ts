/**
 * Keras export JSON: `{"model": model.to_json() (object or string), "weights": get_weights() as nested lists,
 * "keras_version"?, "vocabulary"?}`. Written by a two-line Python snippet, so it is the easiest way in.
 */
import { LoadError, describeValue } from './load-error';
import { readArrayValue } from './arrays';
import { child, fail, isObject, readArray, readObject, type At } from './json-read';
import { parseJsonText } from './json-text';
import { modelFromKerasConfig } from './keras-config';
import type { LoadedModel } from './loaded-model';
import type { WeightEntry } from './weights';

export const KERAS_EXPORT_FORMAT = 'keras-export-json';
/** The `format` tag python/cellscope_export.py writes; the two-line snippet writes none. */
export const KERAS_EXPORT_TAG = 'keras-export/v1';

export function isKerasExport(doc: unknown): boolean {
  if (!isObject(doc)) return false;
  if (doc.format === KERAS_EXPORT_TAG) return true;
  return doc.format === undefined && 'model' in doc && 'weights' in doc;
}

export function loadKerasExport(doc: unknown, file: string): LoadedModel {
  const root = readObject(doc, { file, path: [] }, 'an object {"model": ..., "weights": [...]}');
  const modelAt = child({ file, path: [] }, 'model');
  const modelJson = typeof root.model === 'string' ? parseEmbedded(root.model, modelAt) : root.model;
  const weightsAt = child({ file, path: [] }, 'weights');
  const weights: WeightEntry[] = readArray(root.weights, weightsAt, 'the list of weight arrays (model.get_weights())').map((w, i) => ({
    tensor: readArrayValue(w, child(weightsAt, i)).tensor,
    path: ['weights', i],
  }));
  let kerasVersion: string | undefined;
  if (root.keras_version !== undefined) {
    if (typeof root.keras_version !== 'string') fail(child({ file, path: [] }, 'keras_version'), 'a version string like "3.15.1"', describeValue(root.keras_version));
    kerasVersion = root.keras_version;
  }
  const model = modelFromKerasConfig(modelJson, weights, {
    file,
    path: ['model'],
    weightsPath: ['weights'],
    format: KERAS_EXPORT_FORMAT,
    ...(kerasVersion ? { kerasVersion } : {}),
  });
  if (root.vocabulary !== undefined) {
    const vocabAt = child({ file, path: [] }, 'vocabulary');
    model.vocabulary = readArray(root.vocabulary, vocabAt, 'a list of strings (the text of each token id)').map((s, i) =>
      typeof s === 'string' ? s : fail(child(vocabAt, i), 'a string', describeValue(s)),
    );
  }
  return { model, predictCalls: 1 };
}

/** `"model": "<to_json() string>"`: its syntax errors point into the string. */
function parseEmbedded(text: string, where: At): unknown {
  try {
    return parseJsonText(text, where.file);
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    throw new LoadError({ ...e.details, path: where.path, subject: `the model string: ${e.details.subject ?? 'JSON'}`, line: undefined, column: undefined, offset: undefined });
  }
}
