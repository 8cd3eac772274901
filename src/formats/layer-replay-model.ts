/**
 * Layer replay as ONE model the panel can open (issue 12 §4): every replayable recurrent layer of the exporter's
 * recording (src/formats/layer-replay.ts) becomes a call reading its own recorded inputs (sequence, mask, initial
 * states), side by side in one graph, returning its whole sequence and final states. Run once, it traces every such
 * layer on exactly the input Keras fed it; its outputs line up with what Keras recorded there, so the panel's
 * multi-input, multi-output views (Input picker, per-output comparison) show the replay without a mode of their own.
 */
import { stateNames, type Layer, type Model, type ModelGraph, type TensorRef } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import { replayCases, type ReplayCase } from './layer-replay';
import type { LayerReplayInfo, LoadedModel } from './loaded-model';
import type { Recording } from './recording';
import { replaySequenceName, replayStateName } from './replay-names';

/** A replay ready to run: the joined model with the recorded inputs and Keras's outputs, both in the graph's order. */
export interface LayerReplayModel extends LoadedModel {
  input: Tensor;
  inputs: Tensor[];
  expectedOutputs: Tensor[];
  replay: LayerReplayInfo;
}

/** How the outputs are named: `layer: h[t]` for the sequence, `layer: h_T` (→h_T / ←h_T for Bidirectional) for final states. */
function outputNames(c: ReplayCase, layer: Layer): string[] {
  const one = layer.kind === 'recurrent' ? stateNames(layer) : layer.kind === 'bidirectional' ? stateNames(layer.forward) : [];
  const states = layer.kind === 'bidirectional' ? [...one.map((s) => `→${s}_T`), ...one.map((s) => `←${s}_T`)] : one.map((s) => `${s}_T`);
  const n = c.expected.length - 1;
  return [replaySequenceName(c.name), ...Array.from({ length: n }, (_, k) => replayStateName(c.name, states[k] ?? `state ${k}`))];
}

/**
 * The recording's replayable layers joined into one model, or null when none can be replayed (no recorded layer
 * inputs: an older exporter, or nothing recurrent). `file` names the recording in messages; `refusal` is what the
 * loader refused (the Python layer).
 */
export function layerReplayModel(recording: Recording, file: string, refusal: string, name: string): LayerReplayModel | null {
  const all = replayCases(recording, file);
  const cases = all.filter((c) => !c.skipped);
  if (!cases.length) return null;
  const graph: ModelGraph = { inputs: [], nodes: [], outputs: [] };
  const inputs: Tensor[] = [];
  const expected: Tensor[] = [];
  const names: string[] = [];
  cases.forEach((c, i) => {
    // The case's own one-node graph, its input refs moved past the inputs of the cases before it.
    const g = c.model.graph!;
    const node = g.nodes[0]!;
    const at = (r: TensorRef): TensorRef => ('input' in r ? { input: r.input + inputs.length } : r);
    graph.nodes.push({ layer: i, inputs: node.inputs.map(at), shape: c.expected[0]!.shape.slice(1), ...(node.masks ? { masks: node.masks.map((m) => m && at(m)) } : {}), ...(node.initialState ? { initialState: node.initialState.map(at) } : {}) });
    graph.inputs.push(...g.inputs);
    inputs.push(...c.inputs);
    graph.outputs.push(...g.outputs.map((_, output) => ({ node: i, output })));
    expected.push(...c.expected);
    names.push(...outputNames(c, c.model.layers[0]!));
  });
  const first = cases[0]!.model;
  const model: Model = {
    name,
    layers: cases.map((c) => ({ ...c.model.layers[0]!, name: c.name })),
    graph,
    inputShape: first.inputShape,
    inputIsTokens: false,
    semantics: first.semantics,
    source: { file, format: 'cellscope-recording/v1 layer replay' },
  };
  return {
    model,
    predictCalls: 1,
    input: inputs[0]!,
    inputs,
    expectedOutput: expected[0]!,
    expectedOutputs: expected,
    outputNames: names,
    replay: { refusal, skipped: all.filter((c) => c.skipped).map((c) => ({ name: c.name, reason: c.skipped! })) },
  };
}
