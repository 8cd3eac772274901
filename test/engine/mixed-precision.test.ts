/**
 * float16 / bfloat16 dtype policies against real Keras 3.15.1 (JAX, CPU): every model of
 * test/fixtures/mixed-precision (made by test/python/make_mixed_precision.py) in each of the three Keras formats,
 * run the way the CLI runs it by default (no precision given: the file's policies), compared with Keras's predict.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareTensors } from '../../src/compare/compare';
import { runModel, type Tensor } from '../../src/engine';
import { loadArrayFile, loadModelFile } from '../../src/formats/node-files';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'mixed-precision');
const index = JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as { cases: { name: string; policy: string }[] };
const FORMATS = ['model.cellscope.json', 'model.keras', 'model.h5'];

function maxAbs(a: Tensor, b: Tensor): number {
  assert.deepEqual([...a.shape], [...b.shape]);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

test('there are float16, mixed_float16, bfloat16 and mixed_bfloat16 cases, with LSTM, GRU, SimpleRNN, Bidirectional and Dense', () => {
  const policies = new Set(index.cases.map((c) => c.policy));
  assert.deepEqual([...policies].sort(), ['bfloat16', 'float16', 'mixed_bfloat16', 'mixed_float16']);
  assert.ok(index.cases.length >= 10);
});

for (const { name, policy } of index.cases) {
  test(`${name} (${policy}) matches Keras in all three formats by default, and not without the policy`, async () => {
    const input = await loadArrayFile(join(DIR, name, 'input.json'));
    const expected = await loadArrayFile(join(DIR, name, 'expected.json'));
    for (const format of FORMATS) {
      const loaded = await loadModelFile(join(DIR, name, format));
      assert.ok(loaded.model.layerDtypes, `${format}: the half-precision layers are read`);
      assert.match(loaded.model.dtypePolicies ?? '', new RegExp(policy), `${format}: the policy is shown`);
      const out = runModel(loaded.model, input, { record: false }).output;
      const err = maxAbs(out, expected);
      // The reference holds Keras's float16/bfloat16 values as shortest float32 decimals: equal up to that print.
      assert.ok(err <= 1e-6, `${name}/${format}: max |Δ| ${err} against Keras`);
      assert.ok(compareTensors(out, expected, { atol: 1e-5, rtol: 0 }).pass);
    }
    // The same file computed in float64 or float32 (policies ignored) misses Keras by far more: the mode matters.
    const loaded = await loadModelFile(join(DIR, name, FORMATS[0]!));
    const plain = runModel(loaded.model, input, { precision: 'float64', record: false }).output;
    assert.ok(maxAbs(plain, expected) > 1e-5, `${name}: float64 differs from Keras by ${maxAbs(plain, expected)} only`);
  });
}

test('the recorded trace of a mixed_float16 LSTM holds float16 values (every gate rounded)', async () => {
  const loaded = await loadModelFile(join(DIR, 'lstm_sequence_mixed_float16', 'model.keras'));
  const input = await loadArrayFile(join(DIR, 'lstm_sequence_mixed_float16', 'input.json'));
  const r = runModel(loaded.model, input);
  const { roundFloat16 } = await import('../../src/engine/half');
  for (const values of r.trace!.layers[0]!.values) for (const v of values) if (!Number.isNaN(v)) assert.equal(roundFloat16(v), v);
});
