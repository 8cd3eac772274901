// Real-world Keras 3.15.1 architectures (keras.io examples and guides; test/python/make_architectures.py) committed
// under test/fixtures/architectures: each case's export JSON, .keras and .h5 must load and reproduce Keras's
// predict (float64 ≤ 1e-5 against Keras float64, float32 ≤ 1e-6 against Keras float32) and every recurrent layer's
// full sequence and final states. Needs no Python. The second part regenerates two cases with the venv (when it is
// there) and checks the generator still writes what is committed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { REPO_ROOT, ensurePythonEnv, kerasEnv } from '../../scripts/python-env.mjs';
import { checkArchitecture } from './architecture-check.mjs';
import { maxAbsDiff, toTensor } from './trace-sequences.mjs';

const DIR = join(REPO_ROOT, 'test/fixtures/architectures');
const index = JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8'));

describe('architectures (committed Keras 3 references)', () => {
  const report = [];
  test('the suite covers the families of issue 12', () => {
    assert.ok(index.cases.length >= 20, `${index.cases.length} cases`);
  });
  for (const c of index.cases) {
    test(`${c.name}: ${c.description.split('\n')[0]}`, async () => {
      const formats = await import('../../src/formats/index.ts');
      const engine = await import('../../src/engine/index.ts');
      const worst = await checkArchitecture(DIR, c.name, formats, engine);
      report.push([c.name, worst]);
    });
  }
  test('report', () => {
    for (const [name, w] of report) {
      const f64 = Math.max(...Object.entries(w).filter(([k]) => k.startsWith('float64')).map(([, v]) => v));
      const f32 = Math.max(...Object.entries(w).filter(([k]) => k.startsWith('float32')).map(([, v]) => v));
      process.stderr.write(`# ${name}: float64 ${f64.toExponential(1)}, float32 ${f32.toExponential(1)}\n`);
    }
  });
});

const skip = process.env.CELLSCOPE_SKIP_PYTHON === '1' ? 'CELLSCOPE_SKIP_PYTHON=1' : false;

describe('architectures: the generator reproduces the committed references', { skip, timeout: 20 * 60 * 1000 }, () => {
  test('two_branch_concat and masking_layer regenerate to the same Keras numbers', async () => {
    const python = ensurePythonEnv({ log: (m) => process.stderr.write(`# ${m}\n`) });
    const dir = mkdtempSync(join(tmpdir(), 'cellscope-arch-'));
    try {
      const names = ['two_branch_concat', 'masking_layer'];
      const r = spawnSync(python, [join(REPO_ROOT, 'test/python/make_architectures.py'), dir, '--only', names.join(',')], { env: kerasEnv(), encoding: 'utf8' });
      assert.equal(r.status, 0, `make_architectures.py failed:\n${r.stdout}\n${r.stderr}`);
      const formats = await import('../../src/formats/index.ts');
      const engine = await import('../../src/engine/index.ts');
      for (const name of names) {
        assert.ok(existsSync(join(dir, name, 'model.keras')));
        const fresh = JSON.parse(readFileSync(join(dir, name, 'reference.json'), 'utf8'));
        const kept = JSON.parse(readFileSync(join(DIR, name, 'reference.json'), 'utf8'));
        fresh.outputs_float64.forEach((o, k) => assert.ok(maxAbsDiff(`${name} output ${k}`, toTensor(o), toTensor(kept.outputs_float64[k])) <= 1e-9));
        await checkArchitecture(dir, name, formats, engine);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
