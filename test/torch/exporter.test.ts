// python/cellscope_torch_export.py with real PyTorch: its demo (Embedding, 2-layer bidirectional LSTM, Linear) writes
// the state dict, each recurrent module's input and output sequence and an ONNX file; Cellscope must reproduce the
// recorded LSTM output from model.pt with --module lstm. CELLSCOPE_SKIP_PYTHON=1 skips it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
// @ts-expect-error: a plain .mjs script without types
import { REPO_ROOT, ensurePythonEnv } from '../../scripts/python-env.mjs';
import { runModel } from '../../src/engine/index';
import { loadArrayBytes, loadModelBytes } from '../../src/formats/index';

const skip = process.env.CELLSCOPE_SKIP_PYTHON === '1' ? 'CELLSCOPE_SKIP_PYTHON=1' : false;

test('cellscope_torch_export.py --demo: model.pt + lstm recording reproduce; model.onnx is written', { skip, timeout: 10 * 60 * 1000 }, async () => {
  const python = ensurePythonEnv({ log: (m: string) => process.stderr.write(`# ${m}\n`) }) as string;
  const dir = mkdtempSync(join(tmpdir(), 'cellscope-torch-export-'));
  try {
    const r = spawnSync(python, [join(REPO_ROOT, 'python/cellscope_torch_export.py'), '--demo', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /cellscope compare model\.pt --module lstm --input lstm\.input\.json --expected lstm\.expected\.json --atol 1e-5/);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.modules.length, 1);
    assert.ok(existsSync(join(dir, 'model.onnx')));
    const loaded = await loadModelBytes(readFileSync(join(dir, 'model.pt')), 'model.pt', undefined, undefined, { module: 'lstm' });
    const input = await loadArrayBytes(readFileSync(join(dir, 'lstm.input.json')), 'lstm.input.json');
    const expected = await loadArrayBytes(readFileSync(join(dir, 'lstm.expected.json')), 'lstm.expected.json');
    assert.deepEqual(expected.shape, [2, 7, 32]);
    const out = runModel(loaded.model, input).output;
    let err = 0;
    for (let i = 0; i < out.data.length; i++) err = Math.max(err, Math.abs(out.data[i]! - expected.data[i]!));
    assert.ok(err <= 1e-5, `max |Δ| ${err}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
