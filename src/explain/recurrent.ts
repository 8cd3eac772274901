/**
 * Backpropagation through time for one recurrent layer direction, from the trace its forward run recorded.
 * Steps are walked in reverse processing order; input time t = steps−1−s for go_backwards. At a masked (padding)
 * step the forward carried every state and repeated the last real step's output (or gave zeros inside
 * Bidirectional), so backwards the states' gradients pass unchanged and that step's output gradient joins the last
 * real step's (or is dropped).
 */
import type { RecurrentLayer } from '../engine/model';
import type { FloatArray } from '../engine/tensor';
import type { LayerTrace } from '../engine/trace';
import { cellBackward, type BackwardContext, type CellBackward, type StepValues } from './cells';
import { stateQuantities } from './cells/cell';

export interface DirectionGradInput {
  layer: RecurrentLayer;
  trace: LayerTrace;
  /** The layer's input [batch, steps, features]: read only by custom cells, which re-evaluate from it. */
  x: () => FloatArray;
  /** The states the run started from, each [batch·units]; null: zeros. */
  initial: FloatArray[] | null;
  /** ∂y/∂(the output sequence) [batch, steps, units], processing order; null: none. */
  dSeq: Float64Array | null;
  /** ∂y/∂(each final state) [batch·units]; null entries: none. */
  dFinal: (Float64Array | null)[];
  /** The forward gave zeros (not the carried output) at masked steps: Bidirectional's layers. */
  zeroOutputForMask: boolean;
  /** Seen at every processing step s of item b: ∂y/∂(the states after step s). Do not modify. */
  onStep?: (b: number, s: number, dStates: readonly Float64Array[]) => void;
}

export interface DirectionGrad {
  /** ∂y/∂x [batch, steps, features], input time. */
  dx: Float64Array;
  /** ∂y/∂(each initial state) [batch·units]. */
  dInitial: Float64Array[];
}

/** `cell`: the step to run backwards, by default the cell's gradient (LRP passes its relevance rules). */
export function directionBackward(inp: DirectionGradInput, ctx: BackwardContext, cell: CellBackward = cellBackward(inp.layer, ctx)): DirectionGrad {
  const { layer, trace: lt, dSeq } = inp;
  const { batch, steps, units: u } = lt;
  const F = cell.features;
  const nStates = cell.stateNames.length;
  const sq = stateQuantities(lt, cell.stateNames);
  const stateRows = sq.map((q) => lt.values[q]!);
  const zeros = new Float64Array(batch * u);
  const initial = sq.map((_, k) => inp.initial?.[k] ?? zeros);
  const dx = new Float64Array(batch * steps * F);
  const dInitial = sq.map(() => new Float64Array(batch * u));
  const dStates = sq.map(() => new Float64Array(u));
  const dOut = new Float64Array(u);
  const dCarry = new Float64Array(u);
  const goBackwards = layer.config.goBackwards;
  const masked = lt.masked;
  const v: StepValues = { values: lt.values, at: 0, prev: stateRows, prevOff: 0, x: layer.cell === 'custom' || cell.readsInput ? inp.x() : new Float64Array(0), xOff: 0 };

  for (let b = 0; b < batch; b++) {
    if (!itemHasGradient(inp, b, steps, u)) continue;
    let firstReal = steps;
    for (let s = 0; s < steps; s++) {
      if (!masked || !masked[b * steps + s]) {
        firstReal = s;
        break;
      }
    }
    for (let k = 0; k < nStates; k++) {
      const d = inp.dFinal[k];
      if (d) dStates[k]!.set(d.subarray(b * u, (b + 1) * u));
      else dStates[k]!.fill(0);
    }
    dCarry.fill(0);
    for (let s = steps - 1; s >= 0; s--) {
      const row = (b * steps + s) * u;
      if (masked && masked[b * steps + s]) {
        // The output here repeated the last real step's output (a later real step's state gradient passes through).
        if (!inp.zeroOutputForMask && dSeq && s > firstReal) for (let j = 0; j < u; j++) dCarry[j] = dCarry[j]! + dSeq[row + j]!;
        inp.onStep?.(b, s, dStates);
        continue;
      }
      for (let j = 0; j < u; j++) dOut[j] = dCarry[j]! + (dSeq ? dSeq[row + j]! : 0);
      dCarry.fill(0);
      const os = cell.outputState;
      if (os >= 0) for (let j = 0; j < u; j++) dStates[os]![j] = dStates[os]![j]! + dOut[j]!;
      inp.onStep?.(b, s, dStates);
      const t = goBackwards ? steps - 1 - s : s;
      v.at = row;
      if (s > 0) {
        v.prev = stateRows;
        v.prevOff = row - u;
      } else {
        v.prev = initial;
        v.prevOff = b * u;
      }
      v.xOff = (b * steps + t) * F;
      cell.step(v, dStates, os >= 0 ? null : dOut, dx, (b * steps + t) * F);
    }
    for (let k = 0; k < nStates; k++) dInitial[k]!.set(dStates[k]!, b * u);
  }
  return { dx, dInitial };
}

/** Whether any gradient reaches item b (a single target's gradient touches one item: skip the others). */
function itemHasGradient(inp: DirectionGradInput, b: number, steps: number, u: number): boolean {
  const nz = (a: Float64Array | null | undefined, from: number, to: number) => {
    if (!a) return false;
    for (let k = from; k < to; k++) if (a[k] !== 0) return true;
    return false;
  };
  return nz(inp.dSeq, b * steps * u, (b + 1) * steps * u) || inp.dFinal.some((d) => nz(d, b * u, (b + 1) * u));
}
