/**
 * The one place the panel's run happens, whatever the model: an engine Model (Keras, TF.js, PyTorch, fixtures) runs
 * as a layer chain; an ONNX graph (LoadedGraph) is read again from its bytes and run whole, every recurrent operator
 * traced. The engine worker, its in-process fallback and PanelSession all call this.
 */
import { RunError } from '../engine/errors';
import { runModel, type PredictOptions, type RunResult } from '../engine/index';
import type { Model } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import { isGraph, type LoadedGraph, type OpenedModel } from '../formats/loaded-model';
import type * as OnnxLoad from '../onnx/load';

/** What the panel runs: an engine Model or an ONNX graph's file. */
export type PanelModel = Model | LoadedGraph;

/** What a panel run takes: the one input, or one tensor per model input in the model's order (a multi-input graph). */
export type PanelInput = Tensor | readonly Tensor[];

/** The inputs of a run, one per model input. */
export const inputList = (input: PanelInput): readonly Tensor[] => (Array.isArray(input) ? input : [input as Tensor]);

export const isGraphModel = (m: PanelModel): m is LoadedGraph => (m as LoadedGraph).kind === 'graph';

/** The engine Model when there is one (weight views and diagnoses need it). */
export const engineModel = (m: PanelModel): Model | null => (isGraphModel(m) ? null : m);

/** What runs of a model file as the extension opened it: the engine Model, or the graph. */
export function panelModelOf(opened: OpenedModel): PanelModel {
  return isGraph(opened) ? opened : opened.model;
}

/**
 * The ONNX reader (protobufjs and the graph interpreter, ~100 modules), loaded the first time a graph is read, not
 * with dist/host.js: imported statically it was evaluated on the extension's first use for every model (host.js's
 * load went from 165 to 266 module initialisations, ~2× the CPU time). require() keeps the run synchronous; esbuild
 * bundles the module and initialises it on the first call.
 */
export function onnxReader(): typeof OnnxLoad {
  return require('../onnx/load') as typeof OnnxLoad;
}

export function runPanelModel(m: PanelModel, input: PanelInput, options: PredictOptions): RunResult {
  if (!isGraphModel(m)) return runModel(m, input, options);
  const graph = onnxReader().loadOnnx(m.bytes, m.file);
  const given = inputList(input);
  if (given.length > 1) {
    const r = graph.run([...given], { record: options.record ?? true });
    return { output: r.output, outputs: r.outputs, layerOutputs: [], trace: r.trace };
  }
  if (graph.inputNames.length !== 1) {
    throw new RunError(`${m.file} takes ${graph.inputNames.length} inputs (${graph.inputNames.join(', ')}); the panel feeds one`, 'run it from the command line: cellscope trace FILE --input IN, with a JSON array of the inputs');
  }
  const r = graph.run([given[0]!], { record: options.record ?? true });
  return { output: r.output, outputs: r.outputs, layerOutputs: [], trace: r.trace };
}
