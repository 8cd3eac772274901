// Regenerates a few explain fixtures with real Keras 3 + JAX (the venv) and checks the committed ones still hold
// the same numbers and Cellscope still matches them: the committed references are what the generator writes today.
// Needs Python: CELLSCOPE_SKIP_PYTHON=1 skips this file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
// @ts-expect-error plain ES module without types
import { ensurePythonEnv, kerasEnv, REPO_ROOT } from '../../scripts/python-env.mjs';
import { explainPrediction } from '../../src/explain';
import { loadModelText } from '../../src/formats';

const skip = process.env.CELLSCOPE_SKIP_PYTHON === '1' ? 'CELLSCOPE_SKIP_PYTHON=1' : false;
const CASES = ['gru_reset_before', 'embedding_masked_lstm'];

test('regenerated with Keras 3 + JAX: the committed explain fixtures and Cellscope agree to 1e-9', { skip, timeout: 20 * 60 * 1000 }, () => {
  const python = ensurePythonEnv({ log: (m: string) => process.stderr.write(`# ${m}\n`) });
  const dir = mkdtempSync(join(tmpdir(), 'cellscope-explain-gen-'));
  try {
    const r = spawnSync(python, [join(REPO_ROOT, 'test/explain/make_grad_cases.py'), dir, '--only', CASES.join(',')], { env: kerasEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(r.status, 0, `make_grad_cases.py failed:\n${r.stdout}\n${r.stderr}`);
    for (const name of CASES) {
      const fresh = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
      const kept = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/explain', `${name}.json`), 'utf8'));
      const diff = (a: number[], b: number[]) => Math.max(...a.map((v, k) => Math.abs(v - b[k]!))) / Math.max(...b.map(Math.abs));
      assert.ok(diff(fresh.gradient.data, kept.gradient.data) <= 1e-12, `${name}: regenerated gradient differs from the committed one`);
      const m = loadModelText(JSON.stringify(fresh.model), `${name}.json`).model;
      const e = explainPrediction(m, { shape: fresh.input.shape, data: Float64Array.from(fresh.input.data) }, { method: 'gradient', target: fresh.target });
      const got = e.space === 'embedding' ? e.vectors!.data : e.attribution.data;
      assert.ok(diff(Array.from(got), fresh.gradient.data) <= 1e-9, `${name}: Cellscope vs fresh JAX`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
