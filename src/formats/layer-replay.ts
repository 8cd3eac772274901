/**
 * Layer replay (issue 12 §4): when a model holds a layer only Python can run (a Lambda, a custom class), the model
 * cannot run here as a whole, but each recurrent layer can, on the input Keras fed it. The exporter records, per
 * recurrent layer, that input (with the mask and initial states the layer received), the layer's config and weights,
 * and what the layer output there. This turns one such record into a one-layer model whose graph reads the recorded
 * tensors as inputs, set to return its whole sequence and its final states (what the recording holds).
 */
import type { Layer, Model, ModelGraph, RecurrentLayer, TensorRef } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import { child, fail, type At } from './json-read';
import { readLayerHeader } from './keras-layer-json';
import { convertKerasLayer } from './keras-layers';
import { semanticsFor, semanticsFromVersion } from './keras-semantics';
import type { RecordedLayer, Recording } from './recording';
import { WeightCursor } from './weights';
import { phrase } from '../phrase';

export const LAYER_REPLAY_LABEL = 'layer replay: inputs as recorded by Keras';

export interface ReplayCase {
  name: string;
  className: string;
  /** The layer alone, returning its full sequence and final states. */
  model: Model;
  /** In the model's input order: the sequence, then the mask (when one reached the layer), then the initial states. */
  inputs: Tensor[];
  /** What Keras computed: the full sequence (processing order, merged for Bidirectional), then the final states. */
  expected: Tensor[];
  /** Why this layer cannot be replayed (then `model` is not meant to run), e.g. a stateful layer called twice. */
  skipped?: string;
}

function returningEverything(layer: Layer): Layer {
  const all = (l: RecurrentLayer): RecurrentLayer => ({ ...l, config: { ...l.config, returnSequences: true, returnState: true } });
  if (layer.kind === 'recurrent') return all(layer);
  if (layer.kind === 'bidirectional') return { ...layer, forward: all(layer.forward), backward: all(layer.backward) };
  return layer;
}

/** The recorded layers that carry what replay needs, each as a runnable one-layer model. */
export function replayCases(recording: Recording, file: string): ReplayCase[] {
  const semantics = semanticsFromVersion(recording.kerasVersion, (v) => phrase('keras_version "{0}" in the recording', v)) ?? semanticsFor(3, phrase('the recording names no Keras version; the exporter needs Keras 3'));
  const cases: ReplayCase[] = [];
  recording.layers.forEach((rec, i) => {
    if (rec.replay) cases.push(replayCase(rec, { file, path: ['layers', i] }, semantics, recording.predictCalls));
  });
  return cases;
}

function replayCase(rec: RecordedLayer, at: At, semantics: Model['semantics'], predictCalls: number): ReplayCase {
  const r = rec.replay!;
  const configAt: At = { file: at.file, path: r.configPath };
  const h = readLayerHeader(r.config, configAt, rec.name);
  if (h.className !== rec.className) fail(child(configAt, 'class_name'), `"${rec.className}" (the recorded layer's class_name)`, `"${h.className}"`);
  const [, time, features] = r.input.shape;
  const cursor = new WeightCursor(
    r.weights.map((tensor, j) => ({ tensor, path: [...r.weightsPath, j] })),
    at.file,
    r.weightsPath,
    `layer "${rec.name}"`,
  );
  const converted = convertKerasLayer(h, { dims: [time!, features!], from: `the recorded input of layer "${rec.name}"` }, cursor, { file: at.file, semantics });
  cursor.finish();
  const layer = returningEverything(converted.layer);
  const inputs: Tensor[] = [r.input];
  const graphInputs: ModelGraph['inputs'] = [{ name: `${rec.name} input`, shape: [time!, features!], tokens: false }];
  const node: ModelGraph['nodes'][number] = { layer: 0, inputs: [{ input: 0 }] };
  if (r.mask) {
    node.masks = [{ input: inputs.length }];
    graphInputs.push({ name: `${rec.name} mask`, shape: [time!], tokens: false });
    inputs.push(r.mask);
  }
  if (r.initialState?.length) {
    node.initialState = r.initialState.map((s, j): TensorRef => {
      graphInputs.push({ name: `${rec.name} initial state ${j}`, shape: s.shape.slice(1), tokens: false });
      inputs.push(s);
      return { input: inputs.length - 1 };
    });
  }
  const stateCount = rec.states?.length ?? 0;
  const graph: ModelGraph = { inputs: graphInputs, nodes: [node], outputs: Array.from({ length: 1 + stateCount }, (_, output) => ({ node: 0, output })) };
  const model: Model = {
    name: `${rec.name} (${LAYER_REPLAY_LABEL})`,
    layers: [layer],
    graph,
    inputShape: [time!, features!],
    inputIsTokens: false,
    semantics,
    source: { file: at.file, format: 'cellscope-recording/v1 layer replay' },
  };
  const stateful = layer.kind === 'recurrent' ? layer.config.stateful : layer.kind === 'bidirectional' && layer.forward.config.stateful;
  const skipped =
    stateful && predictCalls > 1
      ? `stateful layer recorded after ${predictCalls} calls: the states it started the last call from are not in the recording`
      : layer.kind === 'bidirectional' && layer.mergeMode === null
        ? 'Bidirectional with merge_mode None: the recording holds only its forward sequence'
        : undefined;
  return { name: rec.name, className: rec.className, model, inputs, expected: [rec.output, ...(rec.states ?? [])], ...(skipped ? { skipped } : {}) };
}
