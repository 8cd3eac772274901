/**
 * A Keras config's layers in run order, with the names Keras 3 saves their weights under. Shared by the HDF5, .keras
 * and TF.js loaders; kept apart from them so the TF.js loader does not pull in the HDF5 reader.
 */
import { isObject } from './json-read';
import { kerasSnakeCase } from './keras-names';
import { needsGraph, resolveGraph } from './keras-graph';
import type { JsonPath } from './load-error';

export interface PlannedLayer {
  /** The layer's own name (config.name). */
  name: string;
  className: string;
  /** Keras 3's saving path name: the class in snake case, `_1`, `_2` … for repeats of a class (`sequential/layers/lstm` inside a nested model). */
  savedAs: string;
  /** The top-level layer whose legacy .h5 group holds the weights (a nested model's name for its layers); default `name`. */
  topName?: string;
  /** An RNN of StackedRNNCells: its cells' Keras 3 group names in stacking order (the file sorts them by name). */
  cellOrder?: string[];
}

/** The saved names of an RNN layer's stacked cells, in the config's order; undefined for other layers. */
export function cellOrderOf(entry: unknown): string[] | undefined {
  if (!isObject(entry) || !isObject(entry.config) || !isObject(entry.config.cell)) return undefined;
  const stacked = entry.config.cell;
  if (stacked.class_name !== 'StackedRNNCells' || !isObject(stacked.config) || !Array.isArray(stacked.config.cells)) return undefined;
  const counters = new Map<string, number>();
  return stacked.config.cells.map((c) => {
    const snake = kerasSnakeCase(isObject(c) && typeof c.class_name === 'string' ? c.class_name : '');
    const seen = counters.get(snake);
    counters.set(snake, seen === undefined ? 0 : seen + 1);
    return seen === undefined ? snake : `${snake}_${seen + 1}`;
  });
}

/**
 * The config's layers in run order (the order modelFromKerasConfig takes weights in), or undefined when the config
 * is not a model config that converter would accept: then it is left to report the problem in its own words.
 */
export function planLayers(modelJson: unknown, configPath: JsonPath, file: string): PlannedLayer[] | undefined {
  if (!isObject(modelJson)) return undefined;
  const config = Array.isArray(modelJson.config) ? { layers: modelJson.config } : modelJson.config;
  if (!isObject(config) || !Array.isArray(config.layers)) return undefined;
  const layers = config.layers;
  const counters = new Map<string, number>();
  const planned: PlannedLayer[] = layers.map((entry, i) => {
    const obj = isObject(entry) ? entry : {};
    const cfg = isObject(obj.config) ? obj.config : {};
    const className = typeof obj.class_name === 'string' ? obj.class_name : '';
    const name = typeof cfg.name === 'string' ? cfg.name : typeof obj.name === 'string' ? obj.name : `layer_${i}`;
    const snake = kerasSnakeCase(className);
    const seen = counters.get(snake);
    counters.set(snake, seen === undefined ? 0 : seen + 1);
    const cellOrder = cellOrderOf(obj);
    return { name, className, savedAs: seen === undefined ? snake : `${snake}_${seen + 1}`, ...(cellOrder ? { cellOrder } : {}) };
  });
  if (!needsGraph(modelJson) || Array.isArray(modelJson.config)) return planned;
  // A graph's layers take their weights at their first call (the order modelFromKerasConfig converts them in);
  // TimeDistributed's fold and unfold hold none (its wrapped model's layers are entries of their own).
  return resolveGraph(modelJson, { file, path: configPath }).entries.filter((e) => !e.timeFold).map((e) => {
    const cellOrder = cellOrderOf(e.json);
    return { name: e.name, className: e.className, savedAs: e.savedAs, topName: e.topName, ...(cellOrder ? { cellOrder } : {}) };
  });
}
