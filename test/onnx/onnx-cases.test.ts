// ONNX graphs exported by real PyTorch (torch.onnx.export, dynamo=False) and built with onnx.helper for the
// attributes torch never emits (and feed-forward operators in their attribute and opset forms), against onnxruntime's outputs (onnx's ReferenceEvaluator for float64 graphs):
// every output within 1e-5 (float64: 1e-12), with the recurrent operators on the engine's cells where they express
// the op and on the reference cells everywhere; the two runners' gate traces agree; each trace's h is the op's Y.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { quantityIndex, type LayerTrace } from '../../src/engine/trace';
import { setRecurrentRunner } from '../../src/onnx/ops/recurrent/index';
import { caseNames, loadCase, maxError, readCase, toleranceOf } from './cases';

const names = caseNames();
const report: string[] = [];

async function traced(name: string, runner: 'auto' | 'reference') {
  const c = readCase(name);
  const model = await loadCase(c);
  setRecurrentRunner(runner);
  try {
    return { c, model, r: model.run(c.inputs, { record: true }) };
  } finally {
    setRecurrentRunner('auto');
  }
}

describe('ONNX graphs vs onnxruntime', () => {
  after(() => process.stderr.write(`# max |Cellscope − onnxruntime| per case (engine cells where possible / reference cells):\n${report.map((l) => `#   ${l}`).join('\n')}\n`));

  test('the fixture set covers torch exports and every recurrent attribute', async () => {
    assert.ok(names.length >= 40, `${names.length} cases`);
    for (const want of ['dynamo_lstm_gru_softmax', 'ops_slice_split_concat', 'ops_shapes_casts_opset15', 'ops_attribute_forms_opset9', 'torch_lstm_2layer_bidir_batchfirst', 'torch_embedding_lstm_classifier', 'lstm_peepholes', 'lstm_clip', 'lstm_input_forget', 'lstm_activations_alpha_beta', 'lstm_layout1_bidir_initial', 'lstm_sequence_lens_bidir', 'gru_lbr0', 'gru_lbr1_layout1_bidir', 'rnn_leakyrelu_clip', 'lstm_float64']) {
      assert.ok(names.includes(want), want);
    }
  });

  for (const name of names) {
    test(name, async () => {
      const auto = await traced(name, 'auto');
      const ref = await traced(name, 'reference');
      const tol = toleranceOf(auto.c);
      const eAuto = maxError(auto.r.outputs, auto.c.expected);
      const eRef = maxError(ref.r.outputs, ref.c.expected);
      report.push(`${name.padEnd(40)} ${eAuto.toExponential(2)} / ${eRef.toExponential(2)}`);
      assert.ok(eAuto <= tol, `engine path: max error ${eAuto} > ${tol}`);
      assert.ok(eRef <= tol, `reference path: max error ${eRef} > ${tol}`);

      // Both runners trace the same quantities of the same ops; where both computed a value they agree.
      const [ta, tr] = [auto.r.trace!.layers, ref.r.trace!.layers];
      // ops_* cases are feed-forward graphs (operator forms across opsets), and torch's dynamo exporter unrolls
      // nn.RNN into MatMul/Add/Tanh: no recurrent op there, so no trace.
      const recurrentOps = auto.model.graph.nodes.filter((n) => ['LSTM', 'GRU', 'RNN'].includes(n.opType)).length;
      assert.equal(ta.length >= recurrentOps, true, 'a trace layer per recurrent op direction');
      assert.equal(ta.length > 0, recurrentOps > 0, 'a trace exactly when the graph has a recurrent op');
      assert.deepEqual(ta.map((l) => [l.layerName, l.direction, l.quantities.map((q) => q.key)]), tr.map((l) => [l.layerName, l.direction, l.quantities.map((q) => q.key)]));
      ta.forEach((la, i) => {
        const lr = tr[i]!;
        la.values.forEach((va, q) => {
          const vr = lr.values[q]!;
          for (let k = 0; k < va.length; k++) {
            if (Number.isNaN(va[k]!) && Number.isNaN(vr[k]!)) continue;
            const d = Math.abs(va[k]! - vr[k]!);
            assert.ok(d <= tol * 10, `${la.layerName} ${la.direction} ${la.quantities[q]!.key}[${k}]: ${va[k]} vs ${vr[k]}`);
          }
        });
      });
    });
  }

  test('clip bounds every activation input of the clip cases (so their references exercise it)', async () => {
    for (const [name, clip] of [['lstm_clip', 0.7], ['gru_clip_activations', 0.8], ['rnn_leakyrelu_clip', 2]] as const) {
      const { r } = await traced(name, 'auto');
      let max = 0;
      for (const lt of r.trace!.layers) {
        lt.quantities.forEach((q, i) => {
          if (q.role === 'pre_activation') for (const v of lt.values[i]!) if (!Number.isNaN(v)) max = Math.max(max, Math.abs(v));
        });
      }
      assert.equal(max, Math.fround(clip), `${name}: the largest activation input is the clip bound`);
    }
  });

  test("a single recurrent node's traced h is its Y, in input time, for every direction", async () => {
    for (const name of names.filter((n) => !/^(torch|dynamo|ops)_/.test(n) && n !== 'lstm_only_yh')) {
      const { c, r } = await traced(name, 'auto');
      const Y = r.outputs[0]!;
      const layout1 = name.includes('layout1');
      // Y: [T, D, B, H] (layout 0) or [B, T, D, H] (layout 1).
      const [T, D, B, H] = layout1 ? [Y.shape[1]!, Y.shape[2]!, Y.shape[0]!, Y.shape[3]!] : (Y.shape as [number, number, number, number]);
      r.trace!.layers.forEach((lt: LayerTrace, d) => {
        assert.equal(lt.steps, T);
        const h = lt.values[quantityIndex(lt, 'h')]!;
        for (let b = 0; b < B; b++) {
          for (let s = 0; s < T; s++) {
            if (lt.masked?.[b * T + s]) continue;
            const t = lt.inputTimeOfStep[s]!;
            for (let j = 0; j < H; j++) {
              const y = Y.data[layout1 ? ((b * T + t) * D + d) * H + j : ((t * D + d) * B + b) * H + j]!;
              assert.equal(h[(b * T + s) * H + j], y, `${name} direction ${d} b${b} step ${s} unit ${j}`);
            }
          }
        }
      });
      assert.ok(c.inputs.length >= 1);
    }
  });
});
