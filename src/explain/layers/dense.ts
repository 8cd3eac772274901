/**
 * Dense (on the last axis, so also TimeDistributed and 3-D inputs) and Activation backwards.
 * Dense: y = act(x·W + b); the pre-activation is recomputed from x; dpre = act'(pre)·dy; dx = dpre·Wᵀ.
 * Activation: y = act(x); dx = act'(x)·dy.
 */
import type { ActivationLayer, DenseLayer } from '../../engine/model';
import { activationVjp } from '../derivatives';
import { addMatVec, addVecMat, weightIn } from '../linalg';
import type { LayerCall } from './layer';

export function denseBackward(call: LayerCall & { layer: DenseLayer }): Float64Array | null {
  const { layer, ctx } = call;
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const x = call.input().data;
  const n = layer.kernel.shape[0]!;
  const m = layer.units;
  const rows = x.length / n;
  const W = weightIn(layer.kernel, ctx.precision);
  const bias = layer.bias ? weightIn(layer.bias, ctx.precision) : null;
  const vjp = activationVjp(layer.activation, ctx.hardSigmoid);
  const pre = new Float64Array(m);
  const dPre = new Float64Array(m);
  const dx = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    let any = false;
    for (let j = 0; j < m; j++) if (dy[r * m + j] !== 0) any = true;
    if (!any) continue;
    if (bias) pre.set(bias);
    else pre.fill(0);
    addVecMat(pre, 0, x, r * n, n, W, m, 0, m);
    vjp(pre, 0, dy, r * m, dPre, 0, m);
    addMatVec(dx, r * n, W, n, m, 0, m, dPre, 0);
  }
  return dx;
}

export function activationBackward(call: LayerCall & { layer: ActivationLayer }): Float64Array | null {
  const dy = call.dOutputs[0];
  if (!dy) return null;
  const x = call.input();
  const n = x.shape[x.shape.length - 1] ?? 1;
  const vjp = activationVjp(call.layer.activation, call.ctx.hardSigmoid);
  const dx = new Float64Array(dy.length);
  for (let off = 0; off < dx.length; off += n) vjp(x.data, off, dy, off, dx, off, n);
  return dx;
}
