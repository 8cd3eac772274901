// One architecture case (made by test/python/make_architectures.py) checked against what real Keras computed: each
// saved format loaded, run in float64 and float32, every output compared, and every recurrent layer's full sequence
// and final states (Keras re-ran the layer with return_sequences/return_state on its own recorded inputs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { maxAbsDiff, sequenceFromTrace, toTensor } from './trace-sequences.mjs';

export const FORMATS = ['model.cellscope.json', 'model.keras', 'model.h5'];
/** Engine float64 vs Keras float64. */
export const TOLERANCE_FLOAT64 = 1e-5;
/** Engine float32 vs Keras float32 (the same arithmetic; sums may be ordered differently). */
export const TOLERANCE_FLOAT32 = 1e-6;

/** Zeroes the steps a masked Bidirectional skipped: Keras outputs zeros there, the trace shows the carried state. */
function zeroMasked(seq, trace, index) {
  const parts = trace.layers.filter((lt) => lt.layerIndex === index && lt.masked);
  if (!parts.length) return seq;
  const [batch, steps, width] = seq.shape;
  const data = Float64Array.from(seq.data);
  for (const lt of parts) {
    for (let b = 0; b < batch; b++) {
      for (let s = 0; s < steps; s++) {
        if (!lt.masked[b * steps + s]) continue;
        const t = lt.inputTimeOfStep[s];
        const u = lt.units;
        const off = lt.direction === 'backward' ? width - u : 0;
        for (let j = 0; j < u; j++) data[(b * steps + t) * width + off + j] = 0;
      }
    }
  }
  return { shape: seq.shape, data };
}

/** Runs one case; returns the worst |Δ| per precision and format. Throws (assert) past the tolerances. */
export async function checkArchitecture(dir, name, formats, engine) {
  const ref = JSON.parse(readFileSync(join(dir, name, 'reference.json'), 'utf8'));
  const inputs = ref.inputs.map(toTensor);
  const worst = {};
  for (const file of FORMATS) {
    const loaded = await formats.loadModelBytes(new Uint8Array(readFileSync(join(dir, name, file))), file);
    const model = loaded.model;
    for (const precision of ['float64', 'float32']) {
      const expected = precision === 'float64' ? ref.outputs_float64 : ref.outputs_float32;
      const tol = precision === 'float64' ? TOLERANCE_FLOAT64 : TOLERANCE_FLOAT32;
      const r = engine.runModel(model, inputs.length === 1 ? inputs[0] : inputs, { precision });
      assert.equal(r.outputs.length, expected.length, `${name} ${file}: number of outputs`);
      let w = 0;
      expected.forEach((e, k) => {
        w = Math.max(w, maxAbsDiff(`${name} ${file} ${precision} output ${k}`, r.outputs[k], toTensor(e)));
      });
      assert.ok(w <= tol, `${name} ${file} ${precision}: output off by ${w}`);
      if (precision === 'float64') {
        for (const rec of ref.layers) {
          const index = model.layers.findIndex((l) => l.name === rec.name);
          assert.ok(index >= 0, `${name}: layer ${rec.name} not in the model`);
          const layer = model.layers[index];
          // A shared layer's later calls are traced as "name (call 2)"; Keras's recording is of the first call.
          const firstCalls = { ...r.trace, layers: r.trace.layers.filter((lt) => !/ \(call \d+\)$/.test(lt.layerName)) };
          const { seq, states } = sequenceFromTrace(firstCalls, layer, index);
          const got = layer.kind === 'bidirectional' ? zeroMasked(seq, firstCalls, index) : seq;
          // A ConvLSTM's trace units are its output frame flattened (positions × filters): so is Keras's frame.
          const frames = (layer.kind === 'bidirectional' ? layer.forward : layer).conv ? (t, lead) => ({ shape: [...t.shape.slice(0, lead), t.data.length / t.shape.slice(0, lead).reduce((a, n) => a * n, 1)], data: t.data }) : (t) => t;
          const d = maxAbsDiff(`${name} ${rec.name} sequence`, got, frames(toTensor(rec.sequence), 2));
          assert.ok(d <= tol, `${name} ${file}: layer ${rec.name} sequence off by ${d}`);
          w = Math.max(w, d);
          rec.states.forEach((s, k) => {
            const ds = maxAbsDiff(`${name} ${rec.name} state ${k}`, states[k], frames(toTensor(s), 1));
            assert.ok(ds <= tol, `${name} ${file}: layer ${rec.name} state ${k} off by ${ds}`);
            w = Math.max(w, ds);
          });
        }
      }
      worst[`${precision} ${file}`] = w;
    }
  }
  return worst;
}
