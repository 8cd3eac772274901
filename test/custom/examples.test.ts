// examples/custom-cells: every file loads, runs and gives its expected output (the seeds' printed numbers); the CLI
// runs them after a build; the panel's host session builds valid protocol messages for a custom cell.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runModel } from '../../src/engine';
import { PanelSession } from '../../src/extension/panel/session';
import { loadModelFile } from '../../src/formats/node-files';
import { isToWebview } from '../../src/protocol';
import { REPO } from '../fixtures-path';

const DIR = join(REPO, 'examples', 'custom-cells');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

test('examples/custom-cells: the seed cells are all there', () => {
  for (const name of ['relu-counter', 'relu-gated-lstm', 'coupled-gate-gru', 'hx-matrix-lstm', 'identity-lstm', 'count-lstm', 'sum-lstm', 'mean-lstm']) {
    assert.ok(files.includes(`${name}.json`), name);
  }
});

for (const file of files) {
  test(`examples/custom-cells/${file}: CustomCell loads and reproduces the expected output (1e-12 in float64, 1e-5 in float32)`, async () => {
    const { model, input, expectedOutput } = await loadModelFile(join(DIR, file));
    assert.ok(model.layers.some((l) => l.kind === 'recurrent' && l.cell === 'custom'));
    const expected = Array.from(expectedOutput!.data);
    const out = runModel(model, input!).output;
    assert.deepEqual(out.shape, expectedOutput!.shape);
    out.data.forEach((v, k) => assert.ok(Math.abs(v - expected[k]!) <= 1e-12, `${k}: ${v} vs ${expected[k]}`));
    // The seed's printed numbers are the expected output where the seed printed the output itself.
    const doc = JSON.parse(readFileSync(join(DIR, file), 'utf8').replace(/-?Infinity/g, '0'));
    if (doc.source.printed && !doc.source.note) assert.deepEqual(expected, doc.source.printed);
    const out32 = runModel(model, input!, { precision: 'float32' }).output.data;
    out32.forEach((v, k) => assert.ok(Math.abs(v - expected[k]!) <= 1e-5, `float32 ${k}: ${v} vs ${expected[k]}`));
  });
}

test('the panel host session runs a custom model: init and trace messages pass the protocol guards', async () => {
  const file = join(DIR, 'relu-gated-lstm.json');
  const loaded = await loadModelFile(file);
  const session = new PanelSession({ loaded, input: loaded.input!, expected: loaded.expectedOutput, files: { fileUri: `file://${file}`, model: file, input: null, recording: null } });
  const init = session.initMessage();
  assert.ok(isToWebview(init), 'init message');
  assert.equal(init.layers[0]!.cell, 'custom');
  assert.deepEqual(init.layers[0]!.quantities.map((q) => q.key), ['i', 'f', 'c_tilde', 'o', 'h', 'c', 'pre_i', 'pre_f', 'pre_c_tilde', 'pre_o']);
  assert.equal(init.summary.layers[0]!.className, 'CustomCell');
  const trace = session.traceMessage(0, 0);
  assert.ok(isToWebview(trace), 'trace message');
  assert.equal(trace.values.length, 10);
  const comparison = session.comparisonMessage();
  assert.ok(comparison && isToWebview(comparison));
  assert.ok(session.comparison!.pass);
});

describeCli();

function describeCli() {
  before(() => {
    const b = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  });
  test('cellscope run / compare / inspect work on every custom-cell example', () => {
    for (const file of files) {
      const path = join('examples', 'custom-cells', file);
      const run = spawnSync(process.execPath, [join(REPO, 'bin', 'cellscope.js'), 'run', path], { cwd: REPO, encoding: 'utf8' });
      assert.equal(run.status, 0, `${file}: ${run.stderr}`);
      const out = JSON.parse(run.stdout) as { shape: number[]; data: number[] };
      const doc = JSON.parse(readFileSync(join(DIR, file), 'utf8').replace(/-?Infinity/g, '0'));
      assert.deepEqual(out.shape, doc.expected_output.shape);
      out.data.forEach((v, k) => assert.ok(Math.abs(v - doc.expected_output.data[k]) <= 1e-12, `${file} ${k}`));
      const cmp = spawnSync(process.execPath, [join(REPO, 'bin', 'cellscope.js'), 'compare', path], { cwd: REPO, encoding: 'utf8' });
      assert.equal(cmp.status, 0, `${file}: ${cmp.stdout}${cmp.stderr}`);
    }
    const inspect = spawnSync(process.execPath, [join(REPO, 'bin', 'cellscope.js'), 'inspect', join('examples', 'custom-cells', 'relu-gated-lstm.json')], { cwd: REPO, encoding: 'utf8' });
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.match(inspect.stdout, /CustomCell/);
  });
}
