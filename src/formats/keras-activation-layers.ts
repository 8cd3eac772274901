/** The activation layers with parameters (ReLU, LeakyReLU, PReLU, ELU, Softmax) → engine layers; Keras 2 and 3 spellings. */
import type { Layer } from '../engine/model';
import { child, fail, readArray } from './json-read';
import { readNumber } from './keras-layer-args';
import type { LayerHeader, LayerEnv } from './keras-layer-json';
import type { Converted, Flow } from './keras-recurrent';
import type { WeightCursor } from './weights';

export const ACTIVATION_LAYER_CLASSES = ['ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'Softmax'];

export function convertActivationLayer(h: LayerHeader, flow: Flow, weights: WeightCursor, env: LayerEnv): Converted<Layer> {
  const same = (layer: Layer): Converted<Layer> => ({ layer, out: { ...flow, from: `the output of layer "${h.name}"` }, consumed: flow.dims ?? [] });
  switch (h.className) {
    case 'ReLU':
      return same({ kind: 'relu', name: h.name, maxValue: readNumber(h, 'max_value', null), negativeSlope: readNumber(h, 'negative_slope', 0)!, threshold: readNumber(h, 'threshold', 0)! });
    case 'LeakyReLU':
      // Keras 3 writes negative_slope; Keras 2 and TF.js alpha (both default 0.3).
      return same({ kind: 'leaky_relu', name: h.name, negativeSlope: readNumber(h, 'negative_slope', null) ?? readNumber(h, 'alpha', 0.3)! });
    case 'ELU':
      return same({ kind: 'elu', name: h.name, alpha: readNumber(h, 'alpha', 1)! });
    case 'Softmax': {
      const axis = Array.isArray(h.config.axis) ? readArray(h.config.axis, child(h.configAt, 'axis')) : [h.config.axis ?? -1];
      if (axis.length !== 1 || typeof axis[0] !== 'number') fail(child(h.configAt, 'axis'), `one axis for Softmax layer "${h.name}"`, JSON.stringify(h.config.axis));
      return same({ kind: 'softmax', name: h.name, axis: axis[0] as number });
    }
    default: {
      // PReLU: alpha has the sample shape with 1 on shared_axes (1-based, batch excluded).
      const shared = h.config.shared_axes === null || h.config.shared_axes === undefined ? [] : (Array.isArray(h.config.shared_axes) ? h.config.shared_axes : [h.config.shared_axes]) as number[];
      const shape = flow.dims ? flow.dims.map((d, i) => (shared.includes(i + 1) ? 1 : d)) : [];
      void env;
      const alpha = weights.take({ layer: h.name, role: 'alpha', shape, because: `the sample shape with 1 on shared_axes ${JSON.stringify(shared)}` });
      return same({ kind: 'prelu', name: h.name, alpha });
    }
  }
}
