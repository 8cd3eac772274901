// The committed PyTorch cases come from real PyTorch: regenerate them with the venv (test/torch/make_torch_cases.py)
// and check (1) the regenerated outputs equal the committed ones and (2) Cellscope reproduces the fresh files.
// Needs Python (scripts/python-env.mjs makes .venv/); CELLSCOPE_SKIP_PYTHON=1 skips it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
// @ts-expect-error: a plain .mjs script without types
import { REPO_ROOT, ensurePythonEnv } from '../../scripts/python-env.mjs';
import { runModel } from '../../src/engine/index';
import { loadArrayBytes, loadModelBytes } from '../../src/formats/index';
import { FIXTURES } from '../fixtures-path';

const skip = process.env.CELLSCOPE_SKIP_PYTHON === '1' ? 'CELLSCOPE_SKIP_PYTHON=1' : false;

test('PyTorch cases regenerate to the committed outputs, and Cellscope matches the fresh files', { skip, timeout: 20 * 60 * 1000 }, async () => {
  const python = ensurePythonEnv({ log: (m: string) => process.stderr.write(`# ${m}\n`) }) as string;
  const dir = mkdtempSync(join(tmpdir(), 'cellscope-torch-'));
  try {
    const r = spawnSync(python, [join(REPO_ROOT, 'test/torch/make_torch_cases.py'), dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, `make_torch_cases.py failed:\n${r.stdout}\n${r.stderr}`);
    const fresh = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).cases as { name: string; module?: string; nonlinearity?: 'relu' }[];
    const committed = JSON.parse(readFileSync(join(FIXTURES, 'torch', 'manifest.json'), 'utf8')).cases as { name: string }[];
    assert.deepEqual(fresh.map((c) => c.name), committed.map((c) => c.name));
    for (const c of fresh) {
      const read = (d: string, f: string) => loadArrayBytes(readFileSync(join(d, f)), f);
      const expected = await read(dir, `${c.name}.expected.json`);
      const old = await read(join(FIXTURES, 'torch'), `${c.name}.expected.json`);
      let drift = 0;
      for (let i = 0; i < old.data.length; i++) drift = Math.max(drift, Math.abs(old.data[i]! - expected.data[i]!));
      assert.ok(drift <= 1e-6, `${c.name}: regenerated output differs from the committed one by ${drift}`);
      const loaded = await loadModelBytes(readFileSync(join(dir, `${c.name}.pt`)), `${c.name}.pt`, undefined, undefined, { module: c.module, nonlinearity: c.nonlinearity });
      const out = runModel(loaded.model, await read(dir, `${c.name}.input.json`));
      let err = 0;
      for (let i = 0; i < out.output.data.length; i++) err = Math.max(err, Math.abs(out.output.data[i]! - expected.data[i]!));
      assert.ok(err <= 1e-5, `${c.name}: max |Δ| ${err}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
