/**
 * Fixture files: Keras layer configs with their weights, an input and the output Keras computed for it.
 * `keras-recorded-fixture/v1` holds one layer (Keras 2 recordings); `keras-model-fixture/v1` a list of layers, each
 * with its own weights; the latter is also the format users write weights in by hand.
 */
import type { Semantics } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import { describeValue } from './load-error';
import { readArrayValue } from './arrays';
import { checkModelInput } from './input-check';
import { child, fail, isObject, readArray, readObject, readPositiveInt, type At } from './json-read';
import { defaultLayerNames } from './keras-layer-json';
import { convertChain, type ChainItem } from './keras-layers';
import { semanticsFor, semanticsFromVersion } from './keras-semantics';
import type { LoadedModel } from './loaded-model';
import { WeightCursor, type WeightEntry } from './weights';
import { phrase } from '../phrase';

export const RECORDED_FIXTURE = 'keras-recorded-fixture/v1';
export const MODEL_FIXTURE = 'keras-model-fixture/v1';

function weightEntries(list: unknown, where: At): WeightEntry[] {
  return readArray(list ?? [], where, 'a list of weight arrays {"name", "shape", "data"}').map((w, i) => {
    const at = child(where, i);
    const entry = readObject(w, at, 'a weight array {"name", "shape", "dtype", "data"}');
    const name = entry.name;
    if (name !== undefined && typeof name !== 'string') fail(child(at, 'name'), 'a string', describeValue(name));
    return { tensor: readArrayValue(entry, at).tensor, path: at.path, ...(name !== undefined ? { name } : {}) };
  });
}

function fixtureVersion(root: Record<string, unknown>): string | undefined {
  const source = isObject(root.source) ? root.source : {};
  return typeof root.keras_version === 'string' ? root.keras_version : typeof source.keras_version === 'string' ? source.keras_version : undefined;
}

function fixtureSemantics(version: string | undefined, format: string): Semantics {
  const fromVersion = semanticsFromVersion(version, (v) => phrase('keras_version "{0}" in the fixture', v));
  if (fromVersion) return fromVersion;
  // keras-recorded fixtures come from Keras 2 (keras-js's notebooks); model fixtures are written for Keras 3.
  return format === RECORDED_FIXTURE
    ? semanticsFor(2, phrase('format {0} (recorded with Keras 2)', RECORDED_FIXTURE))
    : semanticsFor(3, phrase('format {0} without keras_version (Keras 3 assumed)', MODEL_FIXTURE));
}

export function loadFixture(doc: unknown, file: string): LoadedModel {
  const rootAt: At = { file, path: [] };
  const root = readObject(doc, rootAt, 'a fixture object');
  const format = root.format;
  if (format !== RECORDED_FIXTURE && format !== MODEL_FIXTURE) {
    fail(child(rootAt, 'format'), `"${RECORDED_FIXTURE}" or "${MODEL_FIXTURE}"`, describeValue(format));
  }
  const kerasVersion = fixtureVersion(root);
  const semantics = fixtureSemantics(kerasVersion, format);
  let items: ChainItem[];
  let finish = () => {};
  if (format === RECORDED_FIXTURE) {
    const cursor = new WeightCursor(weightEntries(root.weights, child(rootAt, 'weights')), file, ['weights']);
    items = [{ json: root.layer, at: child(rootAt, 'layer'), weights: cursor }];
    finish = () => cursor.finish();
  } else {
    const layersAt = child(rootAt, 'layers');
    const layers = readArray(root.layers, layersAt, 'the list of layers [{"class_name", "config", "weights"}]');
    if (!layers.length) fail(layersAt, 'at least one layer', 'an empty list');
    const fallbackNames = defaultLayerNames(layers);
    items = layers.map((l, i) => {
      const at = child(layersAt, i);
      const obj = readObject(l, at, 'a layer {"class_name", "config", "weights"}');
      const name = isObject(obj.config) && typeof obj.config.name === 'string' ? obj.config.name : fallbackNames[i]!;
      const cursor = new WeightCursor(weightEntries(obj.weights, child(at, 'weights')), file, [...at.path, 'weights'], `layer "${name}"`);
      return { json: l, at, weights: cursor, done: () => cursor.finish() };
    });
  }
  const chain = convertChain(items, { file, semantics });
  finish();

  const predictCalls = root.predict_calls === undefined ? 1 : readPositiveInt(root.predict_calls, child(rootAt, 'predict_calls'));
  const model = {
    name: typeof root.id === 'string' ? root.id : file.replace(/^.*[\\/]/, '').replace(/\.json$/i, ''),
    layers: chain.layers,
    inputShape: chain.inputShape,
    inputIsTokens: chain.inputIsTokens,
    semantics,
    source: { file, format, ...(kerasVersion ? { kerasVersion } : {}) },
  };
  const loaded: LoadedModel = { model, predictCalls };
  let input: Tensor | undefined;
  if (root.input !== undefined) {
    input = readArrayValue(root.input, child(rootAt, 'input')).tensor;
    checkModelInput(input, model, child(rootAt, 'input'));
    loaded.input = input;
  }
  if (root.expected_output !== undefined) {
    const expected = readArrayValue(root.expected_output, child(rootAt, 'expected_output')).tensor;
    if (input && expected.shape[0] !== input.shape[0]) {
      fail(child(rootAt, 'expected_output', 'shape'), `batch size ${input.shape[0]} like the input`, `shape [${expected.shape.join(', ')}]`);
    }
    loaded.expectedOutput = expected;
  }
  return loaded;
}
