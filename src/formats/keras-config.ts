/**
 * `model.to_json()` (Keras 2 and Keras 3, Sequential and Functional, nested models inlined) + `get_weights()` → Model.
 */
import type { Model, Semantics } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import { describeValue, type JsonPath } from './load-error';
import { child, fail, isObject, keysText, readArray, readDims, readObject, type At } from './json-read';
import { dtypePoliciesOf, halfLayersOf } from './keras-dtype-policy';
import { isModelClass, needsGraph } from './keras-graph';
import { graphModelLayers } from './keras-graph-model';
import { convertChain, type ChainItem } from './keras-layers';
import { semanticsFromConfigStyle, semanticsFromVersion } from './keras-semantics';
import { WeightCursor, type WeightEntry } from './weights';
import { phrase } from '../phrase';

export interface KerasConfigContext {
  file: string;
  /** Where the config sits in the file. */
  path: JsonPath;
  /** Where the weight list sits; weight i is reported at [...weightsPath, i] unless it carries its own path. */
  weightsPath: JsonPath;
  kerasVersion?: string;
  /** SourceInfo.format; default `keras-config`. */
  format?: string;
}

const MODEL_CLASSES = ['Sequential', 'Functional', 'Model'];

export function modelFromKerasConfig(modelJson: unknown, weights: readonly (Tensor | WeightEntry)[], ctx: KerasConfigContext): Model {
  const where: At = { file: ctx.file, path: ctx.path };
  const root = readObject(modelJson, where, 'a Keras model config (what model.to_json() writes): {"class_name": "Sequential", "config": {...}}');
  const className = root.class_name;
  if (typeof className !== 'string' || !MODEL_CLASSES.includes(className)) {
    fail(child(where, 'class_name'), `a model class: ${MODEL_CLASSES.join(', ')}`, className === undefined ? keysText(root) : describeValue(className), {
      ...(typeof className === 'string' ? { hint: 'a single layer is not a model; wrap it in a Sequential' } : {}),
    });
  }
  const version = ctx.kerasVersion ?? (typeof root.keras_version === 'string' ? root.keras_version : undefined);
  const semantics: Semantics =
    semanticsFromVersion(version, (v) => (ctx.kerasVersion ? phrase('keras_version "{0}" in the file', v) : phrase('keras_version "{0}" in the model config', v))) ?? semanticsFromConfigStyle(root);

  const configAt = child(where, 'config');
  // Keras ≤ 2.2.2 wrote a Sequential's config as the bare layer list.
  const config = Array.isArray(root.config) ? { layers: root.config } : readObject(root.config, configAt, 'the model config (an object)');
  const layersAt = Array.isArray(root.config) ? configAt : child(configAt, 'layers');
  const layers = readArray(config.layers, layersAt, 'the list of layers');
  if (layers.length === 0) fail(layersAt, 'at least one layer', 'an empty list');

  const entries: WeightEntry[] = weights.map((w, i) => ('tensor' in w ? w : { tensor: w, path: [...ctx.weightsPath, i] }));
  const cursor = new WeightCursor(entries, ctx.file, ctx.weightsPath);
  const name = typeof config.name === 'string' ? config.name : className.toLowerCase();
  const source = { file: ctx.file, format: ctx.format ?? 'keras-config', ...(version ? { kerasVersion: version } : {}) };
  const policies = dtypePoliciesOf(root);
  const halfLayers = halfLayersOf(root);
  const extra = { ...(policies ? { dtypePolicies: policies } : {}), ...(halfLayers ? { layerDtypes: halfLayers } : {}) };
  if (needsGraph(root)) {
    const built = graphModelLayers(root, where, cursor, { file: ctx.file, semantics });
    cursor.finish();
    return { name, ...built, semantics, source, ...extra };
  }
  const items: ChainItem[] = layers.map((json, i) => ({ json, at: child(layersAt, i), weights: cursor }));
  for (const item of items) {
    const cls = isObject(item.json) ? item.json.class_name : undefined;
    if (isModelClass(cls)) fail(child(item.at, 'class_name'), 'a layer', `a nested ${cls} model`);
  }
  const buildShape = config.build_input_shape;
  const hint = Array.isArray(buildShape) && buildShape.length >= 2 ? readDims(buildShape, child(configAt, 'build_input_shape')).slice(1) : undefined;
  const chain = convertChain(items, { file: ctx.file, semantics }, hint);
  cursor.finish();
  return { name, layers: chain.layers, inputShape: chain.inputShape, inputIsTokens: chain.inputIsTokens, semantics, source, ...extra };
}
