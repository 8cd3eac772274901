// The CLI forms the issue fixes for PyTorch files: run | compare | inspect | trace model.pt [--module P]
// [--nonlinearity relu] --input IN [--expected EXP --atol 1e-5], on committed real-PyTorch cases.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main';
import { FIXTURES } from '../fixtures-path';

const D = join(FIXTURES, 'torch');
const f = (name: string) => join(D, name);

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (t) => out.push(t), (t) => err.push(t));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('compare model.pt --module lstm --input --expected --atol 1e-5 passes; a relu RNN needs --nonlinearity relu', async () => {
  const ok = await cli(['compare', f('net_lstm.pt'), '--module', 'lstm', '--input', f('net_lstm.input.json'), '--expected', f('net_lstm.expected.json'), '--atol', '1e-5']);
  assert.equal(ok.code, 0, ok.out + ok.err);
  const relu = ['compare', f('rnn_relu_l2_bi_float64.pt'), '--input', f('rnn_relu_l2_bi_float64.input.json'), '--expected', f('rnn_relu_l2_bi_float64.expected.json')];
  assert.equal((await cli([...relu, '--nonlinearity', 'relu'])).code, 0);
  assert.equal((await cli(relu)).code, 1, 'tanh (the default) must not match a relu RNN');
  const st = await cli(['compare', f('gru_l3_bi_float64.safetensors'), '--input', f('gru_l3_bi_float64.input.json'), '--expected', f('gru_l3_bi_float64.expected.json')]);
  assert.equal(st.code, 0, st.out + st.err);
  const bad = await cli(['compare', f('net_lstm.pt'), '--module', 'gru', '--input', f('net_lstm.input.json')]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /pass --module with one of: lstm/);
  assert.equal((await cli(['run', f('lstm_l1_float64.pt'), '--nonlinearity', 'sigmoid'])).code, 2);
});

test('run prints the module output sequence; inspect lists the layers; trace writes every gate', async () => {
  const run = await cli(['run', f('lstm_proj_l2_bi_float64.pt'), '--input', f('lstm_proj_l2_bi_float64.input.json')]);
  assert.equal(run.code, 0, run.err);
  const out = JSON.parse(run.out) as { shape: number[]; data: number[] };
  const expected = JSON.parse(readFileSync(f('lstm_proj_l2_bi_float64.expected.json'), 'utf8')) as { shape: number[]; data: number[] };
  assert.deepEqual(out.shape, expected.shape);
  assert.ok(out.data.every((v, i) => Math.abs(v - expected.data[i]!) <= 1e-5));
  const inspect = await cli(['inspect', f('gru_l2_bi_float64.pt')]);
  assert.equal(inspect.code, 0, inspect.err);
  assert.match(inspect.out, /gru_l0/);
  assert.match(inspect.out, /gru_l1/);
  assert.match(inspect.out, /gate names: PyTorch GRU r, z, n = Keras r, z, h/);
  const net = await cli(['inspect', f('net_lstm.pt'), '--module', 'lstm']);
  assert.equal(net.code, 0, net.err);
  assert.match(net.out, /gate names: PyTorch LSTM i, f, g, o = Keras i, f, c, o/);
  const dir = mkdtempSync(join(tmpdir(), 'cellscope-torch-trace-'));
  try {
    const trace = await cli(['trace', f('lstmcell_float64.pt'), '--input', f('lstmcell_float64.input.json'), '--out', join(dir, 't.csv')]);
    assert.equal(trace.code, 0, trace.err);
    const csv = readFileSync(join(dir, 't.csv'), 'utf8');
    assert.match(csv.split('\n')[0]!, /c_tilde|quantity/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
