/**
 * Per-layer hidden sequences: when a recording carries each recurrent layer's full hidden sequence, the engine's is
 * computed the way the exporter made Keras's (the model up to that layer, that layer with return_sequences=True) and
 * compared, so the first layer that goes wrong can be named.
 */
import { compareTensors, type Tolerance } from '../compare/compare';
import { runModel } from '../engine';
import { modelUpTo, type Layer, type Model, type RecurrentLayer } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import type { RecordedLayer } from '../formats/recording';
import type { LayerCheck, Trial } from './types';

const fullSequence = (l: RecurrentLayer): RecurrentLayer => ({ ...l, config: { ...l.config, returnSequences: true, returnState: false } });

/** The model up to layer `k`, that layer returning its whole sequence (null when it is not recurrent). */
export function prefixModel(model: Model, k: number): Model | null {
  const last = model.layers[k];
  if (!last) return null;
  let changed: Layer;
  if (last.kind === 'recurrent') changed = fullSequence(last);
  else if (last.kind === 'bidirectional') changed = { ...last, forward: fullSequence(last.forward), backward: fullSequence(last.backward) };
  else return null;
  return modelUpTo(model, k, changed);
}

function findLayer(model: Model, rec: RecordedLayer): number {
  const byName = model.layers.findIndex((l) => l.name === rec.name);
  if (byName >= 0) return byName;
  const i = rec.index;
  return i !== undefined && (model.layers[i]?.kind === 'recurrent' || model.layers[i]?.kind === 'bidirectional') ? i : -1;
}

/** Every recorded layer that the model has, compared in model order; layers the model lacks are skipped. */
export function checkLayers(trial: Trial, input: Tensor, recorded: readonly RecordedLayer[], tolerance: Tolerance): LayerCheck[] {
  const found = recorded
    .map((rec) => ({ rec, k: findLayer(trial.model, rec) }))
    .filter(({ k }) => k >= 0)
    .sort((a, b) => a.k - b.k);
  const out: LayerCheck[] = [];
  for (const { rec, k } of found) {
    const prefix = prefixModel(trial.model, k);
    if (!prefix) continue;
    try {
      const r = runModel(prefix, input, { precision: trial.precision, hardSigmoid: trial.hardSigmoid, predictCalls: trial.predictCalls, record: false });
      out.push({ layer: trial.model.layers[k]!.name, comparison: compareTensors(r.output, rec.output, tolerance) });
    } catch {
      // A layer the engine cannot run on its own is left out rather than reported as a divergence.
    }
  }
  return out;
}
