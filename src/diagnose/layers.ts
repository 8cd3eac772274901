/**
 * Hypotheses about one recurrent layer's configuration or weights. A layer rule is applied to every recurrent layer
 * it fits (a re-implementation's mistake is usually systematic), and, in a model with several recurrent layers, also
 * to each layer alone (see `restrictToLayer`).
 */
import type { Direction } from '../engine/trace';
import { recurrentLayersOf, type Layer, type Model, type RecurrentLayer } from '../engine/model';
import type { Concept, Hypothesis } from './types';
import { phrase, type Phrase } from '../phrase';

export interface LayerRule {
  id: string;
  title: Phrase;
  concept: Concept;
  /** True, or why the rule does not fit this layer (a Phrase when noteWhenInapplicable may show it). */
  layerApplies(layer: RecurrentLayer, direction: Direction, parent: Layer): true | string | Phrase;
  applyLayer(layer: RecurrentLayer, direction: Direction, parent: Layer): RecurrentLayer;
  noteWhenInapplicable?: boolean;
}

export interface LayerHypothesis extends Hypothesis {
  rule: LayerRule;
  /** Top-level layer name this copy is restricted to; undefined: every layer the rule fits. */
  only?: string;
}

export function layerHypothesis(rule: LayerRule, only?: string): LayerHypothesis {
  // A user-defined cell has no fused Keras weights or gate layout: none of these mistakes apply to it.
  const fits = (layer: RecurrentLayer, direction: Direction, parent: Layer): true | string | Phrase =>
    (layer.cell as string) === 'custom' ? phrase('a custom cell') : rule.layerApplies(layer, direction, parent);
  const pick = (model: Model) =>
    recurrentLayersOf(model).filter(({ layerIndex }) => only === undefined || model.layers[layerIndex]!.name === only);
  return {
    id: only === undefined ? rule.id : `${rule.id}@${only}`,
    title: only === undefined ? rule.title : phrase('{0} (layer {1} only)', rule.title, only),
    concept: rule.concept,
    rule,
    ...(only === undefined ? {} : { only }),
    ...(rule.noteWhenInapplicable ? { noteWhenInapplicable: true } : {}),
    applies(model) {
      const layers = pick(model);
      if (!layers.length) return phrase('no recurrent layer');
      let reason: Phrase | undefined;
      for (const { layerIndex, direction, layer } of layers) {
        const ok = fits(layer, direction, model.layers[layerIndex]!);
        if (ok === true) return true;
        reason ??= phrase('{0}: {1}', layer.name, ok);
      }
      return reason!;
    },
    apply(trial) {
      const model = trial.model;
      const fix = (layer: RecurrentLayer, direction: Direction, parent: Layer) =>
        fits(layer, direction, parent) === true ? rule.applyLayer(layer, direction, parent) : layer;
      const layers = model.layers.map((l): Layer => {
        if (only !== undefined && l.name !== only) return l;
        if (l.kind === 'recurrent') return fix(l, 'forward', l);
        if (l.kind === 'bidirectional') return { ...l, forward: fix(l.forward, 'forward', l), backward: fix(l.backward, 'backward', l) };
        return l;
      });
      return { ...trial, model: { ...model, layers } };
    },
  };
}

/** The same rule on one top-level layer only. */
export function restrictToLayer(h: LayerHypothesis, layerName: string): LayerHypothesis {
  return layerHypothesis(h.rule, layerName);
}

/** Names of the top-level layers that hold recurrent cells. */
export function recurrentLayerNames(model: Model): string[] {
  return model.layers.filter((l) => l.kind === 'recurrent' || l.kind === 'bidirectional').map((l) => l.name);
}

export function withConfig(layer: RecurrentLayer, change: Partial<RecurrentLayer['config']>): RecurrentLayer {
  return { ...layer, config: { ...layer.config, ...change } };
}

export function withWeights(layer: RecurrentLayer, change: Partial<RecurrentLayer['weights']>): RecurrentLayer {
  return { ...layer, weights: { ...layer.weights, ...change } };
}
