// The notebook side of Cellscope (issue 17): the pip-installable `cellscope` package in python/, `cellscope.show()`'s
// MIME bundle in an executed notebook, and `cellscope.export()`. References are real Keras 3 (the test venv) and a
// real Jupyter kernel (nbclient + ipykernel); the bundle is read back with Cellscope's own loaders and engine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { REPO_ROOT, ensurePythonEnv, kerasEnv } from '../../scripts/python-env.mjs';
import { maxAbsDiff, toTensor } from './trace-sequences.mjs';

const formats = await import('../../src/formats/index.ts');
const engine = await import('../../src/engine/index.ts');

const MIME = 'application/vnd.cellscope+json';
const NOTEBOOK = join(REPO_ROOT, 'examples', 'notebook', 'cellscope-show.ipynb');
const skip = process.env.CELLSCOPE_SKIP_PYTHON === '1' ? 'CELLSCOPE_SKIP_PYTHON=1' : false;
const text = (v) => (Array.isArray(v) ? v.join('') : v);

/** The Cellscope output of a notebook: the one cell output that carries the bundle. */
function shownOutput(nb) {
  const outs = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && o.data[MIME]);
  assert.equal(outs.length, 1, 'one output carries the Cellscope bundle');
  return outs[0];
}

/** Loads the bundle with Cellscope's loaders, runs the engine on its input, compares with the framework's recording. */
function checkBundle(bundle) {
  assert.equal(bundle.format, 'cellscope-notebook/v1');
  const loaded = formats.loadModelText(JSON.stringify(bundle.model), 'bundle-model.json');
  const input = formats.loadArrayBytes(new TextEncoder().encode(JSON.stringify(bundle.input)), 'bundle-input.json');
  const recording = formats.loadRecordingBytes(new TextEncoder().encode(JSON.stringify(bundle.recording)), 'bundle-recording.json');
  let worst = 0;
  for (const precision of ['float64', 'float32']) {
    const r = engine.runModel(loaded.model, input, { precision });
    worst = Math.max(worst, maxAbsDiff('output', r.output, toTensor(bundle.recording.output)));
  }
  assert.ok(worst <= 1e-5, `engine vs the recording in the bundle: ${worst}`);
  assert.ok(recording.layers.length >= 1, 'the recording carries the recurrent layer sequences');
  return worst;
}

test('examples/notebook/cellscope-show.ipynb: its saved output carries the bundle and a text/plain fallback; the engine reproduces Keras', () => {
  const out = shownOutput(JSON.parse(readFileSync(NOTEBOOK, 'utf8')));
  assert.match(text(out.data['text/plain']), /^Cellscope: wave_lstm \(LSTM → Dense\), input 2×60×1\./);
  const worst = checkBundle(out.data[MIME]);
  process.stderr.write(`# notebook bundle: engine vs Keras ${worst.toExponential(2)}\n`);
});

describe('the cellscope Python package', { skip, timeout: 20 * 60 * 1000 }, () => {
  test('pip install ./python in a fresh venv: `import cellscope` needs numpy alone; a non-model is refused with a way out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cellscope-pip-'));
    try {
      const venv = join(dir, 'venv');
      let r = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const py = join(venv, 'bin', 'python');
      // A copy of python/, so the in-tree build leaves nothing behind in the repository.
      r = spawnSync('cp', ['-r', join(REPO_ROOT, 'python'), join(dir, 'src')]);
      assert.equal(r.status, 0);
      r = spawnSync(py, ['-m', 'pip', 'install', '--disable-pip-version-check', '--retries', '1', '-q', join(dir, 'src')], { encoding: 'utf8' });
      assert.equal(r.status, 0, `pip install ./python failed:\n${r.stdout}\n${r.stderr}`);
      const probe = [
        'import sys, cellscope',
        'assert "keras" not in sys.modules and "torch" not in sys.modules',
        'try:',
        '    cellscope.show(object(), [[0.0]])',
        'except TypeError as e:',
        '    print(e)',
      ].join('\n');
      r = spawnSync(py, ['-c', probe], { encoding: 'utf8', cwd: dir });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /builtins\.object is not a Keras model or a PyTorch module; export the weights as Keras export JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a notebook executed headless (nbclient + ipykernel, real Keras) saves the bundle; over max_bytes it says how to export', () => {
    const python = ensurePythonEnv();
    const dir = mkdtempSync(join(tmpdir(), 'cellscope-nb-'));
    try {
      const out = join(dir, 'executed.ipynb');
      let r = spawnSync(python, [join(REPO_ROOT, 'examples', 'notebook', 'make_notebook.py'), out], { encoding: 'utf8', env: kerasEnv() });
      assert.equal(r.status, 0, r.stderr);
      const shown = shownOutput(JSON.parse(readFileSync(out, 'utf8')));
      checkBundle(shown.data[MIME]);
      const tooBig = [
        'import numpy as np, keras, cellscope',
        'm = keras.Sequential([keras.Input((None, 2)), keras.layers.GRU(3)])',
        's = cellscope.show(m, np.ones((4, 50, 2), "float32"), max_bytes=1000)',
        'b = s._repr_mimebundle_()',
        'assert cellscope.MIME_TYPE not in b, list(b)',
        'print(b["text/plain"])',
      ].join('\n');
      r = spawnSync(python, ['-c', tooBig], { encoding: 'utf8', env: kerasEnv({ PYTHONPATH: join(REPO_ROOT, 'python') }) });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /over the 0\.0 MB a notebook output may hold \(max_bytes\)\. Export it instead .*cellscope\.export\(model, x, 'cellscope-out\/'\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('cellscope.export(model, x, dir) writes model, input and recording that `cellscope compare` matches', () => {
    const python = ensurePythonEnv();
    const dir = mkdtempSync(join(tmpdir(), 'cellscope-export-'));
    try {
      const script = [
        'import sys, numpy as np, keras, cellscope',
        'keras.utils.set_random_seed(3)',
        'm = keras.Sequential([keras.Input((None, 3)), keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True)), keras.layers.GRU(2)])',
        'x = np.random.default_rng(0).normal(size=(2, 7, 3)).astype("float32")',
        'print(sorted(cellscope.export(m, x, sys.argv[1]).items()))',
      ].join('\n');
      let r = spawnSync(python, ['-c', script, dir], { encoding: 'utf8', env: kerasEnv({ PYTHONPATH: join(REPO_ROOT, 'python') }) });
      assert.equal(r.status, 0, r.stderr);
      for (const f of ['model.cellscope.json', 'input.json', 'recording.json']) assert.ok(existsSync(join(dir, f)), f);
      r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'cellscope.js'), 'compare', join(dir, 'model.cellscope.json'), '--input', join(dir, 'input.json'), '--expected', join(dir, 'recording.json'), '--atol', '1e-5'], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('cellscope.export(torch_module, x, dir): the state dict and the ONNX graph it writes match PyTorch in `cellscope compare`', () => {
    const python = ensurePythonEnv();
    const dir = mkdtempSync(join(tmpdir(), 'cellscope-torch-export-'));
    try {
      const script = [
        'import sys, numpy as np, torch, cellscope',
        'torch.manual_seed(0)',
        'class Net(torch.nn.Module):',
        '    def __init__(self):',
        '        super().__init__(); self.gru = torch.nn.GRU(3, 5, batch_first=True, bidirectional=True); self.fc = torch.nn.Linear(10, 2)',
        '    def forward(self, x): return self.fc(self.gru(x)[0])',
        'x = np.random.default_rng(1).normal(size=(2, 6, 3)).astype("float32")',
        'cellscope.export(Net().eval(), x, sys.argv[1])',
      ].join('\n');
      let r = spawnSync(python, ['-c', script, dir], { encoding: 'utf8', env: kerasEnv({ PYTHONPATH: join(REPO_ROOT, 'python') }) });
      assert.equal(r.status, 0, r.stderr);
      const cli = (...args) => spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'cellscope.js'), 'compare', ...args, '--atol', '1e-5'], { encoding: 'utf8' });
      r = cli(join(dir, 'model.pt'), '--module', 'gru', '--input', join(dir, 'gru.input.json'), '--expected', join(dir, 'gru.expected.json'));
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      r = cli(join(dir, 'model.onnx'), '--input', join(dir, 'input.json'), '--expected', join(dir, 'output.json'));
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
