/**
 * The parts every Keras layer entry shares, in both spellings: Keras 2 `{class_name, config}` and Keras 3
 * `{module, class_name, config, registered_name, build_config}`; and the input shape a layer may declare.
 */
import type { Semantics } from '../engine/model';
import { shapeText } from '../engine/tensor';
import { child, fail, isObject, keysText, readDims, readObject, type At } from './json-read';
import { describeValue } from './load-error';

export interface LayerEnv {
  file: string;
  semantics: Semantics;
}

export interface LayerHeader {
  className: string;
  config: Record<string, unknown>;
  name: string;
  /** Where the layer entry sits. */
  at: At;
  /** Where `config` sits, for paths to its keys. */
  configAt: At;
  /** A Lambda, or a class from outside Keras (Keras 3 writes `registered_name` "package>Class" and the module it came from). */
  pythonCode: boolean;
}

function isPythonCode(obj: Record<string, unknown>): boolean {
  if (obj.class_name === 'Lambda') return true;
  if (typeof obj.registered_name === 'string' && obj.registered_name.includes('>')) return true;
  return typeof obj.module === 'string' && !/^(keras|tf_keras|tensorflow)(\.|$)/.test(obj.module);
}

export function readLayerHeader(json: unknown, where: At, fallbackName: string): LayerHeader {
  const obj = readObject(json, where, 'a layer: {"class_name": ..., "config": {...}}');
  if (typeof obj.class_name !== 'string') fail(child(where, 'class_name'), 'the layer class name (a string such as "LSTM")', obj.class_name === undefined ? keysText(obj) : describeValue(obj.class_name));
  const configAt = child(where, 'config');
  const config = readObject(obj.config ?? {}, configAt, 'the layer config (an object)');
  const nameValue = config.name ?? obj.name;
  const name = typeof nameValue === 'string' && nameValue ? nameValue : fallbackName;
  return { className: obj.class_name, config, name, at: where, configAt, pythonCode: isPythonCode(obj) };
}

/** Keras's own default names (`SimpleRNN` → `simple_rnn`, then `simple_rnn_1`, ...) for entries that carry none. */
export function defaultLayerNames(entries: readonly unknown[]): string[] {
  const seen = new Map<string, number>();
  return entries.map((e) => {
    const cls = isObject(e) && typeof e.class_name === 'string' ? e.class_name : 'layer';
    const base = cls.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n ? `${base}_${n}` : base;
  });
}

/** The sample shape (no batch axis) a layer config declares, if any. */
export function declaredInputShape(h: LayerHeader): (number | null)[] | undefined {
  const c = h.config;
  for (const key of ['batch_shape', 'batch_input_shape']) {
    if (c[key] !== undefined && c[key] !== null) {
      const dims = readDims(c[key], child(h.configAt, key));
      if (dims.length < 2) fail(child(h.configAt, key), 'a batch shape: [batch, ...sample shape]', shapeText(dims));
      return dims.slice(1);
    }
  }
  if (c.input_shape !== undefined && c.input_shape !== null) return readDims(c.input_shape, child(h.configAt, 'input_shape'));
  if (typeof c.input_dim === 'number' || typeof c.input_length === 'number') {
    const length = typeof c.input_length === 'number' ? c.input_length : null;
    if (h.className === 'Embedding') return [length];
    if (h.className === 'Dense') return typeof c.input_dim === 'number' ? [c.input_dim] : undefined;
    return [length, typeof c.input_dim === 'number' ? c.input_dim : null];
  }
  return undefined;
}

/** A wrapped layer (`Bidirectional.layer`, `TimeDistributed.layer`): same spelling as a top-level entry. */
export function readInnerLayer(outer: LayerHeader, key: string, fallbackName: string): LayerHeader {
  const at = child(outer.configAt, key);
  if (!isObject(outer.config[key])) fail(at, `the wrapped layer of ${outer.className} "${outer.name}": {"class_name": ..., "config": {...}}`, describeValue(outer.config[key]));
  return readLayerHeader(outer.config[key], at, fallbackName);
}
