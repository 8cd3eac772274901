/**
 * What the CLI (and the port checker) runs: a model that takes its inputs and gives its outputs and the trace of
 * every recurrent layer. Two kinds implement it: the engine's Model (a Keras layer chain, any Keras, TF.js or
 * fixture file) through `runnableFromLoaded`, and a whole ONNX graph (src/onnx/model.ts), which is not a layer chain
 * and so has no `Model`. Commands that need the Keras structure (diagnose, inspect) use `loaded` when it is there.
 */
import { runModel } from '../engine/index';
import type { TensorRef } from '../engine/model';
import type { LoadedGraph, LoadedModel, OpenedModel } from './loaded-model';
import type { LoadLimits } from './limits';
import { isOnnx } from './onnx';
import type { RunnableModel } from './runnable-model';

export type { RunnableModel, RunnableOptions, RunnableResult } from './runnable-model';

export function runnableFromLoaded(loaded: LoadedModel): RunnableModel {
  // A Keras graph names its inputs (input layers) and outputs (the layers that make them); a chain has one of each.
  const graph = loaded.model.graph;
  const layerName = (r: TensorRef) => ('input' in r ? graph!.inputs[r.input]!.name : `${loaded.model.layers[graph!.nodes[r.node]!.layer]!.name}${r.output ? `:${r.output}` : ''}`);
  return {
    source: loaded.model.source,
    inputNames: graph ? graph.inputs.map((i) => i.name) : ['input'],
    outputNames: loaded.outputNames ?? (graph ? graph.outputs.map(layerName) : ['output']),
    loaded,
    run: (inputs, o) => {
      const r = runModel(loaded.model, graph ? inputs : inputs[0]!, { precision: o.precision, hardSigmoid: o.hardSigmoid, predictCalls: o.predictCalls ?? loaded.predictCalls, record: o.record });
      return { output: r.output, outputs: r.outputs, trace: r.trace };
    },
  };
}

/**
 * Any model file as a RunnableModel: an ONNX graph (src/onnx, loaded on demand) or whatever the loader table reads
 * (an engine Model).
 */
export async function loadRunnableBytes(
  bytes: Uint8Array,
  fileName: string,
  loadModel: () => Promise<LoadedModel>,
  limits?: Partial<LoadLimits>,
  readSibling?: (relativePath: string) => PromiseLike<Uint8Array>,
): Promise<RunnableModel> {
  if (isOnnx(bytes, fileName)) return (await import('../onnx/load')).loadOnnxWithSiblings(bytes, fileName, readSibling, limits);
  return runnableFromLoaded(await loadModel());
}

/**
 * A model file as the extension opens it: an ONNX graph checked in full and kept as its bytes and summary
 * (LoadedGraph), anything else loaded by the loader table.
 */
export async function openModelBytes(
  bytes: Uint8Array,
  fileName: string,
  loadModel: () => Promise<LoadedModel>,
  limits?: Partial<LoadLimits>,
): Promise<OpenedModel> {
  if (!isOnnx(bytes, fileName)) return loadModel();
  const model = (await import('../onnx/load')).loadOnnx(bytes, fileName, limits);
  const graph: LoadedGraph = { kind: 'graph', file: fileName, bytes, summary: (await import('../onnx/summary')).summarizeOnnxGraph(model.graph), inputNames: [...model.inputNames], outputNames: [...model.outputNames] };
  return graph;
}
