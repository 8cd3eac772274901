// Built-in SimpleRNN / LSTM / GRU (both reset_after) written as custom cells give the built-in numbers: every
// recurrent layer of every shared fixture (Bidirectional directions, masking, stateful, go_backwards included) is
// converted to per-gate [out, in] weights and Keras's formulas as expressions, then run against expected_output.
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test } from 'node:test';
import { compareTensors } from '../../src/compare/compare';
import { recurrentLayersOf, runModel, type Layer, type Model, type RecurrentLayer } from '../../src/engine';
import { customFromKeras, defineCustomCell } from '../../src/engine/custom';
import { loadModelFile } from '../../src/formats/node-files';
import { fixtureFiles } from '../fixtures-path';

function asCustom(l: RecurrentLayer): RecurrentLayer {
  const def = defineCustomCell(customFromKeras(l));
  return {
    ...l,
    cell: 'custom',
    config: { ...l.config, activation: 'linear', recurrentActivation: 'linear', useBias: false, resetAfter: false },
    weights: { kernel: { shape: [l.weights.kernel.shape[0]!, 0], data: new Float64Array(0) }, recurrentKernel: { shape: [l.config.units, 0], data: new Float64Array(0) }, bias: null },
    custom: def,
  };
}

function customModel(model: Model): { model: Model; cells: Set<string> } {
  const cells = new Set<string>();
  const swap = (l: RecurrentLayer) => {
    cells.add(l.cell === 'gru' ? `gru(reset_after=${l.config.resetAfter})` : l.cell);
    return asCustom(l);
  };
  const layers = model.layers.map((l): Layer => {
    if (l.kind === 'recurrent') return swap(l);
    if (l.kind === 'bidirectional') return { ...l, forward: swap(l.forward), backward: swap(l.backward) };
    return l;
  });
  return { model: { ...model, layers }, cells };
}

for (const family of ['keras-recorded', 'keras3-generated']) {
  test(`${family}: every recurrent layer as a custom cell matches Keras within 1e-5 and the built-in cell (float64 and float32)`, async (t) => {
    const files = fixtureFiles(family);
    assert.ok(files.length >= 35, `expected the shared fixtures, found ${files.length}`);
    const seen = new Set<string>();
    let worstKeras = 0;
    const worstBuiltIn = { float64: 0, float32: 0 };
    for (const file of files) {
      const { model, input, expectedOutput, predictCalls } = await loadModelFile(file);
      const { model: custom, cells } = customModel(model);
      cells.forEach((c) => seen.add(c));
      for (const precision of ['float64', 'float32'] as const) {
        const ours = runModel(custom, input!, { precision, predictCalls });
        const builtIn = runModel(model, input!, { precision, predictCalls });
        const c = compareTensors(ours.output, expectedOutput!, { atol: 1e-5, rtol: 0 });
        assert.ok(c.pass, `${basename(file)} (${precision}): ${c.shapeMismatch ?? `max |Δ| ${c.maxAbs} at ${c.maxAbsAt?.text}`}`);
        worstKeras = Math.max(worstKeras, c.maxAbs);
        const b = compareTensors(ours.output, builtIn.output, { atol: precision === 'float64' ? 1e-12 : 1e-6, rtol: 0 });
        assert.ok(b.pass, `${basename(file)} (${precision}) vs built-in: max |Δ| ${b.maxAbs}`);
        worstBuiltIn[precision] = Math.max(worstBuiltIn[precision], b.maxAbs);
        // Same states recorded under the same keys as the built-in trace.
        ours.trace!.layers.forEach((lt, i) => {
          const bt = builtIn.trace!.layers[i]!;
          for (const key of ['h', 'c']) {
            const q = lt.quantities.findIndex((x) => x.key === key);
            const bq = bt.quantities.findIndex((x) => x.key === key);
            if (bq < 0) continue;
            const d = compareTensors({ shape: [lt.values[q]!.length], data: lt.values[q]! }, { shape: [bt.values[bq]!.length], data: bt.values[bq]! }, { atol: 1e-6, rtol: 0 });
            assert.ok(d.pass, `${basename(file)} ${lt.layerName} ${key}: max |Δ| ${d.maxAbs}`);
          }
        });
      }
    }
    t.diagnostic(`${family}: cells ${[...seen].sort().join(', ')}; max |Δ| vs Keras ${worstKeras.toExponential(2)}; vs built-in float64 ${worstBuiltIn.float64.toExponential(2)}, float32 ${worstBuiltIn.float32.toExponential(2)}`);
    for (const cell of ['simple_rnn', 'lstm']) assert.ok(seen.has(cell), `${family} has no ${cell}`);
  });
}

test('the converted cells: per-gate weights [out, in], GRU reset_after with its two bias rows, h the output', async () => {
  const kinds = new Set<string>();
  for (const file of fixtureFiles('keras3-generated')) {
    const { model } = await loadModelFile(file);
    for (const { layer } of recurrentLayersOf(model)) {
      const def = defineCustomCell(customFromKeras(layer));
      assert.equal(def.output, 'h');
      assert.deepEqual(def.states.map((s) => s.name), layer.cell === 'lstm' ? ['h', 'c'] : ['h']);
      for (const [name, t] of Object.entries(def.weights)) {
        if (name.startsWith('W_')) assert.deepEqual(t.shape, [layer.config.units, layer.weights.kernel.shape[0]], name);
        if (name.startsWith('U_')) assert.deepEqual(t.shape, [layer.config.units, layer.config.units], name);
      }
      if (layer.cell === 'gru' && layer.config.resetAfter && layer.config.useBias) {
        assert.match(def.gates[2]!.expr, /\(W_h @ x \+ bx_h\) \+ r \* \(U_h @ h \+ bh_h\)/);
        kinds.add('gru-reset-after');
      }
      if (layer.cell === 'lstm') assert.deepEqual(def.updates.map((u) => u.expr), ['f * c + i * c_tilde', `o * ${layer.config.activation}(c)`]);
      kinds.add(layer.cell);
    }
  }
  assert.ok(kinds.has('gru-reset-after') && kinds.has('lstm') && kinds.has('simple_rnn'), [...kinds].join());
});
