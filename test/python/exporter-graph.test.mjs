// python/cellscope_export.py on the models issue 12 §5 says it crashed on: a masked Bidirectional without
// return_sequences whose rows end in padding (its self-check assumed the last step is the output), and a model with
// two inputs (given as an object keyed by input name); and a model with a dict of named outputs. The exporter must
// write the recording, and the engine must reproduce every output Keras recorded (≤ 1e-5), and `compare` check each.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT, ensurePythonEnv, kerasEnv } from '../../scripts/python-env.mjs';
import { maxAbsDiff, toTensor } from './trace-sequences.mjs';

const skip = process.env.CELLSCOPE_SKIP_PYTHON === '1' ? 'CELLSCOPE_SKIP_PYTHON=1' : false;

describe('exporter on graph models', { skip, timeout: 20 * 60 * 1000 }, () => {
  let dir;
  let python;
  before(() => {
    python = ensurePythonEnv({ log: (m) => process.stderr.write(`# ${m}\n`) });
    dir = mkdtempSync(join(tmpdir(), 'cellscope-export-graph-'));
    const r = spawnSync(python, [join(REPO_ROOT, 'test/python/make_export_cases.py'), dir], { env: kerasEnv(), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  for (const name of ['masked_bidi', 'two_inputs', 'dict_heads']) {
    test(`${name}: exported, recorded, and reproduced`, async () => {
      const d = join(dir, name);
      const r = spawnSync(python, [join(REPO_ROOT, 'python/cellscope_export.py'), join(d, 'model.keras'), '--input', join(d, 'input.json'), '--out-dir', d], { env: kerasEnv(), encoding: 'utf8' });
      assert.equal(r.status, 0, `exporter failed:\n${r.stdout}\n${r.stderr}`);
      const formats = await import('../../src/formats/index.ts');
      const engine = await import('../../src/engine/index.ts');
      const rec = JSON.parse(readFileSync(join(d, 'recording.json'), 'utf8'));
      const inputs = (rec.inputs ?? [rec.input]).map(toTensor);
      for (const file of ['model.cellscope.json', 'model.keras']) {
        const { model } = await formats.loadModelBytes(new Uint8Array(readFileSync(join(d, file))), file);
        const out = engine.runModel(model, inputs.length > 1 ? inputs : inputs[0]);
        (rec.outputs ?? [rec.output]).forEach((o, k) => {
          const w = maxAbsDiff(`${name} ${file} output ${k}`, out.outputs[k], toTensor(o));
          assert.ok(w <= 1e-5, `${name} ${file} output ${k}: off by ${w}`);
        });
      }
      if (name === 'masked_bidi') assert.ok(rec.layers.length === 1, 'the Bidirectional layer is recorded');
      if (name === 'two_inputs') assert.equal(rec.inputs.length, 2);
      if (name === 'dict_heads') {
        // Keras flattens a dict in sorted key order: "next" (the LSTM head) before "tags" (the per-step head).
        assert.deepEqual(rec.outputs.map((o) => o.shape), [[2, 1], [2, 5, 2]]);
        const cli = spawnSync(process.execPath, [join(REPO_ROOT, 'dist/cli.js'), 'compare', join(d, 'model.keras'), '--recording', join(d, 'recording.json')], { encoding: 'utf8' });
        assert.equal(cli.status, 0, cli.stdout + cli.stderr);
        assert.match(cli.stdout, /output 0 \(next\):[\s\S]*matches[\s\S]*output 1 \(tags\):[\s\S]*over 20 values — matches/);
      }
    });
  }
});
