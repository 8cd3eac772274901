// Gradients through the real Keras 3 architectures of test/fixtures/architectures (Conv1D, pooling, the activation
// and normalization layers, Reshape / Permute / RepeatVector, keras.ops nodes, TimeDistributed, several inputs,
// initial_state=, return_state, merge_mode None, shared layers) against JAX in float64
// (test/fixtures/explain-architectures, made by test/explain/make_architecture_grads.py): ∂y/∂(each input), or
// ∂y/∂(embedding vectors) for a token input, must agree to 1e-9 relative (of the gradient's largest magnitude);
// integrated gradients on a few (all inputs interpolated together), with completeness as JAX's 64-step sum leaves it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Tensor } from '../../src/engine';
import { explainPrediction, type Explanation } from '../../src/explain';
import { loadModelFile } from '../../src/formats/node-files';
import { relError } from '../support/rel-error';

const REFS = join(__dirname, '../fixtures/explain-architectures');
const ARCH = join(__dirname, '../fixtures/architectures');
const REL = 1e-9;

interface Ref {
  name: string;
  output: number;
  target: number[];
  value: number;
  inputs: { name: string; space: 'input' | 'embedding'; gradient: { shape: number[]; data: number[] } }[];
  ig?: { steps: number; attributions: { shape: number[]; data: number[] }[]; delta: number };
}

const refs = readdirSync(REFS)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(REFS, f), 'utf8')) as Ref);

function inputsOf(name: string): Tensor[] {
  const r = JSON.parse(readFileSync(join(ARCH, name, 'reference.json'), 'utf8')) as { inputs: { shape: number[]; data: number[] }[] };
  return r.inputs.map((i) => ({ shape: i.shape, data: Float64Array.from(i.data) }));
}

/** Each input's gradient part of an explanation: the per-component vectors for a token input. */
function parts(e: Explanation): { space: string; data: Float64Array; shape: readonly number[] }[] {
  const list = e.attributions ?? [{ name: '', space: e.space, attribution: e.attribution, ...(e.vectors ? { vectors: e.vectors } : {}) }];
  return list.map((a) => {
    const t = a.space === 'embedding' ? a.vectors! : a.attribution;
    return { space: a.space, data: t.data, shape: t.shape };
  });
}

test('the fixtures hold the cases', () => {
  assert.ok(refs.length >= 30, `${refs.length} cases`);
});

const worst: string[] = [];
for (const ref of refs) {
  // Every case from its .keras file; one from each of the other formats.
  const file = ref.name === 'cnn_lstm' ? 'model.h5' : ref.name === 'dict_inputs' ? 'model.cellscope.json' : 'model.keras';
  test(`${ref.name} (${file}): ∂y/∂(each input) matches JAX in float64`, async () => {
    const { model } = await loadModelFile(join(ARCH, ref.name, file));
    const ins = inputsOf(ref.name);
    const input = ins.length === 1 ? ins[0]! : ins;
    const e = explainPrediction(model, input, { method: 'gradient', target: ref.target, output: ref.output, precision: 'float64' });
    assert.ok(Math.abs(e.value - ref.value) <= 1e-12 * Math.max(1, Math.abs(ref.value)), `value ${e.value} vs JAX ${ref.value}`);
    const got = parts(e);
    assert.equal(got.length, ref.inputs.length);
    let err = 0;
    ref.inputs.forEach((r, k) => {
      assert.equal(got[k]!.space, r.space, `input ${r.name}'s space`);
      assert.deepEqual([...got[k]!.shape], r.gradient.shape, `input ${r.name}'s shape`);
      err = Math.max(err, relError(got[k]!.data, r.gradient.data));
    });
    worst.push(`${ref.name} ${err.toExponential(1)}`);
    assert.ok(err <= REL, `gradient: relative error ${err}`);
    if (!ref.ig) return;
    const ig = explainPrediction(model, input, { method: 'integrated-gradients', target: ref.target, output: ref.output, steps: ref.ig.steps, baseline: 'zeros' });
    const igParts = parts(ig);
    ref.ig.attributions.forEach((a, k) => {
      const ei = relError(igParts[k]!.data, a.data);
      assert.ok(ei <= REL, `integrated gradients, input ${k}: relative error ${ei}`);
    });
    const refSum = ref.ig.attributions.reduce((s, a) => s + a.data.reduce((t, v) => t + v, 0), 0);
    const refCompleteness = Math.abs(refSum - ref.ig.delta);
    assert.ok(Math.abs(ig.completenessError! - refCompleteness) <= 1e-9 * Math.max(1, Math.abs(ref.ig.delta)), `completeness ${ig.completenessError} vs JAX's ${refCompleteness}`);
  });
}

test.after(() => process.stderr.write(`# relative error vs JAX: ${worst.join(', ')}\n`));

test('cellscope explain on a two-input model: `attribution` is the first input\'s, `attributions` one per input (gradient and IG as JAX); occlusion is refused', async () => {
  const { main } = await import('../../src/cli/main');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const cli = async (...args: string[]) => {
    let err = '';
    const code = await main(args, () => {}, (t) => (err += t + '\n'));
    return { code, err };
  };
  const name = 'encoder_decoder_initial_state';
  const ref = refs.find((r) => r.name === name)!;
  const tmp = mkdtempSync(join(tmpdir(), 'cellscope-explain-arch-'));
  const input = join(tmp, 'inputs.json');
  writeFileSync(input, JSON.stringify(inputsOf(name).map((t) => ({ shape: t.shape, data: Array.from(t.data) }))));
  const model = join(ARCH, name, 'model.keras');
  const target = ref.target.join(',');
  const gOut = join(tmp, 'g.json');
  const g = await cli('explain', model, '--input', input, '--target', target, '--method', 'gradient', '--out', gOut);
  assert.equal(g.code, 0, g.err);
  const gj = JSON.parse(readFileSync(gOut, 'utf8'));
  assert.deepEqual(Object.keys(gj).slice(0, 5), ['target', 'output', 'value', 'method', 'attribution']);
  assert.deepEqual(gj.attribution.shape, ref.inputs[0]!.gradient.shape);
  assert.ok(relError(gj.attribution.data, ref.inputs[0]!.gradient.data) <= REL);
  assert.deepEqual(gj.attributions.map((a: { name: string }) => a.name), ref.inputs.map((i) => i.name));
  ref.inputs.forEach((r, k) => assert.ok(relError(gj.attributions[k].data, r.gradient.data) <= REL, `input ${r.name}`));
  const iOut = join(tmp, 'ig.json');
  const i = await cli('explain', model, '--input', input, '--target', target, '--method', 'integrated-gradients', '--steps', '64', '--baseline', 'zeros', '--out', iOut);
  assert.equal(i.code, 0, i.err);
  const ij = JSON.parse(readFileSync(iOut, 'utf8'));
  ref.ig!.attributions.forEach((a, k) => assert.ok(relError(ij.attributions[k].data, a.data) <= REL, `IG of input ${k}`));
  const refSum = ref.ig!.attributions.reduce((s, a) => s + a.data.reduce((t, v) => t + v, 0), 0);
  assert.ok(Math.abs(ij.completeness_error - Math.abs(refSum - ref.ig!.delta)) <= 1e-9);
  const o = await cli('explain', model, '--input', input, '--target', target, '--method', 'occlusion', '--out', join(tmp, 'o.json'));
  assert.equal(o.code, 2);
  assert.match(o.err, /occlusion explains one-input models; this model has 2 inputs/);
});

// Integrated gradients where JAX's reference has none (token inputs through stand-in Embeddings, several inputs
// interpolated together, a TimeDistributed model's folded ids, shared layers): the midpoint rule's completeness error
// shrinks as 1/m² when the gradients are those of f along the path (64 → 256 points: ~16× smaller); a wrong
// gradient anywhere on the path leaves an error that does not shrink.
for (const name of ['two_token_inputs_concat', 'multi_input_multi_output', 'han_timedistributed_model', 'nested_siamese']) {
  test(`${name}: integrated gradients' completeness error falls as 1/m² (64 → 256 points)`, async () => {
    const { model } = await loadModelFile(join(ARCH, name, 'model.keras'));
    const ins = inputsOf(name);
    const input = ins.length === 1 ? ins[0]! : ins;
    const at = (steps: number) => explainPrediction(model, input, { method: 'integrated-gradients', target: [1, 0], steps }).completenessError!;
    const [e64, e256] = [at(64), at(256)];
    assert.ok(e64 < 1e-5, `completeness at 64 points: ${e64}`);
    assert.ok(e64 / e256 > 10 && e64 / e256 < 25, `64 → 256 points: ${e64} → ${e256} (×${(e64 / e256).toFixed(1)}; the midpoint rule gives ~16)`);
  });
}
