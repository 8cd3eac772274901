/**
 * Functional models: Cellscope runs a chain, so the layer graph (`inbound_nodes`) must be one. Reads both the
 * Keras 2 list style `[[["name", 0, 0, {}]]]` and the Keras 3 dict style `[{"args": [keras tensors], "kwargs": {}}]`.
 */
import { child, fail, isObject, readArray, readObject, type At } from './json-read';

const CHAIN = 'a single chain of layers (one input, one output, each layer reading only the layer before it)';

/** The layer names a layer's one inbound node reads; [] for input layers. */
function inboundSources(entry: Record<string, unknown>, where: At, name: string): string[] {
  const nodes = entry.inbound_nodes === undefined ? [] : readArray(entry.inbound_nodes, child(where, 'inbound_nodes'));
  if (nodes.length === 0) return [];
  if (nodes.length > 1) {
    fail(child(where, 'inbound_nodes'), CHAIN, `layer "${name}" is called ${nodes.length} times (a shared layer)`);
  }
  const node = nodes[0];
  const sources: string[] = [];
  if (Array.isArray(node)) {
    // Keras 2: a node is a list of [layer_name, node_index, tensor_index, kwargs].
    for (const t of node) if (Array.isArray(t) && typeof t[0] === 'string') sources.push(t[0]);
  } else {
    collectKerasTensors(node, sources, 0);
  }
  return sources;
}

function collectKerasTensors(v: unknown, out: string[], depth: number): void {
  if (depth > 6) return;
  if (Array.isArray(v)) {
    for (const x of v) collectKerasTensors(x, out, depth + 1);
    return;
  }
  if (!isObject(v)) return;
  if (v.class_name === '__keras_tensor__' && isObject(v.config) && Array.isArray(v.config.keras_history)) {
    const source = v.config.keras_history[0];
    if (typeof source === 'string') out.push(source);
    return;
  }
  for (const x of Object.values(v)) collectKerasTensors(x, out, depth + 1);
}

/** `[["in", 0, 0]]`, or Keras 3's unwrapped `["in", 0, 0]` for a single tensor. */
function endpointNames(v: unknown, where: At): string[] {
  if (v === undefined) return [];
  const list = readArray(v, where, 'a list of [layer_name, node_index, tensor_index]');
  if (typeof list[0] === 'string') return [list[0]];
  return list.map((e, i) => {
    const item = readArray(e, child(where, i), '[layer_name, node_index, tensor_index]');
    if (typeof item[0] !== 'string') fail(child(where, i, 0), 'a layer name', String(item[0]));
    return item[0];
  });
}

/** Indices into `layers`, in run order from the input to the output. */
export function chainOrder(config: Record<string, unknown>, configAt: At, layers: readonly unknown[]): number[] {
  const layersAt = child(configAt, 'layers');
  const names: string[] = [];
  const index = new Map<string, number>();
  const sources: string[][] = [];
  layers.forEach((entry, i) => {
    const obj = readObject(entry, child(layersAt, i), 'a layer entry');
    const cfg = isObject(obj.config) ? obj.config : {};
    const name = typeof obj.name === 'string' ? obj.name : typeof cfg.name === 'string' ? cfg.name : `layer_${i}`;
    names.push(name);
    index.set(name, i);
    sources.push(inboundSources(obj, child(layersAt, i), name));
  });
  const consumers = names.map(() => [] as number[]);
  sources.forEach((srcs, i) => {
    if (srcs.length > 1) {
      fail(child(layersAt, i, 'inbound_nodes'), CHAIN, `layer "${names[i]}" reads ${srcs.length} tensors: ${srcs.map((s) => `"${s}"`).join(', ')}`);
    }
    for (const s of srcs) {
      const from = index.get(s);
      if (from === undefined) fail(child(layersAt, i, 'inbound_nodes'), `an input from a layer of this model`, `a reference to unknown layer "${s}"`);
      consumers[from].push(i);
    }
  });
  consumers.forEach((c, i) => {
    if (c.length > 1) fail(child(layersAt, i), CHAIN, `layer "${names[i]}" feeds ${c.length} layers: ${c.map((j) => `"${names[j]}"`).join(', ')}`);
  });
  const inputs = endpointNames(config.input_layers, child(configAt, 'input_layers'));
  const outputs = endpointNames(config.output_layers, child(configAt, 'output_layers'));
  const starts = inputs.length ? inputs : names.filter((_, i) => sources[i]!.length === 0);
  if (starts.length !== 1) fail(child(configAt, 'input_layers'), CHAIN, `${starts.length} inputs${starts.length ? `: ${starts.map((s) => `"${s}"`).join(', ')}` : ''}`);
  if (outputs.length > 1) fail(child(configAt, 'output_layers'), CHAIN, `${outputs.length} outputs: ${outputs.map((s) => `"${s}"`).join(', ')}`);
  let at = index.get(starts[0]!);
  if (at === undefined) fail(child(configAt, 'input_layers'), 'an input layer of this model', `unknown layer "${starts[0]}"`);
  const order: number[] = [];
  while (at !== undefined) {
    order.push(at);
    at = consumers[at]![0];
  }
  const last = names[order[order.length - 1]!];
  if (outputs.length === 1 && outputs[0] !== last) {
    fail(child(configAt, 'output_layers'), `${CHAIN}; the chain from the input ends at layer "${last}"`, `output layer "${outputs[0]}"`);
  }
  if (order.length !== layers.length) {
    const stray = names.find((_, i) => !order.includes(i));
    fail(child(layersAt, names.indexOf(stray!)), CHAIN, `layer "${stray}" is not on the path from the input to the output`);
  }
  return order;
}
