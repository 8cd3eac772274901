/**
 * Keras LSTM, kernel columns in gate order i, f, c, o:
 *   z = x·K + h·U + b;  i, f, o = rec(z_i, z_f, z_o);  c̃ = act(z_c);  c = f·c + i·c̃;  h = o·act(c)
 * With a projection (PyTorch proj_size P): h = (o·act(c))·W_hrᵀ, written into h's first P slots (the rest 0).
 */
import { vecMat } from '../linalg';
import type { FloatArray, Tensor } from '../tensor';
import type { CellStepper } from './cell';
import { gateSpec, type BatchedCell, type BoundWeights } from './context';
import { lstmStep32, lstmStep64 } from './generated/fused';
import { CELL_KINDS, quantityRow } from './kinds';

// Module-local bindings: hot loops then call them directly, not through a module namespace getter (tsx, tests).
// The fused step when both activations are element-wise, one twin per precision (generated from fused.template.ts).
const [fusedStep32, fusedStep64] = [lstmStep32, lstmStep64];

const KIND = CELL_KINDS.lstm;
// Rows of the quantities (CELL_KINDS.lstm); the gates' rows and their pre-activations' rows run in gate order.
const [Q_I, Q_F, Q_G, Q_O, Q_C, Q_H, Q_PRE] = ['i', 'f', 'c_tilde', 'o', 'c', 'h', 'pre_i'].map((k) => quantityRow('lstm', k)) as [number, number, number, number, number, number, number];
const GATES = KIND.gates.length;

export function lstmCell(w: BoundWeights, projection?: Tensor): CellStepper & BatchedCell {
  const { units: u, features, kernel, recurrentKernel, bias, act, rec, actScalar, recScalar, f32, round } = w;
  const gu = GATES * u;
  const xkRow = w.buffer(gu);
  const huRow = w.buffer(gu);
  const project = projection ? projector(w, projection) : null;

  function stepWith(xk: FloatArray, xkOff: number, hu: FloatArray, huOff: number, states: FloatArray[], sOff: number, out: FloatArray[], oOff: number): void {
    unprojectedStep(xk, xkOff, hu, huOff, states, sOff, out, oOff);
    if (project) project(out[Q_H]!, oOff, states[0]!, sOff);
  }

  function unprojectedStep(xk: FloatArray, xkOff: number, hu: FloatArray, huOff: number, states: FloatArray[], sOff: number, out: FloatArray[], oOff: number): void {
    const h = states[0]!;
    const c = states[1]!;
    // z = (x·K + h·U) + b, each sum rounded to the run's precision. This generic path (whole-vector activations, and
    // every float16 / bfloat16 layer) writes each rounding out: half results are kept in float32 arrays. Gate g's block of z is [g·u, (g+1)·u): recorded
    // raw (pre_*), and activated in the gate's own trace row.
    if (actScalar && recScalar) {
      (f32 ? fusedStep32 : fusedStep64)(xk, xkOff, hu, huOff, bias, states[0]!, states[1]!, sOff, out, oOff, u, recScalar, actScalar);
      return;
    }
    for (let g = 0; g < GATES; g++) {
      const pre = out[Q_PRE + g]!;
      const gate = out[Q_I + g]!;
      const o0 = oOff - g * u;
      for (let j = g * u, end = (g + 1) * u; j < end; j++) {
        let z = round(xk[xkOff + j]! + hu[huOff + j]!);
        if (bias) z = round(z + bias[j]!);
        pre[o0 + j] = z;
        gate[o0 + j] = z;
      }
    }
    const [i, f, g, o, cOut, hOut] = [out[Q_I]!, out[Q_F]!, out[Q_G]!, out[Q_O]!, out[Q_C]!, out[Q_H]!];
    rec(i, oOff, u);
    rec(f, oOff, u);
    act(g, oOff, u);
    rec(o, oOff, u);
    for (let j = 0; j < u; j++) {
      const k = oOff + j;
      cOut[k] = round(round(f[k]! * c[sOff + j]!) + round(i[k]! * g[k]!));
      hOut[k] = cOut[k]!;
    }
    act(hOut, oOff, u);
    for (let j = 0; j < u; j++) {
      const k = oOff + j;
      hOut[k] = round(o[k]! * hOut[k]!);
      h[sOff + j] = hOut[k]!;
      c[sOff + j] = cOut[k]!;
    }
  }

  return {
    units: u,
    features,
    quantities: KIND.quantities,
    stateNames: KIND.states,
    outputQuantity: Q_H,
    kernel,
    recurrentKernel,
    recurrentColumns: gu,
    stepWith,
    // The WebAssembly gate kernels know no projection: a projected layer takes the TypeScript step.
    ...(project ? {} : { gates: gateSpec(w, 'lstm') }),
    step(x: FloatArray, xOff: number, states: FloatArray[], sOff: number, out: FloatArray[], oOff: number): void {
      vecMat(xkRow, 0, x, xOff, features, kernel, gu, 0, gu);
      vecMat(huRow, 0, states[0]!, sOff, u, recurrentKernel, gu, 0, gu);
      stepWith(xkRow, 0, huRow, 0, states, sOff, out, oOff);
    },
  };
}

/**
 * h = m·P for m = o·act(c) (the unprojected h, already in `hOut`), P = [units, proj] in the run's precision; the sums
 * run k = 0, 1, … and round like every product here. The projected values fill h's first `proj` slots, the rest 0.
 */
function projector(w: BoundWeights, projection: Tensor): (hOut: FloatArray, oOff: number, h: FloatArray, sOff: number) => void {
  const u = w.units;
  const p = projection.shape[1]!;
  const P = w.buffer(projection.data.length);
  P.set(projection.data);
  const m = w.buffer(u);
  const row = w.buffer(p);
  return (hOut, oOff, h, sOff) => {
    for (let k = 0; k < u; k++) m[k] = hOut[oOff + k]!;
    row.fill(0);
    for (let k = 0; k < u; k++) {
      const mk = m[k]!;
      for (let j = 0; j < p; j++) row[j] = row[j]! + mk * P[k * p + j]!;
    }
    for (let j = 0; j < u; j++) {
      const v = j < p ? row[j]! : 0;
      hOut[oOff + j] = v;
      h[sOff + j] = v;
    }
  };
}
