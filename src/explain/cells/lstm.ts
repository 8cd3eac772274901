/**
 * LSTM backwards. Forward (lstm.ts in the engine): z = x·K + h₋·U + b; i, f, o = rec(z_i, z_f, z_o); g = act(z_g);
 * c = f·c₋ + i·g; m = o·act(c); h = m (or m·P with a projection P). Backwards, with dh and dc given:
 *   dm = dh (or P·dh);  do = dm·act(c);  dc += act'(c)·(dm·o)
 *   di = dc·g;  dg = dc·i;  df = dc·c₋;  dc₋ = dc·f
 *   dz = [rec'(z_i)·di, rec'(z_f)·df, act'(z_g)·dg, rec'(z_o)·do]
 *   dh₋ = U·dz;  dx += K·dz
 */
import { quantityRow } from '../../engine/cells/kinds';
import { activation } from '../../engine/activations';
import type { RecurrentLayer } from '../../engine/model';
import { activationVjp } from '../derivatives';
import { addMatVec, weightIn } from '../linalg';
import { backwardProducts } from '../products';
import type { BackwardContext, CellBackward, StepValues } from './cell';

// Quantity rows of the engine's LSTM trace (CELL_KINDS.lstm); the pre-activations' rows run in gate order.
const [Q_I, Q_F, Q_G, Q_O, Q_C, Q_PRE] = ['i', 'f', 'c_tilde', 'o', 'c', 'pre_i'].map((k) => quantityRow('lstm', k)) as [number, number, number, number, number, number];

/**
 * The trace rows lstmBackward (and fast-lstm.ts, which reads the same) takes: the gates and c, and the
 * pre-activations only for activations whose derivative is not read off their output.
 */
export function lstmBackwardReads(layer: RecurrentLayer): string[] {
  const keys = ['i', 'f', 'c_tilde', 'o', 'c'];
  if (layer.config.recurrentActivation !== 'sigmoid') keys.push('pre_i', 'pre_f', 'pre_o');
  if (layer.config.activation !== 'tanh') keys.push('pre_c_tilde');
  return keys;
}

/** One step's backward without its two products: dz (gate blocks i, f, c̃, o) into dzOut[off ..], dc ← dc₋, dh ← 0. */
export type LstmGates = (v: StepValues, dStates: Float64Array[], dzOut: Float64Array, off: number) => void;

/** The LSTM step's element-wise backward, shared with ConvLSTM (whose two products are convolutions: conv-lstm.ts). */
export function lstmGates(layer: RecurrentLayer, ctx: BackwardContext): LstmGates {
  const u = layer.config.units;
  const P = layer.weights.projection ? weightIn(layer.weights.projection, ctx.precision) : null;
  const proj = layer.weights.projection?.shape[1] ?? u;
  const act = activation(layer.config.activation, ctx.hardSigmoid);
  const dAct = activationVjp(layer.config.activation, ctx.hardSigmoid);
  const dRec = activationVjp(layer.config.recurrentActivation, ctx.hardSigmoid);
  const actC = new Float64Array(u);
  const dm = new Float64Array(u);
  const dGate = new Float64Array(4 * u);
  // Keras's defaults have derivatives in their own outputs, which the trace holds: σ' = s(1 − s), tanh' = 1 − t².
  // Reading them saves 5 of the 6 exp/tanh per unit and step (the backward's largest cost after the products).
  const sigmoidRec = layer.config.recurrentActivation === 'sigmoid';
  const tanhAct = layer.config.activation === 'tanh';

  return function gates(v: StepValues, dStates: Float64Array[], dzOut: Float64Array, off: number): void {
    const { values, at, prev, prevOff } = v;
    const dh = dStates[0]!;
    const dc = dStates[1]!;
    const [i, f, g, o, c] = [values[Q_I]!, values[Q_F]!, values[Q_G]!, values[Q_O]!, values[Q_C]!];
    const cPrev = prev[1]!;
    if (P) {
      // h = m·P over h's first `proj` slots: dm = P·dh.
      dm.fill(0);
      addMatVec(dm, 0, P, u, proj, 0, proj, dh, 0);
    } else dm.set(dh);
    for (let j = 0; j < u; j++) actC[j] = c[at + j]!;
    act(actC, 0, u);
    for (let j = 0; j < u; j++) {
      dGate[3 * u + j] = dm[j]! * actC[j]!; // do
      dm[j] = dm[j]! * o[at + j]!; // now ∂/∂act(c)
    }
    if (tanhAct) for (let j = 0; j < u; j++) dm[j] = dm[j]! * (1 - actC[j]! * actC[j]!);
    else dAct(c, at, dm, 0, dm, 0, u); // dm ← act'(c)·(dm·o)
    for (let j = 0; j < u; j++) {
      const dcj = dc[j]! + dm[j]!;
      dGate[j] = dcj * g[at + j]!; // di
      dGate[u + j] = dcj * cPrev[prevOff + j]!; // df
      dGate[2 * u + j] = dcj * i[at + j]!; // dg
      dc[j] = dcj * f[at + j]!; // dc₋
    }
    if (sigmoidRec) {
      for (let j = 0; j < u; j++) {
        const si = i[at + j]!;
        const sf = f[at + j]!;
        const so = o[at + j]!;
        dzOut[off + j] = dGate[j]! * si * (1 - si);
        dzOut[off + u + j] = dGate[u + j]! * sf * (1 - sf);
        dzOut[off + 3 * u + j] = dGate[3 * u + j]! * so * (1 - so);
      }
    } else {
      dRec(values[Q_PRE]!, at, dGate, 0, dzOut, off, u);
      dRec(values[Q_PRE + 1]!, at, dGate, u, dzOut, off + u, u);
      dRec(values[Q_PRE + 3]!, at, dGate, 3 * u, dzOut, off + 3 * u, u);
    }
    if (tanhAct) for (let j = 0; j < u; j++) dzOut[off + 2 * u + j] = dGate[2 * u + j]! * (1 - g[at + j]! * g[at + j]!);
    else dAct(values[Q_PRE + 2]!, at, dGate, 2 * u, dzOut, off + 2 * u, u);
    dh.fill(0);
  };
}

export function lstmBackward(layer: RecurrentLayer, ctx: BackwardContext): CellBackward {
  const u = layer.config.units;
  const F = layer.weights.kernel.shape[0]!;
  const K = weightIn(layer.weights.kernel, ctx.precision);
  const U = weightIn(layer.weights.recurrentKernel, ctx.precision);
  const dz = new Float64Array(4 * u);
  const products = backwardProducts(K, F, U, u, 4 * u, ctx.rows ?? 1, ctx.precision);
  const gates = lstmGates(layer, ctx);

  return {
    units: u,
    features: F,
    stateNames: ['h', 'c'],
    outputState: 0,
    step(v: StepValues, dStates: Float64Array[], _dOut: Float64Array | null, dx: Float64Array, dxOff: number): void {
      gates(v, dStates, dz, 0);
      products.recur(dz, 0, 0, 4 * u, dStates[0]!);
      products.input(dz, 0, 0, 4 * u, dx, dxOff);
    },
    rows: { width: 4 * u, separate: false, products, step: (v, dStates, dzIn, _dzRec, off) => gates(v, dStates, dzIn, off) },
  };
}
