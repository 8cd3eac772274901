/**
 * Keras GRU, kernel columns in gate order z, r, h. Two variants differ in where the reset gate acts:
 *   reset_after=false:  h̃ = act(x·K_h + b_h + (r·h)·U_h)
 *   reset_after=true:   h̃ = act(x·K_h + b_xh + r·(h·U_h + b_hh))     (cuDNN-compatible; bias is [2, 3u])
 * then h = z·h + (1 − z)·h̃.
 */
import { addVecMat } from '../linalg';
import type { FloatArray } from '../tensor';
import { preActivation, quantity, type CellStepper } from './cell';
import type { BoundWeights } from './context';

const Z = quantity('z', 'z', 'gate', 'update gate: how much of the old h is kept');
const R = quantity('r', 'r', 'gate', 'reset gate: how much of the old h feeds the candidate');
const HT = quantity('h_tilde', 'h̃', 'candidate', 'candidate hidden state');
const H = quantity('h', 'h', 'state', 'hidden state (the output)');
const QUANTITIES = [Z, R, HT, H, preActivation(Z), preActivation(R), preActivation(HT)];
const [Q_Z, Q_R, Q_HT, Q_H, Q_PRE_Z, Q_PRE_R, Q_PRE_HT] = [0, 1, 2, 3, 4, 5, 6];

export function gruCell(w: BoundWeights, resetAfter: boolean): CellStepper {
  const { units: u, features, kernel, recurrentKernel: U, bias, act, rec, round } = w;
  const gu = 3 * u;
  const xw = w.buffer(gu); // x·K + input bias
  const hw = w.buffer(gu); // h·U (+ recurrent bias when reset_after)
  const rh = w.buffer(u); // r·h, for reset_after=false
  return {
    units: u,
    features,
    quantities: QUANTITIES,
    stateNames: ['h'],
    outputQuantity: Q_H,
    step(x: FloatArray, xOff: number, states: FloatArray[], sOff: number, out: FloatArray[], oOff: number): void {
      const h = states[0]!;
      const [zOut, rOut, htOut, hOut] = [out[Q_Z]!, out[Q_R]!, out[Q_HT]!, out[Q_H]!];
      const [preZ, preR, preHt] = [out[Q_PRE_Z]!, out[Q_PRE_R]!, out[Q_PRE_HT]!];
      xw.fill(0);
      addVecMat(xw, 0, x, xOff, features, kernel, gu, 0, gu);
      if (bias) for (let j = 0; j < gu; j++) xw[j] += bias[j]!;
      hw.fill(0);
      // reset_after=false needs r before the candidate's recurrent product, so only the z and r blocks now.
      addVecMat(hw, 0, h, sOff, u, U, gu, 0, resetAfter ? gu : 2 * u);
      if (resetAfter && bias) for (let j = 0; j < gu; j++) hw[j] += bias[gu + j]!;
      for (let j = 0; j < u; j++) {
        preZ[oOff + j] = xw[j]! + hw[j]!;
        preR[oOff + j] = xw[u + j]! + hw[u + j]!;
      }
      zOut.set(preZ.subarray(oOff, oOff + u), oOff);
      rOut.set(preR.subarray(oOff, oOff + u), oOff);
      rec(zOut, oOff, u);
      rec(rOut, oOff, u);
      if (resetAfter) {
        for (let j = 0; j < u; j++) preHt[oOff + j] = xw[2 * u + j]! + round(rOut[oOff + j]! * hw[2 * u + j]!);
      } else {
        for (let j = 0; j < u; j++) rh[j] = rOut[oOff + j]! * h[sOff + j]!;
        hw.fill(0, 2 * u);
        addVecMat(hw, 2 * u, rh, 0, u, U, gu, 2 * u, u);
        for (let j = 0; j < u; j++) preHt[oOff + j] = xw[2 * u + j]! + hw[2 * u + j]!;
      }
      htOut.set(preHt.subarray(oOff, oOff + u), oOff);
      act(htOut, oOff, u);
      for (let j = 0; j < u; j++) {
        const k = oOff + j;
        const zk = zOut[k]!;
        hOut[k] = round(zk * h[sOff + j]!) + round(round(1 - zk) * htOut[k]!);
      }
      h.set(hOut.subarray(oOff, oOff + u), sOff);
    },
  };
}
