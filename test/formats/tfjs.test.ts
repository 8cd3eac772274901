// TensorFlow.js layers models (test/formats/data/tfjs, made by data/make_tfjs.mjs with @tensorflow/tfjs 4.22):
// Cellscope loads model.json + shards and its engine must match TF.js's own model.predict, an independent Keras 2
// implementation, within 1e-5. Quantised variants are compared with what TF.js predicts after de-quantising the
// same weights itself, so the same tolerance holds. Then every way a TF.js model's files can be wrong.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runModel } from '../../src/engine/index';
import { loadModelBytes, loadModelText } from '../../src/formats/index';
import { rejects } from '../support/rejects';
import { loadModelFile } from '../../src/formats/node-files';
import { DATA, expectLoadError } from './helpers';
import { english } from '../../src/phrase';

const TFJS = join(DATA, 'tfjs');
const TOLERANCE = 1e-5;
const worst: Record<string, number> = {};
after(() => {
  for (const [k, v] of Object.entries(worst).sort()) process.stderr.write(`# tfjs: ${k}: largest |Δ| vs TF.js predict ${v.toExponential(2)}\n`);
});

const cases = readdirSync(TFJS).sort();
const toTensor = (t: { shape: number[]; data: number[] }) => ({ shape: t.shape, data: Float64Array.from(t.data) });

test('all TF.js cases are there', () => {
  for (const c of ['lstm_dense', 'gru_seq_td', 'simple_rnn_stack', 'bidirectional', 'hard_sigmoid', 'embedding_gru', 'lstm_dense_uint8', 'bidirectional_uint16', 'gru_seq_td_float16']) {
    assert.ok(cases.includes(c), c);
  }
});

for (const c of cases) {
  test(`TF.js ${c}: engine matches TF.js model.predict`, async () => {
    const expected = JSON.parse(readFileSync(join(TFJS, c, 'expected.json'), 'utf8'));
    const { model } = await loadModelFile(join(TFJS, c, 'model.json'));
    assert.equal(model.source.format, 'tfjs-layers-model');
    assert.equal(model.source.kerasVersion, 'tfjs-layers 4.22.0');
    assert.equal(model.semantics.kerasMajor, 2);
    assert.equal(model.semantics.hardSigmoid, 'keras2');
    assert.match(english(model.semantics.decidedBy), /TensorFlow\.js/);
    const kind = c.endsWith('_uint8') || c.endsWith('_uint16') || c.endsWith('_float16') ? 'quantised' : 'float32';
    for (const precision of ['float64', 'float32'] as const) {
      const out = runModel(model, toTensor(expected.input), { precision }).output;
      const want = toTensor(expected.output);
      assert.deepEqual([...out.shape], want.shape);
      let d = 0;
      for (let i = 0; i < want.data.length; i++) d = Math.max(d, Math.abs(out.data[i]! - want.data[i]!));
      worst[`${kind} ${precision}`] = Math.max(worst[`${kind} ${precision}`] ?? 0, d);
      assert.ok(d <= TOLERANCE, `${c} (${precision}): off by ${d}`);
    }
  });
}

test('structure: Bidirectional weights in forward-then-backward order, GRU reset_after=false, hard_sigmoid by TF.js default', async () => {
  const { model } = await loadModelFile(join(TFJS, 'bidirectional', 'model.json'));
  const [b1, b2, dense] = model.layers;
  assert.ok(b1?.kind === 'bidirectional' && b2?.kind === 'bidirectional' && dense?.kind === 'dense');
  assert.equal(b1.mergeMode, 'concat');
  assert.equal(b2.mergeMode, 'sum');
  assert.equal(b1.forward.config.recurrentActivation, 'hard_sigmoid');
  assert.equal(b2.forward.cell, 'gru');
  assert.equal(b2.forward.config.resetAfter, false);
  assert.deepEqual(b2.forward.weights.kernel.shape, [8, 9]);
  const { model: emb } = await loadModelFile(join(TFJS, 'embedding_gru', 'model.json'));
  assert.ok(emb.inputIsTokens);
});

test('uint8 de-quantisation equals TF.js\'s own: v × scale + min, rounded to float32', async () => {
  const doc = JSON.parse(readFileSync(join(TFJS, 'lstm_dense_uint8', 'model.json'), 'utf8'));
  const shard = new Uint8Array(readFileSync(join(TFJS, 'lstm_dense_uint8', 'group1-shard1of1.bin')));
  const { model } = await loadModelFile(join(TFJS, 'lstm_dense_uint8', 'model.json'));
  const spec = doc.weightsManifest[0].weights[0];
  const lstm = model.layers[0]!;
  assert.ok(lstm.kind === 'recurrent');
  for (let i = 0; i < 5; i++) assert.equal(lstm.weights.kernel.data[i], Math.fround(shard[i]! * spec.quantization.scale + spec.quantization.min));
});

// ---------- broken TF.js models ----------

const modelDoc = (c = 'lstm_dense') => JSON.parse(readFileSync(join(TFJS, c, 'model.json'), 'utf8'));
const shard = (c = 'lstm_dense', n = 'group1-shard1of1.bin') => new Uint8Array(readFileSync(join(TFJS, c, n)));

/** Loads a model.json given as an object, with shards served from `files` (others: ENOENT). */
function loadWith(doc: unknown, files: Record<string, Uint8Array>, asked: string[] = []) {
  return loadModelBytes(new TextEncoder().encode(JSON.stringify(doc, null, 1)), 'model.json', async (rel) => {
    asked.push(rel);
    const f = files[rel];
    if (f) return f;
    throw Object.assign(new Error(`ENOENT: no such file or directory, open '${rel}'`), { code: 'ENOENT' });
  });
}

test('a manifest pointing outside the model folder is refused before anything is read', async () => {
  for (const bad of ['../secret.bin', '/etc/passwd', 'shards/../../x.bin', 'C:\\Windows\\x.bin', 'file:///etc/passwd', '..\\x.bin']) {
    const doc = modelDoc();
    doc.weightsManifest[0].paths = [bad];
    const asked: string[] = [];
    const e = await rejects(loadWith(doc, {}, asked), 'model.json:', '`weightsManifest[0].paths[0]`', 'inside the model\'s folder', JSON.stringify(bad));
    assert.deepEqual(asked, [], `nothing read for ${bad}`);
    assert.ok(e.details.line !== undefined, 'located in the JSON text');
  }
});

test('a missing shard names the shard and the manifest entry', async () => {
  const e = await rejects(loadWith(modelDoc(), {}), 'model.json:', '`weightsManifest[0].paths[0]`', 'shard "group1-shard1of1.bin"', 'found no such file');
  assert.equal(e.details.file, 'model.json');
});

test('a shard shorter (or longer) than the manifest says', async () => {
  const full = shard();
  await rejects(
    loadWith(modelDoc(), { 'group1-shard1of1.bin': full.subarray(0, full.length - 10) }),
    'model.json:',
    'shard "group1-shard1of1.bin"',
    `expected ${full.length} bytes`,
    `found ${full.length - 10} bytes: the shards end 10 bytes early, inside weight "dense_Dense1/bias"`,
    '`weightsManifest[0].weights[4]`',
  );
  const longer = new Uint8Array(full.length + 4);
  longer.set(full);
  await rejects(loadWith(modelDoc(), { 'group1-shard1of1.bin': longer }), '4 more than the manifest describes');
  // Two shards: the second one missing its tail.
  const doc = modelDoc('bidirectional');
  const s2 = shard('bidirectional', 'group1-shard2of2.bin');
  await rejects(loadWith(doc, { 'group1-shard1of2.bin': shard('bidirectional', 'group1-shard1of2.bin'), 'group1-shard2of2.bin': s2.subarray(0, 100) }), 'shard "group1-shard2of2.bin"', 'end');
});

test('absurd declared sizes are refused before allocating', async () => {
  const doc = modelDoc();
  doc.weightsManifest[0].weights[0].shape = [50000, 50000]; // 10 GB of float32
  const asked: string[] = [];
  await rejects(loadWith(doc, {}, asked), 'model.json:', '`weightsManifest[0].weights[0].shape`', 'found 2500000000 values, which exceeds cellscope.limits.maxElements (268435456)');
  assert.deepEqual(asked, []);
});

test('bad dtypes, quantisation without scale, unknown weight names, graph models', async () => {
  const doc = modelDoc();
  doc.weightsManifest[0].weights[0].dtype = 'string';
  await rejects(loadWith(doc, {}), '`weightsManifest[0].weights[0].dtype`', 'float32', 'the string "string"');
  const q = modelDoc('lstm_dense_uint8');
  delete q.weightsManifest[0].weights[1].quantization.scale;
  await rejects(loadWith(q, {}), '`weightsManifest[0].weights[1].quantization.scale`', 'the scale of uint8 quantisation');
  const renamed = modelDoc();
  renamed.weightsManifest[0].weights[3].name = 'ghost/kernel';
  await rejects(loadWith(renamed, { 'group1-shard1of1.bin': shard() }), '`weightsManifest[0].weights[3].name`', 'the name "ghost/kernel", which belongs to none');
  await rejects(loadWith({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }, {}), '`format`', 'a TF.js graph model');
});

test('a TF.js model given as text alone cannot reach its shards: a LoadError, not a stray promise', () => {
  expectLoadError(() => loadModelText(JSON.stringify(modelDoc()), 'model.json'), 'model.json:', 'shard files beside model.json');
});

test('weights in a wrong shape for the topology name the manifest entry', async () => {
  const doc = modelDoc();
  doc.modelTopology.config.layers[0].config.units = 7;
  await rejects(loadWith(doc, { 'group1-shard1of1.bin': shard() }), '`weightsManifest[0].weights[0]`', 'kernel of layer "lstm_LSTM1"', 'found shape [3, 24]');
});
