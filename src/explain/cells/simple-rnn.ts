/**
 * SimpleRNN backwards. Forward: z = x·K + b + h₋·U; h = act(z). Backwards: dz = act'(z)·dh; dh₋ = U·dz; dx += K·dz.
 */
import type { RecurrentLayer } from '../../engine/model';
import { activationVjp } from '../derivatives';
import { weightIn } from '../linalg';
import { backwardProducts } from '../products';
import type { BackwardContext, CellBackward, StepValues } from './cell';

// Quantity rows of the engine's SimpleRNN trace: h, pre_h.
const Q_PRE_H = 1;

export function simpleRnnBackward(layer: RecurrentLayer, ctx: BackwardContext): CellBackward {
  const u = layer.config.units;
  const F = layer.weights.kernel.shape[0]!;
  const K = weightIn(layer.weights.kernel, ctx.precision);
  const U = weightIn(layer.weights.recurrentKernel, ctx.precision);
  const dAct = activationVjp(layer.config.activation, ctx.hardSigmoid);
  const dz = new Float64Array(u);
  const products = backwardProducts(K, F, U, u, u, ctx.rows ?? 1, ctx.precision);
  return {
    units: u,
    features: F,
    stateNames: ['h'],
    outputState: 0,
    step(v: StepValues, dStates: Float64Array[], _dOut: Float64Array | null, dx: Float64Array, dxOff: number): void {
      const dh = dStates[0]!;
      dAct(v.values[Q_PRE_H]!, v.at, dh, 0, dz, 0, u);
      dh.fill(0);
      products.recur(dz, 0, 0, u, dh);
      products.input(dz, 0, 0, u, dx, dxOff);
    },
    rows: {
      width: u,
      separate: false,
      products,
      step(v, dStates, dzIn, _dzRec, off) {
        dAct(v.values[Q_PRE_H]!, v.at, dStates[0]!, 0, dzIn, off, u);
        dStates[0]!.fill(0);
      },
    },
  };
}
