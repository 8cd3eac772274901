// The hardening issue's named cases, one explicit test each. Several already exist in test/formats/ and are not
// repeated here:
//   invalid JSON with line:column ............ errors.test.ts "invalid JSON reports line:column and offset"
//   wrong types ............................... errors.test.ts "every error is a LoadError, never a TypeError, for malformed structure"
//   shapes that disagree with units/features .. errors.test.ts "wrong weight shape names …", "a kernel that disagrees with the input features …"
//   unknown layers and activations ............ errors.test.ts "an unsupported layer is named …", "an unknown activation lists the known ones"
//   NaN/Infinity accepted in JSON ............. errors.test.ts "Python's NaN / Infinity / -Infinity are accepted"
//   declared zip member size (3 GiB) .......... keras-files.test.ts "a zip member declaring an absurd uncompressed size …"
//   corrupt / truncated HDF5 .................. keras-files.test.ts "a truncated or garbled .h5 …", errors.test.ts "a binary model file that is cut short …"
//   path traversal in archive member names .... keras-files.test.ts "a member name that leaves the folder, and a duplicated member"
//   TF.js manifest pointing outside its folder  tfjs.test.ts "a manifest pointing outside the model folder is refused …"
//   TF.js declared weight shape of 10 GB ...... tfjs.test.ts "absurd declared sizes are refused before allocating"
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { runModel } from '../../src/engine/index';
import { weightStats } from '../../src/engine/weight-stats';
import {
  DEFAULT_LIMITS,
  LoadError,
  checkModelInput,
  limitsFromSettings,
  loadArrayBytes,
  loadModelBytes,
  loadModelText,
  loadRecordingBytes,
  resolveLimits,
} from '../../src/formats/index';
import { loadModelFile } from '../../src/formats/node-files';
import { checkLoadError } from './harness';
import { EXPORT_JSON, MODEL_FIXTURES, RECORDED_FIXTURES, REPO, TFJS_DIR, bytesOf } from './sources';

const SINE = join(REPO, 'examples/sine-lstm');
const enc = (s: string) => new TextEncoder().encode(s);

async function loadError(p: Promise<unknown> | (() => unknown), ...fragments: string[]): Promise<LoadError> {
  let caught: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    caught = e;
  }
  checkLoadError(caught, fragments.join(' '));
  for (const f of fragments) assert.ok(caught.message.includes(f), `message lacks ${JSON.stringify(f)}:\n${caught.message}`);
  return caught;
}

const seq = (...layers: unknown[]) => ({ class_name: 'Sequential', config: { name: 's', layers } });
const input = (shape: (number | null)[]) => ({ class_name: 'InputLayer', config: { batch_input_shape: [null, ...shape], name: 'in' } });

test('truncated JSON files of every JSON format end in a LoadError with line and column', async () => {
  const sources = [EXPORT_JSON[0]!, RECORDED_FIXTURES[0]!, MODEL_FIXTURES[0]!, { name: 'input.json', path: join(SINE, 'input.json') }, { name: 'recording.json', path: join(SINE, 'recording.json') }];
  for (const s of sources) {
    const text = readFileSync(s.path, 'utf8').trimEnd();
    for (const cut of [1, Math.floor(text.length / 3), text.length - 1]) {
      const bytes = enc(text.slice(0, cut));
      const load = s.name === 'input.json' ? () => loadArrayBytes(bytes, s.name) : s.name === 'recording.json' ? () => loadRecordingBytes(bytes, s.name) : () => loadModelBytes(bytes, s.name);
      const e = await loadError(load, `${s.name}:`, 'expected valid JSON');
      assert.ok(e.details.line !== undefined && e.details.column !== undefined, `${s.name} cut at ${cut}: no line/column`);
    }
  }
});

test('JSON nested absurdly deep is refused before any recursive reader sees it', async () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  await loadError(loadModelBytes(enc(`{"model": ${deep}, "weights": []}`), 'deep.json'), 'deep.json:', 'nested at most 256 levels');
  // Invalid as well as deep: the syntax-error locator (recursive) must not be reached either.
  await loadError(loadModelBytes(enc(`{"model": ${'{"a":'.repeat(50_000)}1`), 'deep2.json'), 'deep2.json:', 'nested at most 256 levels');
  await loadError(async () => loadArrayBytes(enc('['.repeat(40) + '1' + ']'.repeat(40)), 'rank.json'), 'rank.json:', 'at most 32 dimensions');
});

test('NaN and Infinity in weights load, and weight-stats flags them per gate', async () => {
  const doc = JSON.parse(readFileSync(join(SINE, 'model.cellscope.json'), 'utf8'));
  // The LSTM's recurrent kernel [units, 4·units] gets a NaN in the forget gate's block, its bias an Infinity in the output gate's.
  const lstmAt = doc.weights.findIndex((w: unknown[][]) => Array.isArray(w) && Array.isArray(w[0]) && w.length === (w[0] as unknown[]).length / 4);
  assert.ok(lstmAt > 0, 'recurrent kernel found');
  const units = doc.weights[lstmAt].length;
  doc.weights[lstmAt][0][units + 1] = '__NaN__';
  doc.weights[lstmAt + 1][3 * units] = '__Infinity__';
  const text = JSON.stringify(doc).replace('"__NaN__"', 'NaN').replace('"__Infinity__"', 'Infinity');
  const { model } = await loadModelBytes(enc(text), 'nan.json');
  const stats = weightStats(model);
  const flagged = stats.filter((s) => s.nan || s.inf).map((s) => `${s.weight}/${s.gate}: ${s.nan} NaN, ${s.inf} Inf`);
  assert.deepEqual(flagged, ['recurrent_kernel/f: 1 NaN, 0 Inf', 'bias/o: 0 NaN, 1 Inf']);
});

test('empty sequences: an input with 0 time steps, and a model declaring 0 steps, are LoadErrors', async () => {
  const { model } = await loadModelBytes(bytesOf(join(SINE, 'model.cellscope.json')), 'model.cellscope.json');
  const free = { ...model, inputShape: [null, model.inputShape[1]!] };
  const empty = loadArrayBytes(enc('{"shape": [1, 0, 1], "data": []}'), 'empty.json');
  assert.deepEqual([...empty.shape], [1, 0, 1]);
  await loadError(async () => checkModelInput(empty, free, { file: 'empty.json', path: [] }), 'empty.json:', 'at least one time step', 'an empty sequence');
  const lstm = { class_name: 'LSTM', config: { name: 'lstm', units: 1 } };
  const weights = [[[0, 0, 0, 0]], [[0, 0, 0, 0]], [0, 0, 0, 0]];
  await loadError(async () => loadModelText(JSON.stringify({ model: seq(input([0, 1]), lstm), weights }), 'zero-steps.json'), 'zero-steps.json:', 'at least one time step');
  // An empty list where a recording's output belongs.
  await loadError(async () => loadRecordingBytes(enc('{"format": "cellscope-recording/v1", "output": [], "layers": [{"name": "l", "class_name": "LSTM", "output": []}]}'), 'rec.json'), 'rec.json:', '`layers[0].output`');
});

test('zero units, in every place a size is read', async () => {
  const lstm = { class_name: 'LSTM', config: { name: 'lstm', units: 0 } };
  await loadError(async () => loadModelText(JSON.stringify({ model: seq(input([3, 1]), lstm), weights: [] }), 'zero.json'), 'zero.json:', '`model.config.layers[1].config.units`', 'a positive integer', 'found number 0');
  const dense = { class_name: 'Dense', config: { name: 'dense', units: 0 } };
  await loadError(async () => loadModelText(JSON.stringify({ format: 'keras-model-fixture/v1', layers: [{ ...input([2]), weights: [] }, { ...dense, weights: [] }] }), 'zero-fixture.json'), 'zero-fixture.json:', 'units', 'found number 0');
  const embedding = { class_name: 'Embedding', config: { name: 'e', input_dim: 0, output_dim: 2 } };
  await loadError(async () => loadModelText(JSON.stringify({ model: seq(embedding), weights: [[]] }), 'zero-emb.json'), 'zero-emb.json:', 'input_dim', 'found number 0');
});

test('a .keras zip bomb: a small file whose member inflates far past its limit is refused before inflating', async () => {
  const members = unzipSync(bytesOf(join(SINE, 'model.keras')));
  // 64 MiB of zeros deflates to ~64 KiB; declared honestly, it is over a 16 MB maxFileBytes.
  const bomb = zipSync({ ...members, 'model.weights.h5': new Uint8Array(64 * 1024 ** 2) }, { level: 9 });
  assert.ok(bomb.length < 1024 ** 2, `the bomb is small (${bomb.length} bytes)`);
  const e = await loadError(loadModelBytes(bomb, 'bomb.keras', undefined, { maxFileBytes: 16 * 1024 ** 2 }), 'bomb.keras:', '`["model.weights.h5"]`', 'exceeds cellscope.limits.maxFileMegabytes (16 MB)');
  assert.deepEqual(e.details.path, ['model.weights.h5']);
  // Declared small but inflating large: the reader stops at the declared size, and the truncated member is reported.
  const view = new DataView(bomb.buffer, bomb.byteOffset, bomb.byteLength);
  for (let i = 0; i + 30 < bomb.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x02014b50 && new TextDecoder().decode(bomb.subarray(i + 46, i + 46 + view.getUint16(i + 28, true))) === 'model.weights.h5') view.setUint32(i + 24, 4096, true);
    if (sig === 0x04034b50 && new TextDecoder().decode(bomb.subarray(i + 30, i + 30 + view.getUint16(i + 26, true))) === 'model.weights.h5') view.setUint32(i + 22, 4096, true);
  }
  const before = process.memoryUsage().arrayBuffers;
  await loadError(loadModelBytes(bomb, 'liar.keras'), 'liar.keras:', 'model.weights.h5');
  assert.ok(process.memoryUsage().arrayBuffers - before < 48 * 1024 ** 2, 'the 64 MiB member was never inflated');
});

test('a .keras member named with ../ inside a folder, and an absolute Windows name, are refused', async () => {
  const members = unzipSync(bytesOf(join(SINE, 'model.keras')));
  for (const name of ['assets/../../config.json', 'C:\\Users\\x\\config.json', '..\\..\\evil']) {
    const e = await loadError(loadModelBytes(zipSync({ ...members, [name]: strToU8('x') }), 'trav.keras'), 'trav.keras:', 'leaves the archive');
    assert.deepEqual(e.details.path, [name]);
  }
});

test('a corrupt HDF5 superblock, and datasets whose declared shape needs gigabytes', async () => {
  const h5 = bytesOf(join(SINE, 'model.h5')).slice();
  for (let i = 8; i < 48; i++) h5[i] = 0xff;
  await loadError(loadModelBytes(h5, 'super.h5'), 'super.h5:', 'damaged or truncated');
  // The real file's datasets checked against a tiny maxElements: refused by name, with the setting to raise.
  const e = await loadError(loadModelBytes(bytesOf(join(SINE, 'model.h5')), 'model.h5', undefined, { maxElements: 10 }), 'model.h5:', 'exceeds cellscope.limits.maxElements (10)', 'raise the setting cellscope.limits.maxElements');
  assert.ok(String(e.details.path[0]).startsWith('/model_weights/'), `path ${JSON.stringify(e.details.path)}`);
});

test('TF.js: shards together over maxFileBytes, and a weight over maxElements, are refused before any shard is read', async () => {
  const doc = JSON.parse(readFileSync(join(TFJS_DIR, 'lstm_dense_uint8', 'model.json'), 'utf8'));
  const asked: string[] = [];
  const readSibling = async (rel: string) => {
    asked.push(rel);
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  };
  // uint8 20000 × 20000: 400 MB of bytes (under the fixed 1 GiB) but 4e8 values (over 2^28).
  doc.weightsManifest[0].weights[0].shape = [20000, 20000];
  await loadError(loadModelBytes(enc(JSON.stringify(doc)), 'model.json', readSibling), 'model.json:', '`weightsManifest[0].weights[0].shape`', 'exceeds cellscope.limits.maxElements (268435456)');
  doc.weightsManifest[0].weights[0].shape = [4000, 4000];
  await loadError(loadModelBytes(enc(JSON.stringify(doc)), 'model.json', readSibling, { maxFileBytes: 8 * 1024 ** 2 }), 'model.json:', '`weightsManifest`', 'the weight shards together', 'exceeds cellscope.limits.maxFileMegabytes (8 MB)');
  assert.deepEqual(asked, []);
});

test('files over maxFileBytes and sequences over maxSequenceLength name their setting', async () => {
  const model = bytesOf(join(SINE, 'model.cellscope.json'));
  await loadError(loadModelBytes(model, 'model.cellscope.json', undefined, { maxFileBytes: 1024 }), 'model.cellscope.json:', 'exceeds cellscope.limits.maxFileMegabytes');
  await loadError(async () => loadModelText(new TextDecoder().decode(model), 'model.cellscope.json', { maxFileBytes: 1024 }), 'exceeds cellscope.limits.maxFileMegabytes');
  // The sine model declares 5 time steps; the input has 5 too.
  await loadError(loadModelBytes(model, 'model.cellscope.json', undefined, { maxSequenceLength: 4 }), "the model's declared input length", 'found 5 time steps, which exceeds cellscope.limits.maxSequenceLength (4)');
  await loadError(async () => loadArrayBytes(bytesOf(join(SINE, 'input.json')), 'input.json', { maxSequenceLength: 4 }), 'input.json:', 'exceeds cellscope.limits.maxSequenceLength (4)');
  await loadError(async () => loadArrayBytes(bytesOf(join(SINE, 'input.json')), 'input.json', { maxElements: 100 }), 'input.json:', 'exceeds cellscope.limits.maxElements (100)');
  await loadError(async () => loadRecordingBytes(bytesOf(join(SINE, 'recording.json')), 'recording.json', { maxSequenceLength: 4 }), 'recording.json:', 'cellscope.limits.maxSequenceLength (4)');
  // From disk, the size is checked before the file is read.
  await loadError(loadModelFile(join(SINE, 'model.keras'), { maxFileBytes: 1024 }), 'model.keras:', 'exceeds cellscope.limits.maxFileMegabytes');
  // Within the limits everything still loads and runs.
  const loaded = await loadModelBytes(model, 'model.cellscope.json', undefined, { maxSequenceLength: 5, maxElements: 10_000 });
  const x = loadArrayBytes(bytesOf(join(SINE, 'input.json')), 'input.json', { maxSequenceLength: 5 });
  assert.equal(runModel(loaded.model, x).output.shape[0], x.shape[0]);
});

test('limits: defaults, partial overrides, and the settings package.json declares', () => {
  assert.deepEqual(resolveLimits(), {
    maxFileBytes: 512 * 1024 ** 2,
    maxElements: 2 ** 28,
    maxSequenceLength: 1_000_000,
    maxAllocatedElements: 2 ** 26,
    maxRunSteps: 100_000_000,
    maxDecodedBytes: 512 * 1024 ** 2,
    maxHdf5Objects: 100_000,
  });
  assert.deepEqual(resolveLimits({ maxElements: 5 }), { ...DEFAULT_LIMITS, maxElements: 5 });
  assert.deepEqual(resolveLimits({ maxElements: -1, maxFileBytes: NaN }), { ...DEFAULT_LIMITS });
  assert.deepEqual(limitsFromSettings({ maxFileMegabytes: 2, maxElements: 1000, maxSequenceLength: 'x' }), { ...DEFAULT_LIMITS, maxFileBytes: 2 * 1024 ** 2, maxElements: 1000 });
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  const props = pkg.contributes.configuration.properties;
  assert.equal(props['cellscope.limits.maxFileMegabytes'].default * 1024 ** 2, DEFAULT_LIMITS.maxFileBytes);
  assert.equal(props['cellscope.limits.maxElements'].default, DEFAULT_LIMITS.maxElements);
  assert.equal(props['cellscope.limits.maxSequenceLength'].default, DEFAULT_LIMITS.maxSequenceLength);
  assert.equal(props['cellscope.limits.maxAllocatedElements'].default, DEFAULT_LIMITS.maxAllocatedElements);
  assert.equal(props['cellscope.limits.maxRunSteps'].default, DEFAULT_LIMITS.maxRunSteps);
  assert.equal(props['cellscope.limits.maxDecodedMegabytes'].default * 1024 ** 2, DEFAULT_LIMITS.maxDecodedBytes);
  assert.equal(props['cellscope.limits.maxHdf5Objects'].default, DEFAULT_LIMITS.maxHdf5Objects);
});

// ---- regressions the properties found -------------------------------------------------------------------------

test('a build_input_shape that disagrees with the InputLayer, and Dense on a Flatten of a free size, are LoadErrors', async () => {
  const path = EXPORT_JSON.find((s) => s.name === 'bidi_simplernn_td.json')!.path;
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  const good = await loadModelBytes(enc(JSON.stringify(doc)), 'bidi.json');
  assert.deepEqual(good.model.inputShape, [4, 2]);
  // [None, 4, 2] → [4, None, 2]: the model ran with a free time axis and its Dense (8 inputs) failed at run time.
  // Now the InputLayer's declaration fills in what the hint leaves free, and the model runs.
  doc.model.config.build_input_shape = [4, null, 2];
  const swapped = await loadModelBytes(enc(JSON.stringify(doc)), 'bidi.json');
  assert.deepEqual(swapped.model.inputShape, [4, 2]);
  assert.deepEqual([...runModel(swapped.model, { shape: [1, 4, 2], data: new Float64Array(8) }).output.shape], [1, 1]);
  doc.model.config.build_input_shape = [null, 5, 2];
  await loadError(loadModelBytes(enc(JSON.stringify(doc)), 'bidi.json'), 'bidi.json:', '`model.config.layers[0].config`', "agrees with the model's build_input_shape [None, 5, 2]", 'declaring [None, 4, 2]');
  delete doc.model.config.build_input_shape;
  doc.model.config.layers[0].config.batch_shape = [null, null, 2];
  await loadError(loadModelBytes(enc(JSON.stringify(doc)), 'bidi.json'), 'bidi.json:', 'a known input size for Dense layer', 'a Flatten of a shape with a free size');
});

test('a file with Python NaN/Infinity: parsed without the slow JSON5 path, and a syntax error placed where it is', async () => {
  const e = await loadError(async () => loadArrayBytes(enc('[[NaN, -Infinity, 1],\n [2, 3 4]]'), 'nan.json'), 'nan.json:2:8', 'expected valid JSON (a comma)');
  assert.equal(e.details.line, 2);
  const ok = loadArrayBytes(enc('{"shape": [3], "data": [NaN, -Infinity, Infinity], "dtype": "float32"}'), 'ok.json');
  assert.ok(Number.isNaN(ok.data[0]) && ok.data[1] === -Infinity && ok.data[2] === Infinity);
  // 4 MB of weights with one NaN: well under a second (JSON5 took seconds per megabyte).
  const big = `[${Array.from({ length: 200_000 }, (_, i) => (i === 7 ? 'NaN' : (i / 7).toFixed(12))).join(', ')}]`;
  const t0 = Date.now();
  const t = loadArrayBytes(enc(big), 'big.json');
  assert.ok(Number.isNaN(t.data[7]) && t.data.length === 200_000);
  assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
});

test('a layer after a Bidirectional with merge_mode None is checked against the forward output the engine carries', async () => {
  const doc = JSON.parse(readFileSync(join(TFJS_DIR, 'bidirectional', 'model.json'), 'utf8'));
  const files: Record<string, Uint8Array> = {};
  for (const g of doc.weightsManifest) for (const p of g.paths) files[p] = bytesOf(join(TFJS_DIR, 'bidirectional', p));
  const readSibling = async (rel: string) => files[rel]!;
  // The first Bidirectional (concat) feeds the second 2 × units features; with merge_mode None it feeds units.
  doc.modelTopology.config.layers[0].config.merge_mode = null;
  const e = await loadError(loadModelBytes(enc(JSON.stringify(doc)), 'model.json', readSibling), 'model.json:', 'merge_mode None; the chain carries the forward output');
  assert.match(e.message, /found shape \[8, /);
});
