// Helpers shared by the Python-side tests: Keras's per-layer outputs rebuilt from the engine's trace.
import assert from 'node:assert/strict';

/** @typedef {{shape: number[], data: Float64Array | number[]}} TensorLike */

export function toTensor(obj) {
  return { shape: obj.shape.slice(), data: Float64Array.from(obj.data) };
}

export function maxAbsDiff(what, actual, expected) {
  assert.deepEqual(Array.from(actual.shape), Array.from(expected.shape), `${what}: shape`);
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    const d = Math.abs(a - e);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

/** A direction's h over all steps as [batch, steps, units], in processing or input order. */
function hSequence(lt, order) {
  const q = lt.quantities.findIndex((x) => x.key === 'h');
  assert.ok(q >= 0, `trace of ${lt.layerName} has no h`);
  const values = lt.values[q];
  const out = new Float64Array(lt.batch * lt.steps * lt.units);
  for (let b = 0; b < lt.batch; b++) {
    for (let i = 0; i < lt.steps; i++) {
      const s = order === 'input' ? lt.stepOfInputTime[i] : i;
      for (let j = 0; j < lt.units; j++) out[(b * lt.steps + i) * lt.units + j] = values[(b * lt.steps + s) * lt.units + j];
    }
  }
  return { shape: [lt.batch, lt.steps, lt.units], data: out };
}

/** Final state vectors ([batch, units]) of one direction: h, then c for LSTM — Keras's return_state order. */
function finalStates(lt) {
  const keys = lt.cell === 'lstm' || lt.cell === 'conv_lstm' ? ['h', 'c'] : ['h'];
  const last = lt.steps - 1;
  return keys.map((key) => {
    const values = lt.values[lt.quantities.findIndex((x) => x.key === key)];
    const out = new Float64Array(lt.batch * lt.units);
    for (let b = 0; b < lt.batch; b++) {
      for (let j = 0; j < lt.units; j++) out[b * lt.units + j] = values[(b * lt.steps + last) * lt.units + j];
    }
    return { shape: [lt.batch, lt.units], data: out };
  });
}

/** `group`: values Keras's concat puts side by side (units; a channels_last ConvLSTM's filters per position). */
function merge(mode, f, b, group) {
  const [batch, steps, width] = f.shape;
  if (mode === 'concat') {
    const u = group ?? width;
    const out = new Float64Array(batch * steps * 2 * width);
    for (let r = 0; r < (batch * steps * width) / u; r++) {
      for (let j = 0; j < u; j++) {
        out[r * 2 * u + j] = f.data[r * u + j];
        out[r * 2 * u + u + j] = b.data[r * u + j];
      }
    }
    const u2 = width;
    return { shape: [batch, steps, 2 * u2], data: out };
  }
  const op = { sum: (x, y) => x + y, mul: (x, y) => x * y, ave: (x, y) => (x + y) / 2 }[mode];
  assert.ok(op, `merge mode ${mode}`);
  return { shape: f.shape, data: f.data.map((x, i) => op(x, b.data[i])) };
}

/** What Keras's return_sequences=True output of recurrent layer `index` is, rebuilt from the engine's trace. */
export function sequenceFromTrace(trace, layer, index) {
  const parts = trace.layers.filter((lt) => lt.layerIndex === index);
  if (layer.kind === 'recurrent') {
    assert.equal(parts.length, 1);
    return { seq: hSequence(parts[0], 'processing'), states: finalStates(parts[0]) };
  }
  const fwd = parts.find((lt) => lt.direction === 'forward');
  const bwd = parts.find((lt) => lt.direction === 'backward');
  assert.ok(fwd && bwd, `trace of Bidirectional ${layer.name}`);
  // merge_mode None: Keras returns both sequences, the forward first; the reference lists the backward one with the
  // states (it is the layer's second output).
  if (layer.mergeMode === null) return { seq: hSequence(fwd, 'input'), states: [hSequence(bwd, 'input'), ...finalStates(fwd), ...finalStates(bwd)] };
  // Keras reverses the backward sequence so step t of both directions lines up, then merges.
  return {
    seq: merge(layer.mergeMode, hSequence(fwd, 'input'), hSequence(bwd, 'input'), layer.forward.conv?.channelsFirst === false ? layer.forward.conv.filters : undefined),
    states: [...finalStates(fwd), ...finalStates(bwd)],
  };
}

