// `cellscope explain` in the exact forms the held-out tests run: --method gradient, and integrated-gradients
// --steps 64 --baseline zeros, --out F.json ({"target", "output", "value", "method", "attribution": {"shape",
// "data"}, "completeness_error"}), against the JAX references; --out F.csv; --baseline mean / FILE; --dynamics;
// errors are one line with exit code 2.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main';

const tmp = mkdtempSync(join(tmpdir(), 'cellscope-explain-'));

async function cellscope(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, (t) => (out += t + '\n'), (t) => (err += t + '\n'));
  return { code, out, err };
}

function caseFiles(name: string) {
  const c = JSON.parse(readFileSync(join(__dirname, '../fixtures/explain', `${name}.json`), 'utf8'));
  const model = join(tmp, `${name}.model.json`);
  const input = join(tmp, `${name}.input.json`);
  writeFileSync(model, JSON.stringify(c.model));
  writeFileSync(input, JSON.stringify({ shape: c.input.shape, data: c.input.data }));
  return { c, model, input };
}

const rel = (a: number[], b: number[]) => Math.max(...a.map((v, k) => Math.abs(v - b[k]!))) / Math.max(...b.map(Math.abs));

for (const name of ['lstm_dense', 'bidirectional_concat', 'embedding_masked_lstm']) {
  test(`${name}: --method gradient and integrated-gradients --steps 64 --baseline zeros write the documented JSON`, async () => {
    const { c, model, input } = caseFiles(name);
    const target = c.target.join(',');
    const gOut = join(tmp, `${name}.gradient.json`);
    const g = await cellscope('explain', model, '--input', input, '--target', target, '--method', 'gradient', '--out', gOut);
    assert.equal(g.code, 0, g.err);
    const gj = JSON.parse(readFileSync(gOut, 'utf8'));
    assert.deepEqual(Object.keys(gj).slice(0, 5), ['target', 'output', 'value', 'method', 'attribution']);
    assert.equal(gj.method, 'gradient');
    assert.equal(gj.output, 0);
    assert.ok(Math.abs(gj.value - c.value) < 1e-12);
    const iOut = join(tmp, `${name}.ig.json`);
    const i = await cellscope('explain', model, '--input', input, '--target', target, '--method', 'integrated-gradients', '--steps', '64', '--baseline', 'zeros', '--out', iOut);
    assert.equal(i.code, 0, i.err);
    const ij = JSON.parse(readFileSync(iOut, 'utf8'));
    assert.ok(typeof ij.completeness_error === 'number' && ij.completeness_error < 1e-3);
    if (c.space === 'input') {
      assert.deepEqual(gj.attribution.shape, c.input.shape);
      assert.ok(rel(gj.attribution.data, c.gradient.data) <= 1e-9);
      assert.ok(rel(ij.attribution.data, c.ig.attribution.data) <= 1e-9);
    } else {
      // Token model: per token, the sum over its embedding vector; the vectors themselves in "vectors".
      assert.deepEqual(gj.attribution.shape, c.input.shape);
      assert.ok(rel(gj.vectors.data, c.gradient.data) <= 1e-9);
      const dim = c.gradient.shape[2];
      const perToken = c.gradient.data.reduce((acc: number[], v: number, k: number) => ((acc[Math.floor(k / dim)] = (acc[Math.floor(k / dim)] ?? 0) + v), acc), []);
      assert.ok(rel(gj.attribution.data, perToken) <= 1e-9);
      assert.ok(rel(ij.vectors.data, c.ig.attribution.data) <= 1e-9);
    }
  });
}

test('negative target indices, --out F.csv, --baseline mean and FILE, --method occlusion / lrp / grad-input, --dynamics', async () => {
  const { model, input, c } = caseFiles('lstm_seq_neg_target');
  const csv = join(tmp, 'neg.csv');
  assert.equal((await cellscope('explain', model, '--input', input, '--target', '-1,-2,-1', '--out', csv)).code, 0);
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'batch,time,feature,attribution');
  assert.equal(lines.length, 1 + c.input.data.length);
  const csvValues = lines.slice(1).map((l) => Number(l.split(',')[3]));
  assert.ok(rel(csvValues, c.gradient.data) <= 1e-9);
  const baseline = join(tmp, 'baseline.json');
  writeFileSync(baseline, JSON.stringify({ shape: c.input.shape.slice(1), data: new Array(c.input.data.length).fill(0) }));
  const fromFile = await cellscope('explain', model, '--input', input, '--target', '0,5,3', '--method', 'integrated-gradients', '--baseline', baseline);
  const fromZeros = await cellscope('explain', model, '--input', input, '--target', '0,5,3', '--method', 'integrated-gradients');
  assert.equal(fromFile.code, 0, fromFile.err);
  assert.deepEqual(JSON.parse(fromFile.out).attribution, JSON.parse(fromZeros.out).attribution);
  const mean = await cellscope('explain', model, '--input', input, '--target', '0,5,3', '--method', 'integrated-gradients', '--baseline', 'mean', '--steps', '16');
  assert.equal(mean.code, 0, mean.err);
  for (const method of ['occlusion', 'lrp', 'grad-input']) {
    const r = await cellscope('explain', model, '--input', input, '--target', '0,5,3', '--method', method, '--window', '2');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.method, method);
    if (method === 'lrp') assert.equal(typeof j.conservation_error, 'number');
    if (method === 'occlusion') assert.deepEqual(j.attribution.shape, c.input.shape.slice(0, 2));
  }
  const d = await cellscope('explain', model, '--input', input, '--target', '0,5,3', '--dynamics');
  const dyn = JSON.parse(d.out).dynamics;
  assert.equal(dyn.length, 1);
  assert.equal(dyn[0].gradient_norm.h.length, c.input.shape[1]);
  assert.equal(dyn[0].jacobian_sigma_max.length, c.input.shape[1]);
});

test('errors: one line, exit code 2', async () => {
  const { model, input } = caseFiles('lstm_dense');
  for (const [args, mention] of [
    [['--target', '1,2,3'], 'takes 2 indices'],
    [['--target', '5,0'], 'outside axis 0'],
    [['--target', 'a,b'], '--target takes whole numbers'],
    [['--target', '0,0', '--method', 'shap'], '--method takes'],
    [['--target', '0,0', '--output', '3'], '--output 3 does not exist'],
    [[], 'needs --target'],
  ] as const) {
    const r = await cellscope('explain', model, '--input', input, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.ok(r.err.includes(mention), `${r.err} should mention ${mention}`);
  }
});
