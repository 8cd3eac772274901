// The half-precision hypothesis and the CLI's default mode on real mixed-precision Keras 3 models
// (test/fixtures/mixed-precision, made by test/python/make_mixed_precision.py).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { diagnose } from '../../src/diagnose';
import { loadArrayFile, loadModelFile } from '../../src/formats/node-files';
import { FIXTURES } from '../fixtures-path';
import { cellscope, diagnosisLine } from './helpers';
import { english } from '../../src/phrase';

const DIR = join(FIXTURES, 'mixed-precision');
const files = (name: string, format: string) => ({ model: join(DIR, name, format), input: join(DIR, name, 'input.json'), expected: join(DIR, name, 'expected.json') });


for (const format of ['model.cellscope.json', 'model.keras', 'model.h5']) {
  test(`cellscope compare picks the file's mixed_float16 policy by itself (${format}): exit 0 at atol 1e-5`, async () => {
    const f = files('lstm_mixed_float16', format);
    const r = await cellscope('compare', f.model, '--input', f.input, '--expected', f.expected, '--atol', '1e-5');
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /matches/);
  });
}

test('compare --precision float32 --diagnose on a mixed_float16 model names "the model computes in float16", not float32 arithmetic', async () => {
  const f = files('lstm_mixed_float16', 'model.h5');
  const r = await cellscope('compare', f.model, '--input', f.input, '--expected', f.expected, '--precision', 'float32', '--diagnose');
  assert.equal(r.code, 1);
  const line = diagnosisLine(r.out);
  assert.match(line, /the model computes in float16/);
  assert.doesNotMatch(line, /float32 arithmetic/);
});

test('a bfloat16 model with an explicit --precision float64: the diagnosis names bfloat16', async () => {
  const f = files('lstm_mixed_bfloat16', 'model.keras');
  const r = await cellscope('compare', f.model, '--input', f.input, '--expected', f.expected, '--precision', 'float64', '--diagnose');
  assert.match(diagnosisLine(r.out), /the model computes in bfloat16/);
});

test('a file that lost its policy (Keras ran it under mixed_float16): the diagnosis still finds float16', async () => {
  const f = files('lstm_mixed_float16', 'model.cellscope.json');
  const loaded = await loadModelFile(f.model);
  const { layerDtypes: _l, dtypePolicies: _d, ...bare } = loaded.model;
  const d = diagnose(bare, await loadArrayFile(f.input), await loadArrayFile(f.expected));
  assert.equal(d.verdict, 'rounding');
  assert.match(d.best ? english(d.best.title) : '', /^the model computes in float16/);
  assert.ok(d.best!.after < 1e-6, `after ${d.best!.after}`);
});

test('the default run of a mixed model matches, so --diagnose has nothing to explain', async () => {
  const f = files('bidirectional_mixed_float16', 'model.keras');
  const r = await cellscope('compare', f.model, '--input', f.input, '--expected', f.expected, '--diagnose');
  assert.equal(r.code, 0);
  assert.match(diagnosisLine(r.out), /matches the recording/);
});

test('inspect shows the dtype policy and the compute mode', async () => {
  const r = await cellscope('inspect', files('gru_mixed_float16', 'model.keras').model);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /dtype policy mixed_float16 \(3 layers\)/, r.out);
  assert.match(r.out, /computed as Keras does/);
});
