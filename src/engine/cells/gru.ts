/**
 * Keras GRU, kernel columns in gate order z, r, h. Two variants differ in where the reset gate acts:
 *   reset_after=false:  h̃ = act(x·K_h + b_h + (r·h)·U_h)
 *   reset_after=true:   h̃ = act(x·K_h + b_xh + r·(h·U_h + b_hh))     (cuDNN-compatible; bias is [2, 3u])
 * then h = z·h + (1 − z)·h̃.
 */
import { vecMat } from '../linalg';
import type { FloatArray } from '../tensor';
import type { CellStepper } from './cell';
import { gateSpec, type BatchedCell, type BoundWeights, type RowProduct } from './context';
import { gruCandidate32 as candidate32, gruCandidate64 as candidate64, gruGates32 as gates32, gruGates64 as gates64 } from './generated/fused';
import { CELL_KINDS, quantityRow } from './kinds';

// Module-local bindings: hot loops then call them directly, not through a module namespace getter (tsx, tests).
// The fused step when both activations are element-wise, one twin per precision (generated from fused.template.ts).
const [gruGates32, gruGates64, gruCandidate32, gruCandidate64] = [gates32, gates64, candidate32, candidate64];

const KIND = CELL_KINDS.gru;
const [Q_Z, Q_R, Q_HT, Q_H, Q_PRE_Z, Q_PRE_R, Q_PRE_HT] = ['z', 'r', 'h_tilde', 'h', 'pre_z', 'pre_r', 'pre_h_tilde'].map((k) => quantityRow('gru', k)) as [number, number, number, number, number, number, number];
const GATES = KIND.gates.length;

export function gruCell(w: BoundWeights, resetAfter: boolean): CellStepper & BatchedCell {
  const { units: u, features, kernel, recurrentKernel: U, bias, act, rec, actScalar, recScalar, f32, round } = w;
  const gu = GATES * u;
  // reset_after=false needs r before the candidate's recurrent product, so only the z and r blocks come precomputed.
  const recurrentColumns = resetAfter ? gu : 2 * u;
  const xw = w.buffer(gu); // x·K + input bias
  const hw = w.buffer(gu); // h·U (+ recurrent bias when reset_after)
  const rh = w.buffer(u); // r·h, for reset_after=false
  const xkRow = w.buffer(gu);
  const huRow = w.buffer(gu);
  const rowProduct: RowProduct = (v, vOff, cOff, cols, dst, dOff) => vecMat(dst, dOff, v, vOff, u, U, gu, cOff, cols);

  function stepWith(
    xk: FloatArray,
    xkOff: number,
    hu: FloatArray,
    huOff: number,
    states: FloatArray[],
    sOff: number,
    out: FloatArray[],
    oOff: number,
    candidateProduct: RowProduct,
  ): void {
    const h = states[0]!;
    if (actScalar && recScalar) {
      // Fused: one pass per unit (reset_after=false: the z, r pass, the candidate's product, then the rest).
      if (f32) {
        gruGates32(xk, xkOff, hu, huOff, bias, resetAfter, h, sOff, out, oOff, u, recScalar, actScalar, rh);
        if (!resetAfter) {
          candidateProduct(rh, 0, 2 * u, u, hw, 2 * u);
          gruCandidate32(xk, xkOff, hw, 2 * u, bias, h, sOff, out, oOff, u, actScalar);
        }
      } else {
        gruGates64(xk, xkOff, hu, huOff, bias, resetAfter, h, sOff, out, oOff, u, recScalar, actScalar, rh);
        if (!resetAfter) {
          candidateProduct(rh, 0, 2 * u, u, hw, 2 * u);
          gruCandidate64(xk, xkOff, hw, 2 * u, bias, h, sOff, out, oOff, u, actScalar);
        }
      }
      return;
    }
    // Every rounding written out (whole-vector activations, and float16 / bfloat16 layers kept in float32 arrays).
    const [zOut, rOut, htOut, hOut] = [out[Q_Z]!, out[Q_R]!, out[Q_HT]!, out[Q_H]!];
    const [preZ, preR, preHt] = [out[Q_PRE_Z]!, out[Q_PRE_R]!, out[Q_PRE_HT]!];
    for (let j = 0; j < gu; j++) xw[j] = bias ? round(xk[xkOff + j]! + bias[j]!) : xk[xkOff + j]!;
    for (let j = 0; j < recurrentColumns; j++) hw[j] = resetAfter && bias ? round(hu[huOff + j]! + bias[gu + j]!) : hu[huOff + j]!;
    if (recScalar) {
      for (let j = 0; j < u; j++) {
        const k = oOff + j;
        zOut[k] = recScalar((preZ[k] = round(xw[j]! + hw[j]!)));
        rOut[k] = recScalar((preR[k] = round(xw[u + j]! + hw[u + j]!)));
      }
    } else {
      for (let j = 0; j < u; j++) {
        const k = oOff + j;
        preZ[k] = zOut[k] = round(xw[j]! + hw[j]!);
        preR[k] = rOut[k] = round(xw[u + j]! + hw[u + j]!);
      }
      rec(zOut, oOff, u);
      rec(rOut, oOff, u);
    }
    if (resetAfter) {
      for (let j = 0; j < u; j++) preHt[oOff + j] = round(xw[2 * u + j]! + round(rOut[oOff + j]! * hw[2 * u + j]!));
    } else {
      for (let j = 0; j < u; j++) rh[j] = round(rOut[oOff + j]! * h[sOff + j]!);
      candidateProduct(rh, 0, 2 * u, u, hw, 2 * u);
      for (let j = 0; j < u; j++) preHt[oOff + j] = round(xw[2 * u + j]! + hw[2 * u + j]!);
    }
    if (actScalar) for (let k = oOff; k < oOff + u; k++) htOut[k] = actScalar(preHt[k]!);
    else {
      htOut.set(preHt.subarray(oOff, oOff + u), oOff);
      act(htOut, oOff, u);
    }
    for (let j = 0; j < u; j++) {
      const k = oOff + j;
      const zk = zOut[k]!;
      hOut[k] = round(round(zk * h[sOff + j]!) + round(round(1 - zk) * htOut[k]!));
      h[sOff + j] = hOut[k]!;
    }
  }

  return {
    units: u,
    features,
    quantities: KIND.quantities,
    stateNames: KIND.states,
    outputQuantity: Q_H,
    kernel,
    recurrentKernel: U,
    recurrentColumns,
    stepWith,
    gates: gateSpec(w, 'gru', resetAfter),
    step(x: FloatArray, xOff: number, states: FloatArray[], sOff: number, out: FloatArray[], oOff: number): void {
      vecMat(xkRow, 0, x, xOff, features, kernel, gu, 0, gu);
      vecMat(huRow, 0, states[0]!, sOff, u, U, gu, 0, recurrentColumns);
      stepWith(xkRow, 0, huRow, 0, states, sOff, out, oOff, rowProduct);
    },
  };
}
