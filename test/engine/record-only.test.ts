// SessionOptions.recordOnly: a run whose caller reads a few quantities (the gradient's forward runs) lets the float32
// gate kernels leave the others out of the trace. The rows kept must be the full run's bit for bit, the rows left out
// must refuse to be read, and every walk that does not write the trace in the kernels' copies records everything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRecorded, runModel, series, type Layer, type LayerTrace, type Model, type Tensor } from '../../src/engine';
import { setFastPath } from '../../src/engine/recurrent';
import { dense, model, random, recurrent, rng } from '../support/random-models';

const KEEP = ['i', 'f', 'c_tilde', 'o', 'c'];

function traces(m: Model, x: Tensor, precision: 'float32' | 'float64'): { full: LayerTrace[]; some: LayerTrace[] } {
  const full = runModel(m, x, { precision }).trace!.layers;
  const some = runModel(m, x, { precision, recordOnly: KEEP }).trace!.layers;
  return { full, some };
}

test('float32 LSTMs on the gate kernels keep only the rows asked for, bit for bit, and refuse to read the others', () => {
  const next = rng(71);
  const bi: Layer = { kind: 'bidirectional', name: 'bi', mergeMode: 'concat', forward: recurrent('f', 'lstm', 3, 8, next), backward: recurrent('b', 'lstm', 3, 8, next, { goBackwards: true }) };
  const m = model([bi, recurrent('top', 'lstm', 16, 12, next, { returnSequences: false }), dense('head', 12, 2, next)], [null, 3]);
  const x = random([2, 9, 3], next);
  const { full, some } = traces(m, x, 'float32');
  assert.equal(some.length, 3);
  some.forEach((lt, k) => {
    lt.quantities.forEach((q, r) => {
      if (KEEP.includes(q.key)) assert.deepEqual(lt.values[r], full[k]!.values[r], `${lt.layerName} ${q.key}`);
      else assert.equal(isRecorded(lt, r), false, `${lt.layerName} ${q.key} left out`);
    });
  });
  assert.throws(() => series(some[0]!, 'h', 0, 0), /left quantity "h" out of its trace/);
  // The output is the same run's.
  assert.deepEqual(runModel(m, x, { precision: 'float32', recordOnly: KEEP }).output.data, runModel(m, x, { precision: 'float32' }).output.data);
});

test('walks that do not write the trace in the gate kernels record every quantity: float64, padding, the TypeScript path', () => {
  const next = rng(72);
  const lstm = model([recurrent('lstm', 'lstm', 3, 8, next)], [null, 3]);
  const x = random([1, 6, 3], next);
  const everything = (lts: LayerTrace[], label: string) => lts.forEach((lt) => lt.quantities.forEach((q, r) => assert.ok(isRecorded(lt, r), `${label}: ${q.key}`)));
  everything(traces(lstm, x, 'float64').some, 'float64');
  const masked = model([{ kind: 'masking', name: 'mask', maskValue: 0 } as Layer, recurrent('lstm', 'lstm', 3, 8, next)], [null, 3]);
  const padded = { shape: x.shape, data: Float64Array.from(x.data).fill(0, 9, 12) };
  const p = traces(masked, padded, 'float32');
  everything(p.some, 'padding');
  assert.deepEqual(p.some[0]!.values, p.full[0]!.values);
  setFastPath(false);
  try {
    everything(traces(lstm, x, 'float32').some, 'TypeScript path');
  } finally {
    setFastPath(true);
  }
  // A GRU has none of these keys (a model may mix cells: keys are per quantity, not per cell): it leaves out every row.
  const gru = traces(model([recurrent('gru', 'gru', 3, 8, next)], [null, 3]), x, 'float32').some[0]!;
  assert.deepEqual(gru.quantities.filter((_, r) => isRecorded(gru, r)).map((q) => q.key), []);
});
