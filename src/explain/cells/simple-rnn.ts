/**
 * SimpleRNN backwards. Forward: z = x·K + b + h₋·U; h = act(z). Backwards: dz = act'(z)·dh; dh₋ = U·dz; dx += K·dz.
 */
import type { RecurrentLayer } from '../../engine/model';
import { activationVjp } from '../derivatives';
import { addMatVec, weightIn } from '../linalg';
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
  return {
    units: u,
    features: F,
    stateNames: ['h'],
    outputState: 0,
    step(v: StepValues, dStates: Float64Array[], _dOut: Float64Array | null, dx: Float64Array, dxOff: number): void {
      const dh = dStates[0]!;
      dAct(v.values[Q_PRE_H]!, v.at, dh, 0, dz, 0, u);
      dh.fill(0);
      addMatVec(dh, 0, U, u, u, 0, u, dz, 0);
      addMatVec(dx, dxOff, K, F, u, 0, u, dz, 0);
    },
  };
}
