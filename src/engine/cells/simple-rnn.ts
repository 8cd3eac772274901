/** Keras SimpleRNN: h = act(x·K + b + h·U). */
import { addVecMat } from '../linalg';
import type { FloatArray } from '../tensor';
import { preActivation, quantity, type CellStepper } from './cell';
import type { BoundWeights } from './context';

const H = quantity('h', 'h', 'state', 'hidden state (the output)');
const QUANTITIES = [H, preActivation(H)];
const [Q_H, Q_PRE_H] = [0, 1];

export function simpleRnnCell(w: BoundWeights): CellStepper {
  const { units: u, features, kernel, recurrentKernel, bias, act } = w;
  const z = w.buffer(u);
  const zr = w.buffer(u);
  return {
    units: u,
    features,
    quantities: QUANTITIES,
    stateNames: ['h'],
    outputQuantity: Q_H,
    step(x: FloatArray, xOff: number, states: FloatArray[], sOff: number, out: FloatArray[], oOff: number): void {
      const h = states[0]!;
      z.fill(0);
      addVecMat(z, 0, x, xOff, features, kernel, u, 0, u);
      if (bias) for (let j = 0; j < u; j++) z[j] += bias[j]!;
      zr.fill(0);
      addVecMat(zr, 0, h, sOff, u, recurrentKernel, u, 0, u);
      for (let j = 0; j < u; j++) z[j] += zr[j]!;
      const pre = out[Q_PRE_H]!;
      const hOut = out[Q_H]!;
      pre.set(z, oOff);
      hOut.set(z, oOff);
      act(hOut, oOff, u);
      h.set(hOut.subarray(oOff, oOff + u), sOff);
    },
  };
}
