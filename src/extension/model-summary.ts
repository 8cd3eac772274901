/**
 * What the extension tells the user about a loaded model. The per-layer description (Keras class, parameter count,
 * settings, output shape) is the engine's `summarizeModel` (the same one `cellscope inspect` prints); this adds what
 * only the extension reports: layer kind and units (returned by `cellscope.loadModelSummary`), file format and
 * whether the file carries an input or Keras's output.
 */
import type { Layer, Model } from '../engine/model';
import { summarizeModel as summarizeEngineModel, summaryText as engineSummaryText, type LayerSummary, type ModelSummary } from '../engine/summary';
import type { LoadedGraph } from '../formats/loaded-model';
import { english, verbatim } from '../phrase';

export interface LayerInfo extends LayerSummary {
  /** Our layer kind: recurrent, bidirectional, dense, embedding, flatten, activation, pass_through. */
  kind: Layer['kind'];
  /** Units of the layer (per direction for Bidirectional); embedding output size; absent for Flatten and friends. */
  units?: number;
}

export interface ModelSummaryInfo {
  name: string;
  file: string;
  format: string;
  kerasVersion?: string;
  inputShape: (number | null)[];
  inputIsTokens: boolean;
  semantics: { kerasMajor: 2 | 3; hardSigmoid: string; decidedBy: string };
  /** The engine's one-line semantics text. */
  semanticsText: string;
  layers: LayerInfo[];
  params: number;
  /** The file carries an input (and maybe Keras's own output for it). */
  hasInput: boolean;
  hasExpectedOutput: boolean;
  predictCalls: number;
}

function unitsOf(layer: Layer): number | undefined {
  switch (layer.kind) {
    case 'recurrent':
      return layer.config.units;
    case 'bidirectional':
      return layer.forward.config.units;
    case 'dense':
      return layer.units;
    case 'embedding':
      return layer.outputDim;
    default:
      return undefined;
  }
}

export function summarizeModel(loaded: { model: Model; input?: unknown; expectedOutput?: unknown; predictCalls?: number }): ModelSummaryInfo {
  const m = loaded.model;
  const s = summarizeEngineModel(m);
  const layers = s.layers.map((l, i): LayerInfo => {
    const layer = m.layers[i]!;
    const units = unitsOf(layer);
    return { ...l, kind: layer.kind, ...(units !== undefined ? { units } : {}) };
  });
  return {
    name: m.name,
    file: m.source.file,
    format: m.source.format,
    ...(m.source.kerasVersion ? { kerasVersion: m.source.kerasVersion } : {}),
    inputShape: m.inputShape,
    inputIsTokens: m.inputIsTokens,
    semantics: { ...m.semantics, decidedBy: english(m.semantics.decidedBy) },
    semanticsText: english(s.semantics),
    layers,
    params: s.params,
    hasInput: loaded.input !== undefined,
    hasExpectedOutput: loaded.expectedOutput !== undefined,
    predictCalls: loaded.predictCalls ?? 1,
  };
}

/** Multi-line text for the output channel: the engine's table (as `cellscope inspect`) plus file facts. */
export function summaryText(s: ModelSummaryInfo): string {
  const table = engineSummaryText({ name: s.name, layers: s.layers, params: s.params, inputShape: s.inputShape, semantics: verbatim(s.semanticsText) });
  return [
    `${s.file} (${s.format}${s.kerasVersion ? `, keras_version ${s.kerasVersion}` : ''})`,
    ...table.split('\n').map((l) => '  ' + l),
    `  total params: ${s.params.toLocaleString('en-US')}${s.inputIsTokens ? '; input: token ids' : ''}`,
    `  sample input in file: ${s.hasInput ? 'yes' : 'no'}; Keras output in file: ${s.hasExpectedOutput ? 'yes' : 'no'}` +
      (s.predictCalls > 1 ? `; predict calls: ${s.predictCalls}` : ''),
  ].join('\n');
}

/** An ONNX graph: the nodes that hold weights or recurrence (src/onnx/summary.ts), its inputs and outputs. */
export interface GraphSummaryInfo extends ModelSummary {
  file: string;
  format: 'onnx';
  inputNames: string[];
  outputNames: string[];
}

export function summarizeGraph(g: LoadedGraph): GraphSummaryInfo {
  return { ...g.summary, file: g.file, format: 'onnx', inputNames: g.inputNames, outputNames: g.outputNames };
}

export function graphSummaryText(s: GraphSummaryInfo): string {
  return [`${s.file} (ONNX; inputs ${s.inputNames.join(', ')}; outputs ${s.outputNames.join(', ')})`, ...engineSummaryText(s).split('\n').map((l) => '  ' + l)].join('\n');
}
