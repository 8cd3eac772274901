// Keras files as users have them: Keras 3 `.keras` archives and legacy `.h5` (Keras 3- and Keras 2-written),
// loaded into the same Model as the Keras export JSON and run against what real Keras recorded; plus every way such
// a file can be broken, each a LoadError naming the file and the member or HDF5 path.
//
// The round-trip part needs Python (scripts/python-env.mjs makes .venv on first use); CELLSCOPE_SKIP_PYTHON=1
// skips it. CELLSCOPE_KERAS_FILES_DIR=DIR keeps/reuses the generated models.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { runModel, type Model, type Tensor } from '../../src/engine/index';
import { loadModelBytes, loadRecordingBytes } from '../../src/formats/index';
import { rejects } from '../support/rejects';
import { loadModelFile } from '../../src/formats/node-files';
// @ts-expect-error TS7016: plain .mjs helper
import { ensurePythonEnv, kerasEnv } from '../../scripts/python-env.mjs';
import { FIXTURES } from './helpers';

const ROOT = resolve(__dirname, '../..');
const TOLERANCE = 1e-5;
const skipPython = process.env.CELLSCOPE_SKIP_PYTHON === '1' ? 'CELLSCOPE_SKIP_PYTHON=1' : false;
const worst: Record<string, number> = {};

after(() => {
  for (const [k, v] of Object.entries(worst).sort()) process.stderr.write(`# keras files: ${k}: largest |Δ| vs Keras ${v.toExponential(2)}\n`);
});

function maxAbsDiff(a: Tensor, b: Tensor, what: string): number {
  assert.deepEqual([...a.shape], [...b.shape], `${what}: shape`);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

/**
 * Same layers, configs and weights (bit for bit: all three Keras files hold the same float32 values). `loose`:
 * weights compared as float32 and layer names ignored (for files rebuilt from 6-decimal JSON fixtures).
 */
function assertSameModel(a: Model, b: Model, what: string, loose = false): void {
  const strip = (m: Model) =>
    JSON.parse(
      JSON.stringify(m.layers, (k, v) => {
        if (loose && k === 'name') return undefined;
        if (v instanceof Float64Array || v instanceof Float32Array) return Array.from(v, (x) => (loose ? Math.fround(x) : x));
        return v;
      }),
    );
  assert.deepEqual(strip(a), strip(b), `${what}: layers`);
  assert.deepEqual(a.inputShape, b.inputShape, `${what}: input shape`);
  assert.equal(a.inputIsTokens, b.inputIsTokens, `${what}: token input`);
  assert.equal(a.semantics.kerasMajor, b.semantics.kerasMajor, `${what}: semantics`);
  assert.equal(a.semantics.hardSigmoid, b.semantics.hardSigmoid, `${what}: hard_sigmoid`);
}

function checkAgainst(model: Model, input: Tensor, expected: Tensor, predictCalls: number, key: string): void {
  for (const precision of ['float64', 'float32'] as const) {
    const out = runModel(model, input, { precision, predictCalls }).output;
    const d = maxAbsDiff(out, expected, key);
    worst[`${key} ${precision}`] = Math.max(worst[`${key} ${precision}`] ?? 0, d);
    assert.ok(d <= TOLERANCE, `${key} (${precision}): output off by ${d}`);
  }
}

for (const name of ['sine-lstm', 'char-rnn']) {
  test(`examples/${name}: .keras, .h5 and model.cellscope.json load to the same model and reproduce Keras`, async () => {
    const dir = join(ROOT, 'examples', name);
    const reference = (await loadModelFile(join(dir, 'model.cellscope.json'))).model;
    const recording = loadRecordingBytes(new Uint8Array(readFileSync(join(dir, 'recording.json'))), 'recording.json');
    assert.ok(recording.input, 'the recording has its input');
    for (const file of ['model.keras', 'model.h5']) {
      const { model, predictCalls } = await loadModelFile(join(dir, file));
      assertSameModel(model, reference, `${name}/${file}`);
      assert.equal(model.source.format, file.endsWith('.keras') ? 'keras-archive' : 'keras-h5');
      assert.equal(model.source.kerasVersion, '3.15.1');
      assert.equal(model.semantics.kerasMajor, 3);
      assert.match(english(model.semantics.decidedBy), file.endsWith('.keras') ? /"3\.15\.1" in metadata\.json/ : /"3\.15\.1" in the keras_version attribute/);
      checkAgainst(model, recording.input!, recording.output, predictCalls, `examples ${file.endsWith('.keras') ? '.keras' : '.h5'}`);
    }
  });
}

// A second LSTM and a second Dense: Keras 3 names their weight groups `lstm_1`, `dense_1` (by class, not by layer).
const EXTRA_CASE = `
import os, sys, numpy as np, keras
from keras import layers as L
sys.path.insert(0, os.path.join(sys.argv[1], "python"))
import cellscope_export as ce
keras.utils.set_random_seed(77)
rng = np.random.default_rng(77)
m = keras.Sequential([keras.Input((5, 3)), L.LSTM(4, return_sequences=True, name="encoder"), L.GRU(3, return_sequences=True, reset_after=False, name="middle"),
    L.LSTM(2, name="decoder"), L.Dense(3, activation="relu", name="hidden"), L.Dense(1, name="out")])
m.set_weights([rng.uniform(-0.8, 0.8, w.shape).astype(np.float32) for w in m.get_weights()])
d = os.path.join(sys.argv[2], "two_of_a_kind"); os.makedirs(d, exist_ok=True)
m.save(os.path.join(d, "model.keras")); m.save(os.path.join(d, "model.h5"))
ce.export(m, os.path.join(d, "model.cellscope.json"))
ce.record(m, rng.uniform(-1, 1, (2, 5, 3)).astype(np.float32), os.path.join(d, "recording.json"))
`;

describe('round trip through real Keras 3: .keras and .h5 against Keras predict', { skip: skipPython, timeout: 20 * 60 * 1000 }, () => {
  let dir = '';
  let keep = false;
  before(() => {
    const python = ensurePythonEnv({ log: (m: string) => process.stderr.write(`# ${m}\n`) });
    keep = Boolean(process.env.CELLSCOPE_KERAS_FILES_DIR);
    dir = process.env.CELLSCOPE_KERAS_FILES_DIR ?? mkdtempSync(join(tmpdir(), 'cellscope-keras-files-'));
    if (!existsSync(join(dir, 'index.json'))) {
      const r = spawnSync(python, [join(ROOT, 'test/python/make_roundtrip.py'), dir], { env: kerasEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.equal(r.status, 0, `make_roundtrip.py failed:\n${r.stdout}\n${r.stderr}`);
    }
    if (!existsSync(join(dir, 'two_of_a_kind', 'recording.json'))) {
      const r = spawnSync(python, ['-c', EXTRA_CASE, ROOT, dir], { env: kerasEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.equal(r.status, 0, `extra case failed:\n${r.stdout}\n${r.stderr}`);
    }
  });
  after(() => {
    if (dir && !keep) rmSync(dir, { recursive: true, force: true });
  });

  test('every generated model loads from .keras and .h5 like its export JSON and matches Keras', async (t) => {
    const cases = [...JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).cases.map((c: { name: string }) => c.name), 'two_of_a_kind'];
    assert.ok(cases.length >= 20, `only ${cases.length} cases`);
    for (const c of cases) {
      await t.test(c, async () => {
        const reference = (await loadModelFile(join(dir, c, 'model.cellscope.json'))).model;
        const recording = loadRecordingBytes(new Uint8Array(readFileSync(join(dir, c, 'recording.json'))), 'recording.json');
        for (const file of ['model.keras', 'model.h5']) {
          const { model } = await loadModelFile(join(dir, c, file));
          assertSameModel(model, reference, `${c}/${file}`);
          assert.equal(model.semantics.kerasMajor, 3);
          checkAgainst(model, recording.input!, recording.output, recording.predictCalls, `round trip ${file.endsWith('.keras') ? '.keras' : '.h5'}`);
        }
      });
    }
  });
});

// Keras 2's legacy layout, written with h5py exactly as Keras 2.1 did (byte-string attributes, `kernel:0` names,
// a Sequential config as a bare layer list), around layers Keras 2 recorded (the shared keras-js fixtures).
const KERAS2_H5 = `
import json, sys, h5py, numpy as np
fixture, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
d = json.load(open(fixture))
layer = {"class_name": d["layer"]["class_name"], "config": dict(d["layer"]["config"], name=name)}
cfg = {"class_name": "Sequential", "config": [layer]}
with h5py.File(out, "w") as f:
    f.attrs["keras_version"] = np.bytes_("2.1.2")
    f.attrs["backend"] = np.bytes_("tensorflow")
    f.attrs["model_config"] = np.bytes_(json.dumps(cfg))
    g = f.create_group("model_weights")
    g.attrs["layer_names"] = np.array([name.encode()])
    lg = g.create_group(name)
    names = []
    for w in d["weights"]:
        part = w["name"].split("/")
        inner = (f"{part[0]}_{name}/" if len(part) > 1 else "") + part[-1]
        wn = f"{name}/{inner}:0"
        names.append(wn.encode())
        lg.create_dataset(wn, data=np.asarray(w["data"], np.float32).reshape(w["shape"]))
    lg.attrs["weight_names"] = np.array(names)
`;
import { english } from '../../src/phrase';

describe('Keras 2-written legacy .h5 (layout rebuilt from Keras 2 recordings)', { skip: skipPython }, () => {
  test('LSTM, GRU, SimpleRNN and Bidirectional load with Keras 2 semantics and reproduce the recorded outputs', async () => {
    const python = ensurePythonEnv({ log: (m: string) => process.stderr.write(`# ${m}\n`) });
    const dir = mkdtempSync(join(tmpdir(), 'cellscope-keras2-h5-'));
    try {
      const fixtures = readdirSync(join(FIXTURES, 'keras-recorded')).filter((f) => /^kerasjs-(LSTM|GRU|SimpleRNN|Bidirectional)-[0-3]\.json$/.test(f));
      assert.ok(fixtures.length >= 12);
      for (const f of fixtures) {
        const out = join(dir, f.replace(/\.json$/, '.h5'));
        const r = spawnSync(python, ['-c', KERAS2_H5, join(FIXTURES, 'keras-recorded', f), out, f.split('-')[1]!.toLowerCase() + '_1'], { env: kerasEnv(), encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        const viaFixture = await loadModelFile(join(FIXTURES, 'keras-recorded', f));
        const { model, predictCalls } = await loadModelFile(out);
        assert.equal(model.semantics.kerasMajor, 2, f);
        assert.match(english(model.semantics.decidedBy), /"2\.1\.2"/);
        // The .h5 holds the fixture's 6-decimal weights as float32, as Keras 2 stored them.
        assertSameModel(model, viaFixture.model, f, true);
        // The fixtures hold inputs and weights rounded to 6 decimals; Keras ran on the unrounded values.
        const out64 = runModel(model, viaFixture.input!, { predictCalls: viaFixture.predictCalls }).output;
        const ref64 = runModel(viaFixture.model, viaFixture.input!, { predictCalls: viaFixture.predictCalls }).output;
        assert.ok(maxAbsDiff(out64, ref64, f) <= 1e-6, `${f}: same arithmetic as the fixture`);
        const d = maxAbsDiff(out64, viaFixture.expectedOutput!, f);
        worst['Keras 2 .h5 (vs Keras 2 recording, 6-decimal inputs)'] = Math.max(worst['Keras 2 .h5 (vs Keras 2 recording, 6-decimal inputs)'] ?? 0, d);
        assert.ok(d <= 1e-4, `${f}: off by ${d}`);
        assert.equal(predictCalls, 1);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------- broken files ----------

const sineKeras = () => new Uint8Array(readFileSync(join(ROOT, 'examples/sine-lstm/model.keras')));
const sineH5 = () => new Uint8Array(readFileSync(join(ROOT, 'examples/sine-lstm/model.h5')));
const members = (): Record<string, Uint8Array> => unzipSync(sineKeras());

test('a corrupt or truncated .keras archive', async () => {
  const bytes = sineKeras();
  await rejects(loadModelBytes(bytes.subarray(0, Math.floor(bytes.length / 2)), 'half.keras'), 'half.keras:', 'expected a readable zip archive', 'damaged or truncated');
  const garbled = bytes.slice();
  garbled.fill(0x55, 200, 1200);
  await rejects(loadModelBytes(garbled, 'garbled.keras'), 'garbled.keras:');
});

test('a zip without config.json, or without the weights', async () => {
  const m = members();
  const { ['config.json']: _c, ...noConfig } = m;
  await rejects(loadModelBytes(zipSync(noConfig), 'noconfig.keras'), 'noconfig.keras:', '`["config.json"]`', 'expected a member config.json', 'metadata.json, model.weights.h5');
  const { ['model.weights.h5']: _w, ...noWeights } = m;
  await rejects(loadModelBytes(zipSync(noWeights), 'noweights.keras'), '`["model.weights.h5"]`', 'expected a member model.weights.h5');
  await rejects(loadModelBytes(zipSync({ 'readme.txt': strToU8('hi') }), 'other.keras'), 'other.keras:', 'none of config.json');
});

test('a member name that leaves the folder, and a duplicated member', async () => {
  const m = members();
  const e = await rejects(loadModelBytes(zipSync({ ...m, '../../evil.sh': strToU8('rm -rf /') }), 'evil.keras'), 'evil.keras:', '`["../../evil.sh"]`', 'leaves the archive');
  assert.deepEqual(e.details.path, ['../../evil.sh']);
  await rejects(loadModelBytes(zipSync({ ...m, '/etc/passwd': strToU8('x') }), 'abs.keras'), '`["/etc/passwd"]`');
});

test('a zip member declaring an absurd uncompressed size is refused before inflating', async () => {
  const zip = zipSync(members(), { level: 0 });
  // Patch model.weights.h5's uncompressed size in its central directory entry to 3 GiB.
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let patched = false;
  for (let i = 0; i + 46 < zip.length; i++) {
    if (view.getUint32(i, true) !== 0x02014b50) continue;
    const nameLen = view.getUint16(i + 28, true);
    const name = new TextDecoder().decode(zip.subarray(i + 46, i + 46 + nameLen));
    if (name === 'model.weights.h5') {
      view.setUint32(i + 24, 3 * 1024 ** 3, true);
      patched = true;
    }
  }
  assert.ok(patched);
  await rejects(loadModelBytes(zip, 'bomb.keras'), 'bomb.keras:', '`["model.weights.h5"]`', 'found 3221225472 bytes (3072 MB), which exceeds cellscope.limits.maxFileMegabytes (512 MB)');
  // With the setting raised past it, the fixed 1 GiB ceiling on one part of a model file still holds.
  await rejects(loadModelBytes(zip, 'bomb.keras', undefined, { maxFileBytes: 8 * 1024 ** 3 }), 'at most 1.0 GiB', 'found a declared size of 3.0 GiB');
});

test('config.json with a syntax error, and weights the config does not match', async () => {
  const m = members();
  await rejects(loadModelBytes(zipSync({ ...m, 'config.json': strToU8('{"class_name": "Sequential", ') }), 'syntax.keras'), 'syntax.keras:', '`["config.json"]`', 'config.json');
  const config = JSON.parse(new TextDecoder().decode(m['config.json']));
  config.config.layers[1].config.units = 7;
  const e = await rejects(loadModelBytes(zipSync({ ...m, 'config.json': strToU8(JSON.stringify(config)) }), 'units.keras'), 'units.keras:', 'model.weights.h5', '/layers/lstm/cell/vars/0', 'found shape [1, 24]');
  assert.deepEqual(e.details.path, ['model.weights.h5', '/layers/lstm/cell/vars/0']);
});

test('a truncated or garbled .h5 (legacy file and the archive member)', async () => {
  const h5 = sineH5();
  for (const n of [10, 600, Math.floor(h5.length / 2)]) {
    await rejects(loadModelBytes(h5.subarray(0, n), 'cut.h5'), 'cut.h5:', 'damaged or truncated');
  }
  const m = members();
  const w = m['model.weights.h5']!;
  await rejects(loadModelBytes(zipSync({ ...m, 'model.weights.h5': w.subarray(0, Math.floor(w.length * 0.6)) }), 'cutw.keras'), 'cutw.keras:', 'model.weights.h5', 'damaged or truncated');
  await rejects(loadModelBytes(zipSync({ ...m, 'model.weights.h5': strToU8('not hdf5 at all') }), 'nothdf.keras'), 'nothdf.keras:', '`["model.weights.h5"]`', 'an HDF5 file');
});

test('a weights-only .h5 says so', async () => {
  const keras = members();
  await rejects(loadModelBytes(keras['model.weights.h5']!, 'model.weights.h5'), 'model.weights.h5:', 'weights-only file', 'model.save');
});

test('the old placeholder messages are gone: .h5 and .keras files now load', async () => {
  assert.equal((await loadModelBytes(sineH5(), 'model.h5')).model.layers.length, 4);
  assert.equal((await loadModelBytes(sineKeras(), 'model.keras')).model.layers.length, 4);
  // A written file loads from disk by its extension-less content too.
  const tmp = mkdtempSync(join(tmpdir(), 'cellscope-ext-'));
  try {
    writeFileSync(join(tmp, 'model.bin'), sineKeras());
    assert.equal((await loadModelFile(join(tmp, 'model.bin'))).model.source.format, 'keras-archive');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
