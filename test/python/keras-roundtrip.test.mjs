// Round trip through real Keras 3: test/python/make_roundtrip.py builds small random models (every cell kind,
// Bidirectional merges, stacks, Embedding, TimeDistributed, stateful) and records what Keras computes; the
// project's loader reads each Keras export JSON and the engine must reproduce Keras's output, every recurrent
// layer's full hidden-state sequence, its own output and its final states within 1e-5.
//
// Needs Python: scripts/python-env.mjs creates .venv/ on first use (a few minutes, from pip's configured index).
// CELLSCOPE_SKIP_PYTHON=1 skips this file. CELLSCOPE_ROUNDTRIP_DIR=DIR reuses/keeps the generated files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT, ensurePythonEnv, kerasEnv } from '../../scripts/python-env.mjs';
import { maxAbsDiff, sequenceFromTrace, toTensor } from './trace-sequences.mjs';

const TOLERANCE = 1e-5;
const skip = process.env.CELLSCOPE_SKIP_PYTHON === '1' ? 'CELLSCOPE_SKIP_PYTHON=1' : false;

describe('Keras 3 round trip (export JSON + recording)', { skip, timeout: 30 * 60 * 1000 }, () => {
  let dir;
  let keep = false;
  let cases = [];
  /** @type {{loadModelBytes: Function, loadRecordingBytes?: Function}} */
  let formats;
  let engine;
  const report = [];

  before(async () => {
    const python = ensurePythonEnv({ log: (m) => process.stderr.write(`# ${m}\n`) });
    dir = process.env.CELLSCOPE_ROUNDTRIP_DIR;
    keep = Boolean(dir);
    if (!dir) dir = mkdtempSync(join(tmpdir(), 'cellscope-roundtrip-'));
    if (!existsSync(join(dir, 'index.json'))) {
      const r = spawnSync(python, [join(REPO_ROOT, 'test/python/make_roundtrip.py'), dir], {
        env: kerasEnv(),
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(r.status, 0, `make_roundtrip.py failed:\n${r.stdout}\n${r.stderr}`);
    }
    cases = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).cases;
    formats = await import('../../src/formats/index.ts');
    engine = await import('../../src/engine/index.ts');
  });

  after(() => {
    if (report.length) {
      const worst = report.reduce((m, r) => Math.max(m, r.worst), 0);
      process.stderr.write(`# keras round trip: ${report.length} cases, largest |Δ| ${worst.toExponential(2)}\n`);
      for (const r of report) process.stderr.write(`#   ${r.name} ${r.precision}: ${r.worst.toExponential(2)}\n`);
    }
    if (dir && !keep) rmSync(dir, { recursive: true, force: true });
  });

  test('generated every case', () => {
    assert.ok(cases.length >= 20, `only ${cases.length} cases`);
    for (const c of cases) {
      for (const f of Object.values(c.files)) assert.ok(existsSync(join(dir, c.name, f)), `${c.name}/${f}`);
    }
  });

  test('engine reproduces Keras for every case', async (t) => {
    for (const c of cases) {
      await t.test(c.name, async () => {
        const exportPath = join(dir, c.name, c.files.export);
        const recordingPath = join(dir, c.name, c.files.recording);
        const loaded = await formats.loadModelBytes(new Uint8Array(readFileSync(exportPath)), 'model.cellscope.json');
        const model = loaded.model;
        const recording = JSON.parse(readFileSync(recordingPath, 'utf8'));
        if (formats.loadRecordingBytes) {
          const viaLoader = await formats.loadRecordingBytes(new Uint8Array(readFileSync(recordingPath)), 'recording.json');
          assert.ok(viaLoader, 'loadRecordingBytes returned nothing');
        }
        const input = toTensor(recording.input);
        for (const precision of ['float64', 'float32']) {
          const result = engine.runModel(model, input, { precision, predictCalls: recording.predict_calls });
          let worst = maxAbsDiff(`${c.name} output`, result.output, toTensor(recording.output));
          assert.ok(worst <= TOLERANCE, `${c.name} (${precision}): output off by ${worst}`);
          assert.ok(result.trace, 'engine recorded no trace');
          for (const rl of recording.layers) {
            const index = model.layers.findIndex((l) => l.name === rl.name);
            assert.ok(index >= 0, `engine model has no layer named ${rl.name}`);
            const layer = model.layers[index];
            const { seq, states } = sequenceFromTrace(result.trace, layer, index);
            const dSeq = maxAbsDiff(`${c.name}/${rl.name} sequence`, seq, toTensor(rl.output));
            assert.ok(dSeq <= TOLERANCE, `${c.name}/${rl.name} (${precision}): hidden sequence off by ${dSeq}`);
            const dOwn = maxAbsDiff(`${c.name}/${rl.name} layer output`, result.layerOutputs[index], toTensor(rl.layer_output));
            assert.ok(dOwn <= TOLERANCE, `${c.name}/${rl.name} (${precision}): layer output off by ${dOwn}`);
            assert.equal(states.length, rl.states.length, `${c.name}/${rl.name}: number of states`);
            let dStates = 0;
            states.forEach((s, i) => (dStates = Math.max(dStates, maxAbsDiff(`${c.name}/${rl.name} state ${i}`, s, toTensor(rl.states[i])))));
            assert.ok(dStates <= TOLERANCE, `${c.name}/${rl.name} (${precision}): final states off by ${dStates}`);
            worst = Math.max(worst, dSeq, dOwn, dStates);
          }
          report.push({ name: c.name, precision, worst });
        }
      });
    }
  });

  test('the recording of per-layer sequences is consistent with the layer outputs', () => {
    // Independent of the engine: the last processed step of a full sequence is what return_sequences=False gives.
    for (const c of cases) {
      const recording = JSON.parse(readFileSync(join(dir, c.name, c.files.recording), 'utf8'));
      for (const rl of recording.layers) {
        const [batch, steps, units] = rl.output.shape;
        if (rl.layer_output.shape.length === 3) {
          assert.ok(maxAbsDiff(`${c.name}/${rl.name}`, toTensor(rl.output), toTensor(rl.layer_output)) === 0);
        } else if (rl.class_name !== 'Bidirectional') {
          const last = new Float64Array(batch * units);
          for (let b = 0; b < batch; b++) for (let j = 0; j < units; j++) last[b * units + j] = rl.output.data[(b * steps + steps - 1) * units + j];
          assert.ok(maxAbsDiff(`${c.name}/${rl.name}`, { shape: [batch, units], data: last }, toTensor(rl.layer_output)) <= 1e-6);
          assert.ok(maxAbsDiff(`${c.name}/${rl.name} state h`, { shape: [batch, units], data: last }, toTensor(rl.states[0])) <= 1e-6);
        }
      }
    }
  });
});
