// Each layer around the cells, one mode at a time (padding valid/same/causal, strides, dilation, groups, masks,
// axes, keepdims, rms scaling…), against real Keras 3.15.1 computing in float64 (test/python/make_layer_cases.py,
// committed as test/fixtures/architectures/layers.json). Loaded through the export JSON reader like any model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { runModel, type Tensor } from '../../../src/engine/index';
import { loadModelText } from '../../../src/formats/index';

/**
 * Keras 3 on JAX, even with x64 and a float64 policy, rounds some steps to float32 (recurrent cells, normalization
 * statistics, pooling sums: differences up to ~1.2e-7 here, ~1e-15 elsewhere); a layer that is wrong is off by far more.
 */
const TOLERANCE = 1e-6;
/** Where Keras's output itself is float32 (its dtype says so). */
const TOLERANCE_DEMOTED = 1e-6;

interface Case {
  name: string;
  keras_dtype: string;
  export: unknown;
  inputs: { shape: number[]; data: number[] }[];
  output: { shape: number[]; data: number[] };
}

const file = join(__dirname, '..', '..', 'fixtures', 'architectures', 'layers.json');
const { cases } = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };
const tensor = (t: { shape: number[]; data: number[] }): Tensor => ({ shape: t.shape, data: Float64Array.from(t.data) });

test('the layer cases cover every family', () => {
  assert.ok(cases.length >= 25, `${cases.length} cases`);
});

for (const c of cases) {
  test(`${c.name} matches Keras float64`, () => {
    const { model } = loadModelText(JSON.stringify(c.export), `${c.name}.json`);
    const inputs = c.inputs.map(tensor);
    const r = runModel(model, inputs.length === 1 ? inputs[0]! : inputs);
    const expected = tensor(c.output);
    assert.deepEqual([...r.output.shape], expected.shape);
    let worst = 0;
    for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs(r.output.data[i]! - expected.data[i]!));
    const tol = c.keras_dtype === 'float64' ? TOLERANCE : TOLERANCE_DEMOTED;
    assert.ok(worst <= tol, `${c.name}: off by ${worst} (Keras computed ${c.keras_dtype})`);
  });
}
