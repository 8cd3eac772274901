/**
 * Backpropagation through time for one recurrent layer direction, from the trace its forward run recorded.
 * Steps are walked in reverse processing order; input time t = steps−1−s for go_backwards. At a masked (padding)
 * step the forward carried every state and repeated the last real step's output (or gave zeros inside
 * Bidirectional), so backwards the states' gradients pass unchanged and that step's output gradient joins the last
 * real step's (or is dropped).
 */
import type { RecurrentLayer } from '../engine/model';
import type { FloatArray } from '../engine/tensor';
import { isRecorded, type LayerTrace } from '../engine/trace';
import { ExplainError } from './layers/layer';
import { backwardReads, cellBackward, type BackwardContext, type CellBackward, type StepValues } from './cells';
import { stateQuantities } from './cells/cell';
import { fastLstmApplies, fastLstmBackward } from './fast-lstm';

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
export function directionBackward(inp: DirectionGradInput, ctx: BackwardContext, given?: CellBackward): DirectionGrad {
  const { layer, trace: lt, dSeq } = inp;
  const { batch, steps, units: u } = lt;
  const items = Array.from({ length: batch }, (_, b) => b).filter((b) => itemHasGradient(inp, b, steps, u));
  if (items.length > 0) checkRecorded(lt, given ? null : backwardReads(layer));
  // A float32 Keras LSTM walks in WebAssembly (float32 throughout); this walk stays the reference.
  if (!given && fastLstmApplies(inp, ctx, items)) {
    const fast = fastLstmBackward(inp, items);
    if (fast) return fast;
  }
  const cell = given ?? cellBackward(layer, { ...ctx, rows: items.length });
  const F = cell.features;
  const nStates = cell.stateNames.length;
  const sq = stateQuantities(lt, cell.stateNames);
  const stateRows = sq.map((q) => lt.values[q]!);
  const zeros = new Float64Array(batch * u);
  const initial = sq.map((_, k) => inp.initial?.[k] ?? zeros);
  const dx = new Float64Array(batch * steps * F);
  const dInitial = sq.map(() => new Float64Array(batch * u));
  const goBackwards = layer.config.goBackwards;
  const masked = lt.masked;
  const x = layer.cell === 'custom' || cell.readsInput ? inp.x() : new Float64Array(0);
  const os = cell.outputState;
  const dOut = new Float64Array(u);

  // Every item with a gradient walks the steps together (items are independent), so that a cell with `rows` can
  // have one matrix product per step for all of them instead of one per item.
  const walkers = items.map((b) => {
    let firstReal = steps;
    for (let s = 0; s < steps; s++) {
      if (!masked || !masked[b * steps + s]) {
        firstReal = s;
        break;
      }
    }
    const dStates = sq.map((_, k) => {
      const d = inp.dFinal[k];
      return d ? d.slice(b * u, (b + 1) * u) : new Float64Array(u);
    });
    return { b, firstReal, dStates, dCarry: new Float64Array(u), v: { values: lt.values, at: 0, prev: stateRows, prevOff: 0, x, xOff: 0 } as StepValues };
  });
  const rows = cell.rows && walkers.length > 1 ? cell.rows : null;
  const W = rows?.width ?? 0;
  const dzIn = rows ? new Float64Array(walkers.length * W) : null;
  const dzRec = rows?.separate ? new Float64Array(walkers.length * W) : dzIn;
  const dH = rows ? new Float64Array(walkers.length * u) : null;
  const dX = rows ? new Float64Array(walkers.length * F) : null;
  const active: number[] = [];

  for (let s = steps - 1; s >= 0; s--) {
    const t = goBackwards ? steps - 1 - s : s;
    active.length = 0;
    walkers.forEach((w, i) => {
      const { b, dStates, dCarry, v } = w;
      const row = (b * steps + s) * u;
      if (masked && masked[b * steps + s]) {
        // The output here repeated the last real step's output (a later real step's state gradient passes through).
        if (!inp.zeroOutputForMask && dSeq && s > w.firstReal) for (let j = 0; j < u; j++) dCarry[j] = dCarry[j]! + dSeq[row + j]!;
        inp.onStep?.(b, s, dStates);
        return;
      }
      for (let j = 0; j < u; j++) dOut[j] = dCarry[j]! + (dSeq ? dSeq[row + j]! : 0);
      dCarry.fill(0);
      if (os >= 0) for (let j = 0; j < u; j++) dStates[os]![j] = dStates[os]![j]! + dOut[j]!;
      inp.onStep?.(b, s, dStates);
      v.at = row;
      if (s > 0) {
        v.prev = stateRows;
        v.prevOff = row - u;
      } else {
        v.prev = initial;
        v.prevOff = b * u;
      }
      v.xOff = (b * steps + t) * F;
      if (rows) {
        const n = active.length;
        rows.step(v, dStates, dzIn!, dzRec!, n * W);
        dH!.set(dStates[0]!, n * u);
        active.push(i);
      } else cell.step(v, dStates, os >= 0 ? null : dOut, dx, (b * steps + t) * F);
    });
    if (rows && active.length) {
      // dh₋ += U·dz and dx += K·dz for every active item at once.
      const n = active.length;
      dX!.fill(0, 0, n * F);
      rows.products.recurRows(dzRec!, n, dH!);
      rows.products.inputRows(dzIn!, n, dX!);
      active.forEach((i, r) => {
        const w = walkers[i]!;
        w.dStates[0]!.set(dH!.subarray(r * u, (r + 1) * u));
        const off = (w.b * steps + t) * F;
        for (let k = 0; k < F; k++) dx[off + k] += dX![r * F + k]!;
      });
    }
  }
  for (const w of walkers) for (let k = 0; k < nStates; k++) dInitial[k]!.set(w.dStates[k]!, w.b * u);
  return { dx, dInitial };
}

/** A forward run that left out a row this walk reads (SessionOptions.recordOnly) is a bug: say so, never read zeros. */
function checkRecorded(lt: LayerTrace, reads: readonly string[] | null): void {
  lt.quantities.forEach((q, k) => {
    if ((!reads || reads.includes(q.key)) && !isRecorded(lt, k)) {
      throw new ExplainError(`layer "${lt.layerName}": its forward run left "${q.key}" out of the trace, which the backward pass reads (please report this)`);
    }
  });
}

/** Whether any gradient reaches item b (a single target's gradient touches one item: skip the others). */
function itemHasGradient(inp: DirectionGradInput, b: number, steps: number, u: number): boolean {
  // From the last step back: a target's gradient is usually at the end (the last output, or a whole sequence's).
  const nz = (a: Float64Array | null | undefined, from: number, to: number) => {
    if (!a) return false;
    for (let k = to - 1; k >= from; k--) if (a[k] !== 0) return true;
    return false;
  };
  return nz(inp.dSeq, b * steps * u, (b + 1) * steps * u) || inp.dFinal.some((d) => nz(d, b * u, (b + 1) * u));
}
