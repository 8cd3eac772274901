/**
 * LRP through the layers around the cells: Dense by the ε-rule on its pre-activation (an element-wise activation
 * passes relevance unchanged), Bidirectional's concat splits, sum and ave split by the ε-rule between the
 * directions (mul is a gate-like product: no rule).
 */
import type { DenseLayer } from '../../engine/model';
import { ExplainError, type LayerCall } from '../layers/layer';
import { addVecMat, weightIn } from '../linalg';
import { ratios, sharedPart, spread, type RuleOptions } from './rule';

export function lrpDense(call: LayerCall & { layer: DenseLayer }, o: RuleOptions): Float64Array | null {
  const { layer } = call;
  const R = call.dOutputs[0];
  if (!R) return null;
  if (layer.activation === 'softmax' || layer.activation === 'log_softmax') {
    if (!call.isLast) throw new ExplainError(`layer "${layer.name}": lrp has no rule for a ${layer.activation} inside the model`);
  }
  const x = call.input().data;
  const n = layer.kernel.shape[0]!;
  const m = layer.units;
  const rows = x.length / n;
  const W = weightIn(layer.kernel, call.ctx.precision);
  const bias = layer.bias ? weightIn(layer.bias, call.ctx.precision) : null;
  const pre = new Float64Array(m);
  const f = new Float64Array(m);
  const Rin = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    if (bias) pre.set(bias);
    else pre.fill(0);
    addVecMat(pre, 0, x, r * n, n, W, m, 0, m);
    ratios(pre, 0, R, r * m, m, o.eps, f);
    spread(Rin, r * n, x, r * n, n, W, m, 0, m, f, sharedPart(pre, 0, bias, 0, m, f, n, o));
  }
  return Rin;
}

/** The pre-activation of a last Dense layer at one output position: what LRP explains when the head is non-linear. */
export function densePreActivation(layer: DenseLayer, x: ArrayLike<number>, row: number, unit: number): number {
  const n = layer.kernel.shape[0]!;
  let z = layer.bias ? layer.bias.data[unit]! : 0;
  for (let k = 0; k < n; k++) z += x[row * n + k]! * layer.kernel.data[k * layer.units + unit]!;
  return z;
}
