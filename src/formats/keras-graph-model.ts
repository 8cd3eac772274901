/**
 * A resolved Keras layer graph (keras-graph.ts) → Model layers and ModelGraph. Each layer is converted (and takes its
 * weights) at its first call, with the shapes flowing into that call; a later call of a shared layer is converted
 * again over the same weights, which checks that the new inputs fit them. Output tensor indices are checked against
 * what each call returns.
 */
import { outputCount, type GraphNode, type Layer, type ModelGraph, type TensorRef } from '../engine/model';
import { shapeText } from '../engine/tensor';
import { child, fail, isObject, type At } from './json-read';
import { declaredInputShape, readLayerHeader, type LayerEnv, type LayerHeader } from './keras-layer-json';
import { convertKerasLayer } from './keras-layers';
import { convertMaskOp, MASK_OP_CLASSES } from './keras-mask';
import { convertTensorOp, convertTimeFold, isOperationEntry } from './keras-ops';
import { ATTENTION_CLASSES, convertAttention, convertMultiHeadAttention } from './keras-attention';
import { convertDot, convertMerge, MERGE_CLASSES } from './keras-merge';
import type { Converted, Flow } from './keras-recurrent';
import { resolveGraph, type PlanRef, type PlannedCall } from './keras-graph';
import { WeightCursor, type WeightEntry } from './weights';

export interface GraphModelParts {
  layers: Layer[];
  graph: ModelGraph;
  inputShape: (number | null)[];
  inputIsTokens: boolean;
}

/** The sample shapes of every output of a call, from what the converter said about the first. */
function outputFlows(layer: Layer, first: Flow): Flow[] {
  const n = outputCount(layer);
  if (n === 1) return [first];
  const flows = [first];
  const state = (units: number, from: string): Flow => ({ dims: [units], from });
  if (layer.kind === 'recurrent') {
    for (let k = 1; k < n; k++) flows.push(state(layer.config.units, `state ${k} of layer "${layer.name}"`));
  } else if (layer.kind === 'bidirectional') {
    if (layer.mergeMode === null) flows.push({ ...first, from: `the backward output of layer "${layer.name}"` });
    while (flows.length < n) flows.push(state(layer.forward.config.units, `a state of layer "${layer.name}"`));
  }
  return flows;
}

/** Records the weights a converter takes, so a shared layer's later calls can be checked against the same arrays. */
function recordingCursor(cursor: WeightCursor, taken: WeightEntry[]): WeightCursor {
  const spy = Object.create(cursor) as WeightCursor;
  spy.take = (req) => {
    const t = cursor.take(req);
    taken.push({ tensor: t, path: [] });
    return t;
  };
  return spy;
}

export function graphModelLayers(root: unknown, where: At, cursor: WeightCursor, env: LayerEnv): GraphModelParts {
  const g = resolveGraph(root, where);
  const layers: Layer[] = [];
  /** Per graph entry: its Model layers (an RNN of stacked cells has one per cell; the entry's own layer last). */
  const layersOf = new Map<number, number[]>();
  const weightsOf = new Map<number, WeightEntry[]>();
  const flowsOf: Flow[][] = [];
  /** The node that holds each call's outputs. */
  const nodeOf: number[] = [];
  const nodes: GraphNode[] = [];
  const inputShapes: (number | null)[][] = [];

  const flowOf = (ref: PlanRef, at: At): Flow => {
    if ('input' in ref) {
      const shape = inputShapes[ref.input];
      return shape ? { dims: shape, from: `the input shape ${shapeText(shape)}` } : { dims: null, from: 'the input' };
    }
    const outs = flowsOf[ref.call]!;
    const f = outs[ref.output];
    if (!f) {
      const e = g.entries[g.calls[ref.call]!.entry]!;
      fail(at, `an output of layer "${e.name}" (its call returns ${outs.length} tensor${outs.length === 1 ? '' : 's'})`, `tensor index ${ref.output}`, { hint: 'the config was edited or is damaged' });
    }
    return f;
  };
  const toRef = (r: PlanRef): TensorRef => ('input' in r ? { input: r.input } : { node: nodeOf[r.call]!, output: r.output });

  g.calls.forEach((call, i) => {
    const entry = g.entries[call.entry]!;
    const h = readLayerHeader(entry.json, entry.at, entry.name);
    if (call.args.length === 1 && 'input' in call.args[0]! && h.className === 'InputLayer') {
      const declared = declaredInputShape(h);
      if (!declared) fail(h.configAt, `the input shape of input layer "${h.name}" (batch_shape or batch_input_shape)`, 'none');
      inputShapes[call.args[0].input] = declared;
    }
    const flows = call.args.map((r, k) => flowOf(r, child(call.at, 'args', k)));
    const first = !layersOf.has(call.entry);
    const taken: WeightEntry[] = [];
    const weights = first ? recordingCursor(cursor, taken) : new WeightCursor(weightsOf.get(call.entry)!, env.file, entry.at.path, `layer "${entry.name}"`);
    const module = isObject(entry.json) ? entry.json.module : undefined;
    const converted = entry.timeFold ? convertTimeFold(entry.name, entry.timeFold, flows, call.at) : convertCall(h, module, flows, weights, env, call);
    if (first) {
      const own = [...(converted.stack ?? []), converted.layer];
      layersOf.set(call.entry, own.map((l) => layers.push(l) - 1));
      weightsOf.set(call.entry, taken);
    } else weights.finish();
    const indices = layersOf.get(call.entry)!;
    const main = layers[indices[indices.length - 1]!]!;
    flowsOf[i] = outputFlows(main, converted.out);
    const masks = call.mask?.map((r, k) => {
      if (r) flowOf(r, child(call.at, 'mask', k));
      return r ? toRef(r) : null;
    });
    let inputs = call.args.map(toRef);
    indices.forEach((layer, k) => {
      const top = k === indices.length - 1;
      const node: GraphNode = { layer, inputs, ...(top && converted.out.dims ? { shape: converted.out.dims } : {}), ...(masks ? { masks } : {}) };
      if (top && call.initialState) {
        call.initialState.forEach((r, j) => flowOf(r, child(call.at, 'initial_state', j)));
        node.initialState = call.initialState.map(toRef);
      }
      nodes.push(node);
      inputs = [{ node: nodes.length - 1, output: 0 }];
    });
    nodeOf[i] = nodes.length - 1;
  });
  const outputs = g.outputs.map((r, k) => {
    flowOf(r, child(where, 'config', 'output_layers', k));
    return toRef(r);
  });
  const tokens = g.inputs.map((_, k) => feedsEmbedding(k, g.calls, (c) => g.entries[c.entry]!.className));
  const graph: ModelGraph = {
    inputs: g.inputs.map((inp, k) => ({ name: inp.name, shape: inputShapes[k] ?? [], tokens: tokens[k]! })),
    nodes,
    outputs,
  };
  return { layers, graph, inputShape: graph.inputs[0]?.shape ?? [], inputIsTokens: tokens[0] ?? false };
}

function convertCall(h: LayerHeader, module: unknown, flows: Flow[], weights: WeightCursor, env: LayerEnv, call: PlannedCall): Converted<Layer> {
  const isOp = isOperationEntry(module, h.className, h.config);
  if (MASK_OP_CLASSES[h.className]) return convertMaskOp(h, flows, call.constants, call.at);
  // keras.ops.add / concatenate… share their class names with the merge layers: the module tells them apart.
  if (isOp) return convertTensorOp(h, flows, call);
  if (MERGE_CLASSES[h.className]) return convertMerge(h, flows);
  if (ATTENTION_CLASSES.includes(h.className)) return convertAttention(h, flows, weights, call.kwargs);
  if (h.className === 'Dot') return convertDot(h, flows);
  if (h.className === 'MultiHeadAttention') return convertMultiHeadAttention(h, flows, weights, call.kwargs);
  if (flows.length !== 1) {
    fail(call.at, `one input tensor for ${h.className} layer "${h.name}"`, `${flows.length} tensors`, {
      subject: `layer "${h.name}"`,
      hint: flows.length ? 'the call passes more tensors than this layer reads' : 'the call passes no tensor',
    });
  }
  return convertKerasLayer(h, flows[0]!, weights, env);
}

/** An input is token ids when a layer reading it (through pass-through layers) is an Embedding. */
function feedsEmbedding(input: number, calls: readonly PlannedCall[], classOf: (c: PlannedCall) => string): boolean {
  const from = new Set<number>();
  let found = false;
  calls.forEach((c, i) => {
    const reads = c.args.some((r) => ('input' in r ? r.input === input : from.has(r.call)));
    if (!reads) return;
    const cls = classOf(c);
    if (cls === 'Embedding') found = true;
    else if (cls === 'InputLayer' || cls === 'Dropout' || cls === 'SpatialDropout1D') from.add(i);
  });
  return found;
}

