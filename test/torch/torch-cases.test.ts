// PyTorch state dicts read without Python: every case of test/fixtures/torch (built by real PyTorch with
// test/torch/make_torch_cases.py: nn.RNN tanh/relu, nn.LSTM, nn.GRU in 1–3 layers, bidirectional, bias=False,
// dropout, time-major, proj_size, the three cells over a sequence, a wrapper Net with --module lstm, float16 /
// bfloat16 storages, strided and offset tensors) as .pt and .safetensors must give PyTorch's output within 1e-5.
// The largest error per case is printed (and kept in test/torch/RESULTS.md by hand).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runModel } from '../../src/engine/index';
import { loadArrayBytes, loadModelBytes } from '../../src/formats/index';
import { FIXTURES } from '../fixtures-path';

const DIR = join(FIXTURES, 'torch');
interface Case {
  name: string;
  dtype: string;
  module?: string;
  nonlinearity?: 'tanh' | 'relu';
}
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { torch: string; cases: Case[] };

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const rows: string[] = [];
after(() => {
  process.stderr.write(`# PyTorch ${manifest.torch} round trip, max |Δ| (float64 run / float32 run):\n`);
  for (const r of rows) process.stderr.write(`#   ${r}\n`);
});

describe('PyTorch state dicts → Cellscope = PyTorch', () => {
  test('the manifest holds every configuration', () => {
    assert.ok(manifest.cases.length >= 60, `${manifest.cases.length} cases`);
    for (const kind of ['rnn_tanh', 'rnn_relu', 'lstm', 'gru']) {
      for (const tag of ['_l1', '_l2', '_l3', '_l3_bi', '_nobias', '_dropout', '_timemajor']) assert.ok(manifest.cases.some((c) => c.name.startsWith(kind + tag)), kind + tag);
    }
    for (const c of ['lstm_proj_l2_bi', 'lstm_proj_nobias', 'rnncell_tanh', 'rnncell_relu', 'lstmcell', 'grucell', 'net_lstm', 'lstm_float16', 'gru_bfloat16', 'lstm_strided']) {
      assert.ok(manifest.cases.some((k) => k.name.startsWith(c)), c);
    }
  });

  for (const c of manifest.cases) {
    test(c.name, async () => {
      const input = await loadArrayBytes(readFileSync(join(DIR, `${c.name}.input.json`)), `${c.name}.input.json`);
      const expected = await loadArrayBytes(readFileSync(join(DIR, `${c.name}.expected.json`)), `${c.name}.expected.json`);
      const choices = { ...(c.module ? { module: c.module } : {}), ...(c.nonlinearity ? { nonlinearity: c.nonlinearity } : {}) };
      const errors: string[] = [];
      for (const ext of ['pt', 'safetensors']) {
        const file = `${c.name}.${ext}`;
        const loaded = await loadModelBytes(readFileSync(join(DIR, file)), file, undefined, undefined, choices);
        for (const precision of ['float64', 'float32'] as const) {
          const out = runModel(loaded.model, input, { precision });
          assert.deepEqual(out.output.shape, expected.shape, `${file} ${precision} shape`);
          const err = maxAbs(out.output.data, expected.data);
          // A float32 run of float64 weights rounds them; it is checked against the same 1e-5 all the same.
          assert.ok(err <= 1e-5, `${file} ${precision}: max |Δ| ${err}`);
          if (ext === 'pt') errors.push(err.toExponential(1));
        }
      }
      rows.push(`${c.name.padEnd(28)} ${errors.join(' / ')}`);
    });
  }
});
