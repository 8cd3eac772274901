/**
 * GRU backwards. Forward (gru.ts in the engine), gate order z, r, h̃, with xw = x·K + b_x:
 *   z = rec(xw_z + h₋·U_z [+ b_hz]);  r = rec(xw_r + h₋·U_r [+ b_hr])
 *   reset_after:  h̃ = act(xw_h + r·hw),  hw = h₋·U_h + b_hh   (hw is not in the trace: recomputed)
 *   otherwise:    h̃ = act(xw_h + (r·h₋)·U_h)
 *   h = z·h₋ + (1 − z)·h̃
 * Backwards, with dh given:
 *   dz = dh·(h₋ − h̃);  dh̃ = dh·(1 − z);  dh₋ = dh·z;  da = act'(pre_h̃)·dh̃
 *   reset_after:  dr = da·hw;  dh₋ += U·[rec'(pre_z)·dz, rec'(pre_r)·dr, r·da]
 *   otherwise:    d(rh) = U_h·da;  dr = d(rh)·h₋;  dh₋ += d(rh)·r + U_zr·[rec'(pre_z)·dz, rec'(pre_r)·dr]
 *   dx += K·[rec'(pre_z)·dz, rec'(pre_r)·dr, da]
 */
import { quantityRow } from '../../engine/cells/kinds';
import type { RecurrentLayer } from '../../engine/model';
import { activationVjp } from '../derivatives';
import { addVecMat, weightIn } from '../linalg';
import { backwardProducts } from '../products';
import type { BackwardContext, CellBackward, StepValues } from './cell';

// Quantity rows of the engine's GRU trace (CELL_KINDS.gru).
const [Q_Z, Q_R, Q_HT, Q_PRE_Z, Q_PRE_R, Q_PRE_HT] = ['z', 'r', 'h_tilde', 'pre_z', 'pre_r', 'pre_h_tilde'].map((k) => quantityRow('gru', k)) as [number, number, number, number, number, number];

export function gruBackward(layer: RecurrentLayer, ctx: BackwardContext): CellBackward {
  const u = layer.config.units;
  const gu = 3 * u;
  const F = layer.weights.kernel.shape[0]!;
  const resetAfter = layer.config.resetAfter;
  const K = weightIn(layer.weights.kernel, ctx.precision);
  const U = weightIn(layer.weights.recurrentKernel, ctx.precision);
  const bias = layer.config.useBias && layer.weights.bias ? weightIn(layer.weights.bias, ctx.precision) : null;
  const dAct = activationVjp(layer.config.activation, ctx.hardSigmoid);
  const dRec = activationVjp(layer.config.recurrentActivation, ctx.hardSigmoid);
  const dGate = new Float64Array(gu);
  const dPre = new Float64Array(gu);
  const hw = new Float64Array(u);
  const drh = new Float64Array(u);
  const products = backwardProducts(K, F, U, u, gu, 1, ctx.precision);

  return {
    units: u,
    features: F,
    stateNames: ['h'],
    outputState: 0,
    step(v: StepValues, dStates: Float64Array[], _dOut: Float64Array | null, dx: Float64Array, dxOff: number): void {
      const { values, at, prev, prevOff } = v;
      const dh = dStates[0]!;
      const [z, r, ht] = [values[Q_Z]!, values[Q_R]!, values[Q_HT]!];
      const hPrev = prev[0]!;
      for (let j = 0; j < u; j++) {
        const d = dh[j]!;
        dGate[j] = d * (hPrev[prevOff + j]! - ht[at + j]!); // dz
        dGate[2 * u + j] = d * (1 - z[at + j]!); // dh̃
        dh[j] = d * z[at + j]!; // dh₋ through z·h₋
      }
      dAct(values[Q_PRE_HT]!, at, dGate, 2 * u, dPre, 2 * u, u); // da
      if (resetAfter) {
        // hw = h₋·U_h + b_hh, the candidate's recurrent part before r scales it.
        for (let j = 0; j < u; j++) hw[j] = bias && bias.length === 2 * gu ? bias[gu + 2 * u + j]! : 0;
        addVecMat(hw, 0, hPrev, prevOff, u, U, gu, 2 * u, u);
        for (let j = 0; j < u; j++) dGate[u + j] = dPre[2 * u + j]! * hw[j]!; // dr
        dRec(values[Q_PRE_Z]!, at, dGate, 0, dPre, 0, u);
        dRec(values[Q_PRE_R]!, at, dGate, u, dPre, u, u);
        products.input(dPre, 0, 0, gu, dx, dxOff);
        // The recurrent product's candidate block is scaled by r: feed it r·da.
        for (let j = 0; j < u; j++) dPre[2 * u + j] = r[at + j]! * dPre[2 * u + j]!;
        products.recur(dPre, 0, 0, gu, dh);
      } else {
        drh.fill(0);
        products.recur(dPre, 2 * u, 2 * u, u, drh); // d(r·h₋) = U_h·da
        for (let j = 0; j < u; j++) {
          dGate[u + j] = drh[j]! * hPrev[prevOff + j]!; // dr
          dh[j] = dh[j]! + drh[j]! * r[at + j]!;
        }
        dRec(values[Q_PRE_Z]!, at, dGate, 0, dPre, 0, u);
        dRec(values[Q_PRE_R]!, at, dGate, u, dPre, u, u);
        products.input(dPre, 0, 0, gu, dx, dxOff);
        products.recur(dPre, 0, 0, 2 * u, dh);
      }
    },
  };
}
