/** Keras SimpleRNN: h = act(x·K + b + h·U). */
import { vecMat } from '../linalg';
import type { FloatArray } from '../tensor';
import type { CellStepper } from './cell';
import { gateSpec, type BatchedCell, type BoundWeights } from './context';
import { simpleStep32 as step32, simpleStep64 as step64 } from './generated/fused';
import { CELL_KINDS, quantityRow } from './kinds';

// Module-local bindings: hot loops then call them directly, not through a module namespace getter (tsx, tests).
// The step for an element-wise activation, one twin per precision (generated from fused.template.ts).
const [simpleStep32, simpleStep64] = [step32, step64];

const KIND = CELL_KINDS.simple_rnn;
const [Q_H, Q_PRE_H] = [quantityRow('simple_rnn', 'h'), quantityRow('simple_rnn', 'pre_h')];

export function simpleRnnCell(w: BoundWeights): CellStepper & BatchedCell {
  const { units: u, features, kernel, recurrentKernel, bias, act, actScalar, f32, round } = w;
  const xkRow = w.buffer(u);
  const huRow = w.buffer(u);

  function stepWith(xk: FloatArray, xkOff: number, hu: FloatArray, huOff: number, states: FloatArray[], sOff: number, out: FloatArray[], oOff: number): void {
    const h = states[0]!;
    if (actScalar) {
      (f32 ? simpleStep32 : simpleStep64)(xk, xkOff, hu, huOff, bias, h, sOff, out, oOff, u, actScalar);
      return;
    }
    const pre = out[Q_PRE_H]!;
    const hOut = out[Q_H]!;
    // (x·K + b) + h·U, each sum rounded to the run's precision.
    for (let j = 0; j < u; j++) {
      const xb = bias ? round(xk[xkOff + j]! + bias[j]!) : xk[xkOff + j]!;
      pre[oOff + j] = hOut[oOff + j] = round(xb + hu[huOff + j]!);
    }
    act(hOut, oOff, u);
    for (let j = 0; j < u; j++) h[sOff + j] = hOut[oOff + j]!;
  }

  return {
    units: u,
    features,
    quantities: KIND.quantities,
    stateNames: KIND.states,
    outputQuantity: Q_H,
    kernel,
    recurrentKernel,
    recurrentColumns: u,
    stepWith,
    gates: gateSpec(w, 'simple_rnn'),
    step(x: FloatArray, xOff: number, states: FloatArray[], sOff: number, out: FloatArray[], oOff: number): void {
      vecMat(xkRow, 0, x, xOff, features, kernel, u, 0, u);
      vecMat(huRow, 0, states[0]!, sOff, u, recurrentKernel, u, 0, u);
      stepWith(xkRow, 0, huRow, 0, states, sOff, out, oOff);
    },
  };
}
