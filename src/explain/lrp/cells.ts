/**
 * LRP through the gated cells, Arras et al. (2017): relevance follows the signal, never the gates. A product
 * gate ⊙ signal hands all its relevance to the signal; sums (c = f⊙c₋ + i⊙g, h = z⊙h₋ + (1−z)⊙h̃) split it in
 * proportion to their terms (ε-rule); the candidate's pre-activation passes it to x and h₋ through its weights
 * (rule.ts). Written as CellBackward steps (the "gradient" is the relevance) so the BPTT driver (recurrent.ts) walks
 * them with its masks and step order.
 */
import type { RecurrentLayer } from '../../engine/model';
import type { BackwardContext, CellBackward, StepValues } from '../cells';
import { ExplainError } from '../layers/layer';
import { addVecMat, weightIn } from '../linalg';
import { ratios, sharedPart, splitSum, spread, type RuleOptions } from './rule';

export function lrpCell(layer: RecurrentLayer, ctx: BackwardContext, o: RuleOptions): CellBackward {
  if (layer.cell === 'custom') throw new ExplainError(`layer "${layer.name}": lrp has rules for LSTM, GRU and SimpleRNN cells, not custom cells`, 'use --method gradient, grad-input or integrated-gradients');
  if (layer.cell === 'conv_lstm') throw new ExplainError(`layer "${layer.name}": lrp has rules for LSTM, GRU and SimpleRNN cells, not ConvLSTM (its products are convolutions)`, 'use --method gradient, grad-input or integrated-gradients');
  if (layer.weights.projection) throw new ExplainError(`layer "${layer.name}": lrp has no rule for an LSTM projection`);
  const u = layer.config.units;
  const F = layer.weights.kernel.shape[0]!;
  const K = weightIn(layer.weights.kernel, ctx.precision);
  const U = weightIn(layer.weights.recurrentKernel, ctx.precision);
  const bias = layer.config.useBias && layer.weights.bias ? weightIn(layer.weights.bias, ctx.precision) : null;
  const f = new Float64Array(u);
  const t1 = new Float64Array(u);
  const t2 = new Float64Array(u);
  const r1 = new Float64Array(u);
  const r2 = new Float64Array(u);
  const base = { units: u, features: F, outputState: 0, readsInput: true };

  if (layer.cell === 'simple_rnn') {
    // h = act(z), z = x·K + h₋·U + b: R_z = R_h, then the linear rule over the F + u inputs.
    return {
      ...base,
      stateNames: ['h'],
      step(v: StepValues, R: Float64Array[], _o: Float64Array | null, rx: Float64Array, rxOff: number): void {
        const pre = v.values[1]!;
        ratios(pre, v.at, R[0]!, 0, u, o.eps, f);
        const shared = sharedPart(pre, v.at, bias, 0, u, f, F + u, o);
        spread(rx, rxOff, v.x, v.xOff, F, K, u, 0, u, f, shared);
        R[0]!.fill(0);
        spread(R[0]!, 0, v.prev[0]!, v.prevOff, u, U, u, 0, u, f, shared);
      },
    };
  }

  if (layer.cell === 'lstm') {
    // Trace rows: i, f, c_tilde, o, c, h, pre_i, pre_f, pre_c_tilde, pre_o.
    return {
      ...base,
      stateNames: ['h', 'c'],
      step(v: StepValues, R: Float64Array[], _o: Float64Array | null, rx: Float64Array, rxOff: number): void {
        const { values: q, at } = v;
        const cPrev = v.prev[1]!;
        const Rh = R[0]!;
        const Rc = R[1]!;
        for (let j = 0; j < u; j++) {
          Rc[j] = Rc[j]! + Rh[j]!; // h = o ⊙ act(c): all to c
          t1[j] = q[1]![at + j]! * cPrev[v.prevOff + j]!; // f ⊙ c₋
          t2[j] = q[0]![at + j]! * q[2]![at + j]!; // i ⊙ g
        }
        r1.fill(0);
        r2.fill(0);
        splitSum([t1, t2], [0, 0], q[4]!, at, Rc, 0, u, o, [r1, r2], [0, 0]);
        // R(i ⊙ g) → g → its pre-activation → x and h₋.
        const pre = q[8]!;
        ratios(pre, at, r2, 0, u, o.eps, f);
        const shared = sharedPart(pre, at, bias, 2 * u, u, f, F + u, o);
        spread(rx, rxOff, v.x, v.xOff, F, K, 4 * u, 2 * u, u, f, shared);
        Rh.fill(0);
        spread(Rh, 0, v.prev[0]!, v.prevOff, u, U, 4 * u, 2 * u, u, f, shared);
        Rc.set(r1);
      },
    };
  }

  // GRU. Trace rows: z, r, h_tilde, h, pre_z, pre_r, pre_h_tilde.
  const resetAfter = layer.config.resetAfter;
  const gu = 3 * u;
  const hw = new Float64Array(u);
  const rRh = new Float64Array(u);
  return {
    ...base,
    stateNames: ['h'],
    step(v: StepValues, R: Float64Array[], _o: Float64Array | null, rx: Float64Array, rxOff: number): void {
      const { values: q, at } = v;
      const hPrev = v.prev[0]!;
      const Rh = R[0]!;
      for (let j = 0; j < u; j++) {
        t1[j] = q[0]![at + j]! * hPrev[v.prevOff + j]!; // z ⊙ h₋
        t2[j] = (1 - q[0]![at + j]!) * q[2]![at + j]!; // (1 − z) ⊙ h̃
      }
      r1.fill(0);
      r2.fill(0);
      splitSum([t1, t2], [0, 0], q[3]!, at, Rh, 0, u, o, [r1, r2], [0, 0]);
      const pre = q[6]!;
      ratios(pre, at, r2, 0, u, o.eps, f);
      if (resetAfter) {
        // pre = x·K_h + b_xh + r ⊙ hw, hw = h₋·U_h + b_hh: x gets its share; r ⊙ hw's share goes to hw, then to h₋.
        const shared = sharedPart(pre, at, bias, 2 * u, u, f, F + 1, o);
        spread(rx, rxOff, v.x, v.xOff, F, K, gu, 2 * u, u, f, shared);
        for (let j = 0; j < u; j++) hw[j] = bias && bias.length === 2 * gu ? bias[gu + 2 * u + j]! : 0;
        addVecMat(hw, 0, hPrev, v.prevOff, u, U, gu, 2 * u, u);
        for (let j = 0; j < u; j++) {
          const b = bias ? bias[2 * u + j]! : 0;
          const s = pre[at + j]! >= 0 ? o.eps : -o.eps;
          rRh[j] = (q[1]![at + j]! * hw[j]! + (o.biasFactor * (b + s)) / (F + 1)) * f[j]!;
        }
        ratios(hw, 0, rRh, 0, u, o.eps, f);
        const shared2 = sharedPart(hw, 0, bias && bias.length === 2 * gu ? bias : null, gu + 2 * u, u, f, u, o);
        Rh.set(r1);
        spread(Rh, 0, hPrev, v.prevOff, u, U, gu, 2 * u, u, f, shared2);
      } else {
        // pre = x·K_h + (r ⊙ h₋)·U_h + b_h: the r ⊙ h₋ inputs' relevance goes to h₋.
        const shared = sharedPart(pre, at, bias, 2 * u, u, f, F + u, o);
        spread(rx, rxOff, v.x, v.xOff, F, K, gu, 2 * u, u, f, shared);
        for (let j = 0; j < u; j++) hw[j] = q[1]![at + j]! * hPrev[v.prevOff + j]!;
        rRh.fill(0);
        spread(rRh, 0, hw, 0, u, U, gu, 2 * u, u, f, shared);
        for (let j = 0; j < u; j++) Rh[j] = r1[j]! + rRh[j]!;
      }
    },
  };
}
