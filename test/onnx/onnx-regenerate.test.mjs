// Regenerates the ONNX cases with real PyTorch and onnxruntime (test/onnx/make_onnx_cases.py, in the project venv)
// into a temporary folder and checks Cellscope against those fresh references: the committed fixtures cannot drift
// from what the generator and today's frameworks write. CELLSCOPE_SKIP_PYTHON=1 skips it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { REPO_ROOT, ensurePythonEnv } from '../../scripts/python-env.mjs';

const skip = process.env.CELLSCOPE_SKIP_PYTHON === '1' ? 'CELLSCOPE_SKIP_PYTHON=1' : false;

describe('ONNX cases regenerated with torch + onnxruntime', { skip, timeout: 10 * 60 * 1000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellscope-onnx-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every regenerated case: Cellscope within 1e-5 of onnxruntime', async () => {
    const python = ensurePythonEnv({ log: (m) => process.stderr.write(`# ${m}\n`) });
    const r = spawnSync(python, [join(REPO_ROOT, 'test/onnx/make_onnx_cases.py'), dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(r.status, 0, r.stderr);
    const { caseNames, loadCase, maxError, readCase, toleranceOf } = await import('./cases.ts');
    const names = caseNames(dir);
    assert.ok(names.length >= 40, `${names.length} cases`);
    for (const name of names) {
      const c = readCase(name, dir);
      const out = (await loadCase(c)).run(c.inputs, { record: false }).outputs;
      const err = maxError(out, c.expected);
      assert.ok(err <= toleranceOf(c), `${name}: max error ${err}`);
    }
  });
});
