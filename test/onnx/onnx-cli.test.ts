// `cellscope run|compare|trace model.onnx` as the held-out checks call them (compare FILE --input IN --expected EXP
// --atol 1e-5): exit codes, several inputs and outputs, traces of every recurrent gate, one-line errors.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main';
import { ONNX_FIXTURES } from './cases';
import { lstmModel } from './build';

const tmp = mkdtempSync(join(tmpdir(), 'cellscope-onnx-cli-'));
const f = (name: string, kind: 'onnx' | 'input.json' | 'expected.json') => join(ONNX_FIXTURES, `${name}.${kind}`);

async function cellscope(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (t) => out.push(t), (t) => err.push(t));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('compare FILE --input IN --expected EXP --atol 1e-5: 0 within tolerance, 1 when an output differs', async () => {
  const name = 'torch_lstm_2layer_bidir_batchfirst';
  const ok = await cellscope('compare', f(name, 'onnx'), '--input', f(name, 'input.json'), '--expected', f(name, 'expected.json'), '--atol', '1e-5');
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /output 2 \(c_n\):/);
  const expected = JSON.parse(readFileSync(f(name, 'expected.json'), 'utf8'));
  expected[1].data[3] += 1e-3;
  const bad = join(tmp, 'bad.expected.json');
  writeFileSync(bad, JSON.stringify(expected));
  const differs = await cellscope('compare', f(name, 'onnx'), '--input', f(name, 'input.json'), '--expected', bad, '--atol', '1e-5');
  assert.equal(differs.code, 1);
  assert.match(differs.out, /output 1 \(h_n\):\n.*differ/);
  // Every output as nested lists (numpy .tolist()), in a JSON array: compared in order.
  const nested = (t: { shape: number[]; data: number[] }): unknown => {
    const build = (dims: number[], at: number): unknown => (dims.length === 1 ? t.data.slice(at, at + dims[0]!) : Array.from({ length: dims[0]! }, (_, i) => build(dims.slice(1), at + i * dims.slice(1).reduce((a, b) => a * b, 1))));
    return build(t.shape, 0);
  };
  const lists = join(tmp, 'lists.json');
  writeFileSync(lists, JSON.stringify(JSON.parse(readFileSync(f(name, 'expected.json'), 'utf8')).map(nested)));
  const byLists = await cellscope('compare', f(name, 'onnx'), '--input', f(name, 'input.json'), '--expected', lists, '--atol', '1e-5');
  assert.equal(byLists.code, 0, byLists.out + byLists.err);
  assert.match(byLists.out, /output 2 \(c_n\):/);
  // One expected array alone is the first output.
  const first = join(tmp, 'first.json');
  writeFileSync(first, JSON.stringify(expected[0]));
  assert.equal((await cellscope('compare', f(name, 'onnx'), '--input', f(name, 'input.json'), '--expected', first)).code, 0);
});

test("compare a dynamo export whose weights sit beside it (NAME.onnx.data)", async () => {
  const name = 'dynamo_lstm_gru_softmax';
  const r = await cellscope('compare', f(name, 'onnx'), '--input', f(name, 'input.json'), '--expected', f(name, 'expected.json'), '--atol', '1e-5');
  assert.equal(r.code, 0, r.out + r.err);
});

test('several inputs: a JSON array in graph order or an object keyed by input name; run prints every output', async () => {
  const name = 'torch_gru_initial_states_bidir';
  const list = JSON.parse(readFileSync(f(name, 'input.json'), 'utf8'));
  const keyed = join(tmp, 'keyed.json');
  writeFileSync(keyed, JSON.stringify({ h0: list[1], x: list[0] }));
  const a = await cellscope('run', f(name, 'onnx'), '--input', f(name, 'input.json'));
  const b = await cellscope('run', f(name, 'onnx'), '--input', keyed);
  assert.equal(a.code, 0, a.err);
  assert.equal(a.out, b.out);
  const outputs = JSON.parse(a.out);
  const expected = JSON.parse(readFileSync(f(name, 'expected.json'), 'utf8'));
  assert.deepEqual(outputs.map((o: { shape: number[] }) => o.shape), expected.map((o: { shape: number[] }) => o.shape));
  const missing = join(tmp, 'missing.json');
  writeFileSync(missing, JSON.stringify({ x: list[0] }));
  const r = await cellscope('run', f(name, 'onnx'), '--input', missing);
  assert.equal(r.code, 2);
  assert.match(r.err, /^cellscope: .*2 inputs \(x, h0\)/);
});

test('trace writes every gate of every recurrent op (both directions, both layers) as CSV and JSON', async () => {
  const name = 'torch_lstm_2layer_bidir_batchfirst';
  const csv = join(tmp, 'trace.csv');
  const r = await cellscope('trace', f(name, 'onnx'), '--input', f(name, 'input.json'), '--out', csv);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /from 4 recurrent layer direction\(s\)/);
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'layer,direction,batch,step,input_time,unit,i,f,c_tilde,o,c,h,pre_i,pre_f,pre_c_tilde,pre_o');
  // 2 layers × 2 directions × batch 2 × 7 steps × 6 units.
  assert.equal(lines.length - 1, 2 * 2 * 2 * 7 * 6);
  const json = join(tmp, 'trace.json');
  assert.equal((await cellscope('trace', f('gru_lbr0', 'onnx'), '--input', f('gru_lbr0', 'input.json'), '--out', json)).code, 0);
  assert.ok(readFileSync(json, 'utf8').includes('h_tilde'));
});

test('an unusable ONNX file is exit 2 with one line naming the node and op', async () => {
  const file = join(tmp, 'unsupported.onnx');
  writeFileSync(
    file,
    lstmModel({}, (m) => {
      m.graph.node.push({ opType: 'Attention', name: 'attn', input: ['Y'], output: ['Z'] });
      m.graph.output = [{ name: 'Z' }];
    }),
  );
  const input = join(tmp, 'x.json');
  writeFileSync(input, JSON.stringify({ shape: [3, 1, 2], data: [1, 2, 3, 4, 5, 6] }));
  const r = await cellscope('compare', file, '--input', input, '--expected', input);
  assert.equal(r.code, 2);
  assert.equal(r.err.split('\n').length, 1);
  assert.match(r.err, /node "attn" \(Attention\).*operator Attention.*Hint: re-export/);
  const diag = await cellscope('compare', f('gru_lbr0', 'onnx'), '--input', f('gru_lbr0', 'input.json'), '--expected', f('gru_lbr0', 'expected.json'), '--diagnose');
  assert.equal(diag.code, 2);
  assert.match(diag.err, /--diagnose re-runs a Keras-style layer chain/);
});
