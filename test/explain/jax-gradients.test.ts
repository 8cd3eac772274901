// Gradients and integrated gradients of real Keras 3 models against JAX in float64 (test/fixtures/explain, made by
// test/explain/make_grad_cases.py): every case's ∂y/∂x (token models: ∂y/∂(embedding vectors)) must agree to
// 1e-9 relative (of the gradient's largest magnitude), IG (64 midpoint steps from zeros) likewise, and IG's
// completeness error must be what the 64-step sum leaves, not more.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { relError } from '../support/rel-error';
import { explainPrediction } from '../../src/explain';
import { loadModelText } from '../../src/formats';

const DIR = join(__dirname, '../fixtures/explain');
const REL = 1e-9;

interface Case {
  name: string;
  description: string;
  model: unknown;
  input: { shape: number[]; data: number[] };
  target: number[];
  output: number;
  value: number;
  space: 'input' | 'embedding';
  gradient: { shape: number[]; data: number[] };
  ig: { steps: number; attribution: { shape: number[]; data: number[] }; delta: number };
}

export function loadCases(): Case[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json') && f !== 'index.json')
    .sort()
    .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Case);
}

const cases = loadCases();
const report: string[] = [];

test('the fixtures hold the cases', () => {
  assert.ok(cases.length >= 20, `${cases.length} cases`);
});

for (const c of cases) {
  test(`${c.name}: gradient and integrated gradients match JAX (${c.description})`, () => {
    const { model } = loadModelText(JSON.stringify(c.model), `${c.name}.json`);
    const input = { shape: c.input.shape, data: Float64Array.from(c.input.data) };
    const g = explainPrediction(model, input, { method: 'gradient', target: c.target, output: c.output });
    assert.ok(Math.abs(g.value - c.value) <= 1e-12 * Math.max(1, Math.abs(c.value)), `value ${g.value} vs ${c.value}`);
    assert.equal(g.space, c.space);
    const grad = g.space === 'embedding' ? g.vectors! : g.attribution;
    assert.deepEqual([...grad.shape], c.gradient.shape);
    const eg = relError(grad.data, c.gradient.data);
    assert.ok(eg <= REL, `gradient: relative error ${eg}`);
    const ig = explainPrediction(model, input, { method: 'integrated-gradients', target: c.target, output: c.output, steps: c.ig.steps, baseline: 'zeros' });
    const igData = ig.space === 'embedding' ? ig.vectors!.data : ig.attribution.data;
    const ei = relError(igData, c.ig.attribution.data);
    assert.ok(ei <= REL, `integrated gradients: relative error ${ei}`);
    const refSum = c.ig.attribution.data.reduce((s, v) => s + v, 0);
    const refCompleteness = Math.abs(refSum - c.ig.delta);
    assert.ok(Math.abs(ig.completenessError! - refCompleteness) <= 1e-9 * Math.max(1, Math.abs(c.ig.delta)), `completeness ${ig.completenessError} vs JAX's ${refCompleteness}`);
    report.push(`${c.name}: gradient ${eg.toExponential(1)}, IG ${ei.toExponential(1)}, completeness ${ig.completenessError!.toExponential(1)}`);
  });
}

test('report', () => {
  for (const r of report) process.stderr.write(`# ${r}\n`);
});
