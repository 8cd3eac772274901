/**
 * The activation layers with parameters backwards (src/engine/layers/activation-layers.ts): ReLU (slope 1 between
 * threshold and max_value, negative_slope below, 0 above the cap), LeakyReLU (1 at x ≥ 0, as jnp.where(x ≥ 0) gives),
 * ELU (α·eˣ below 0), PReLU (α at the element's position below 0), Softmax along its axis (y ⊙ (dy − ⟨dy, y⟩)).
 */
import type { ActivationFnLayer } from '../../engine/layers/activation-layers';
import { resolveAxis } from '../../engine/layers/flow';
import { activationVjp } from '../derivatives';
import type { LayerCall } from './layer';

export function activationFnBackward(call: LayerCall & { layer: ActivationFnLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const { layer } = call;
  const x = call.input();
  const v = x.data;
  switch (layer.kind) {
    case 'relu': {
      const { maxValue, negativeSlope: a, threshold: th } = layer;
      return Float64Array.from(dy, (g, k) => (maxValue !== null && v[k]! >= maxValue ? 0 : v[k]! > th ? g : v[k]! < th ? g * a : 0));
    }
    case 'leaky_relu':
      return Float64Array.from(dy, (g, k) => (v[k]! >= 0 ? g : g * layer.negativeSlope));
    case 'elu':
      return Float64Array.from(dy, (g, k) => (v[k]! > 0 ? g : g * layer.alpha * Math.exp(v[k]!)));
    case 'prelu': {
      const sample = x.shape.slice(1);
      const aShape = layer.alpha.shape;
      const per = sample.reduce((p, d) => p * d, 1);
      return Float64Array.from(dy, (g, k) => {
        if (v[k]! > 0) return g;
        // Position in alpha: the sample index with shared axes (size 1) pinned at 0 (as the forward).
        let rem = k % per;
        const idx = new Array<number>(sample.length);
        for (let a = sample.length - 1; a >= 0; a--) {
          idx[a] = rem % sample[a]!;
          rem = Math.floor(rem / sample[a]!);
        }
        let ai = 0;
        for (let a = 0; a < sample.length; a++) ai = ai * aShape[a]! + (aShape[a] === 1 ? 0 : idx[a]!);
        return v[k]! < 0 ? g * layer.alpha.data[ai]! : 0;
      });
    }
    case 'softmax': {
      const axis = resolveAxis(layer.axis, x.shape.length, layer.name);
      const n = x.shape[axis]!;
      const inner = x.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
      const outer = v.length / (n * inner);
      const vjp = activationVjp('softmax', call.ctx.hardSigmoid);
      const dx = new Float64Array(dy.length);
      const pre = new Float64Array(n);
      const d = new Float64Array(n);
      const out = new Float64Array(n);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          for (let j = 0; j < n; j++) {
            pre[j] = v[(o * n + j) * inner + i]!;
            d[j] = dy[(o * n + j) * inner + i]!;
          }
          vjp(pre, 0, d, 0, out, 0, n);
          for (let j = 0; j < n; j++) dx[(o * n + j) * inner + i] = out[j]!;
        }
      }
      return dx;
    }
  }
}
