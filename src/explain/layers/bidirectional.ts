/**
 * Bidirectional backwards. Forward: both directions read the same input; the backward direction's sequence is
 * flipped back to input time, then merged: concat [f, b] on the last axis, sum f + b, ave (f + b)/2, mul f·b, or
 * None (both returned). With return_sequences the layers output zeros at masked steps. Backwards the merge's
 * gradient splits (mul: d·b for f, d·f for b), the backward half is flipped to its processing order, each direction
 * runs BPTT, and the two input gradients add.
 */
import type { BidirectionalLayer, RecurrentLayer } from '../../engine/model';
import type { LayerTrace } from '../../engine/trace';
import { runDirectionBackward, stateCount } from './recurrent';
import { splitSum } from '../lrp/rule';
import { ExplainError, traceOf, type LayerCall } from './layer';

/** A direction's outputs [batch, steps, units] in processing order, as the forward gave them (zeros at masked steps when asked). */
function directionOutputs(lt: LayerTrace, layer: RecurrentLayer, zeroMasked: boolean): Float64Array {
  const key = layer.custom ? layer.custom.output : 'h';
  const values = lt.values[lt.quantities.findIndex((q) => q.key === key)]!;
  const out = Float64Array.from(values);
  if (zeroMasked && lt.masked) for (let r = 0; r < lt.batch * lt.steps; r++) if (lt.masked[r]) out.fill(0, r * lt.units, (r + 1) * lt.units);
  return out;
}

/** One direction's output as the merge saw it: the sequence in input time, or the last processed step. */
function mergedInput(lt: LayerTrace, layer: RecurrentLayer, seq: boolean, flip: boolean): Float64Array {
  const { batch, steps, units: u } = lt;
  const y = directionOutputs(lt, layer, seq);
  if (!seq) {
    const last = new Float64Array(batch * u);
    for (let b = 0; b < batch; b++) last.set(y.subarray((b * steps + steps - 1) * u, (b * steps + steps) * u), b * u);
    return last;
  }
  return flip ? flipTime(y, batch, steps, u) : y;
}

/** Reverses the time axis of [batch, steps, units] (its own inverse). */
export function flipTime(a: Float64Array, batch: number, steps: number, u: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let b = 0; b < batch; b++) for (let s = 0; s < steps; s++) out.set(a.subarray((b * steps + s) * u, (b * steps + s + 1) * u), (b * steps + steps - 1 - s) * u);
  return out;
}

/** ∂y/∂f and ∂y/∂b (as merged: input time) from ∂y/∂(the merged output). */
function splitMerge(call: LayerCall & { layer: BidirectionalLayer }, seq: boolean): [Float64Array | null, Float64Array | null] {
  const { layer } = call;
  const u = layer.forward.config.units;
  const d = call.dOutputs[0] ?? null;
  if (layer.mergeMode === null) return [d, call.dOutputs[1] ?? null];
  if (!d) return [null, null];
  switch (layer.mergeMode) {
    case 'concat': {
      const rows = d.length / (2 * u);
      const df = new Float64Array(rows * u);
      const db = new Float64Array(rows * u);
      for (let r = 0; r < rows; r++) {
        df.set(d.subarray(2 * r * u, (2 * r + 1) * u), r * u);
        db.set(d.subarray((2 * r + 1) * u, (2 * r + 2) * u), r * u);
      }
      return [df, db];
    }
    case 'sum':
    case 'ave': {
      if (call.lrp) return lrpSplit(call, seq, d);
      if (layer.mergeMode === 'sum') return [d, d];
      const half = d.map((x) => x / 2);
      return [half, half];
    }
    case 'mul': {
      if (call.lrp) throw new ExplainError(`layer "${layer.name}": lrp has no rule for merge_mode mul (a product of the directions)`, 'use --method gradient or integrated-gradients');
      const f = mergedInput(traceOf(call, 'forward'), layer.forward, seq, false);
      const b = mergedInput(traceOf(call, 'backward'), layer.backward, seq, true);
      return [d.map((x, k) => x * b[k]!), d.map((x, k) => x * f[k]!)];
    }
  }
}

/** LRP: sum / ave split the merged relevance between the directions in proportion to their outputs (ε-rule). */
function lrpSplit(call: LayerCall & { layer: BidirectionalLayer }, seq: boolean, R: Float64Array): [Float64Array, Float64Array] {
  const { layer } = call;
  const f = mergedInput(traceOf(call, 'forward'), layer.forward, seq, false);
  const b = mergedInput(traceOf(call, 'backward'), layer.backward, seq, true);
  const w = layer.mergeMode === 'ave' ? 0.5 : 1;
  const tf = f.map((v) => v * w);
  const tb = b.map((v) => v * w);
  const y = tf.map((v, k) => v + tb[k]!);
  const rf = new Float64Array(R.length);
  const rb = new Float64Array(R.length);
  splitSum([tf, tb], [0, 0], y, 0, R, 0, R.length, call.lrp!, [rf, rb], [0, 0]);
  return [rf, rb];
}

export function bidirectionalBackward(call: LayerCall & { layer: BidirectionalLayer }): Float64Array {
  const { layer } = call;
  const [batch, steps] = call.inputShape as [number, number];
  const seq = layer.forward.config.returnSequences;
  const [df, dbMerged] = splitMerge(call, seq);
  // Per step: units (a ConvLSTM: output positions × filters, more than its config.units, the filters).
  const db = dbMerged && seq ? flipTime(dbMerged, batch, steps, dbMerged.length / (batch * steps)) : dbMerged;
  const n = stateCount(layer.forward);
  const firstState = layer.mergeMode === null ? 2 : 1;
  const states = (dir: number) => Array.from({ length: n }, (_, k) => (layer.forward.config.returnState ? call.dOutputs[firstState + dir * n + k] ?? null : null));
  const init = call.initialStates;
  const half = init ? init.length / 2 : 0;
  const dxF = runDirectionBackward(call, layer.forward, 'forward', df, states(0), init?.slice(0, half), seq);
  const dxB = runDirectionBackward(call, layer.backward, 'backward', db, states(1), init?.slice(half), seq);
  for (let k = 0; k < dxF.length; k++) dxF[k] += dxB[k]!;
  return dxF;
}
