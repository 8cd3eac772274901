// The port checker on Keras ↔ PyTorch pairs built by real PyTorch and real Keras 3 (test/port/make_port_pairs.py,
// committed in test/fixtures/torch/port-pairs): `cellscope compare X.pt --against X.keras.json --input input.json
// --diagnose` must say the correctly converted pairs agree (exit 0; also against their ONNX export) and name each
// planted mistake, the model that carries it and the error before → after (exit 1). With the venv, the pairs are also regenerated and checked afresh.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
// @ts-expect-error: a plain .mjs script without types
import { REPO_ROOT, ensurePythonEnv, kerasEnv } from '../../scripts/python-env.mjs';
import { main } from '../../src/cli/main';
import { FIXTURES } from '../fixtures-path';

const COMMITTED = join(FIXTURES, 'torch', 'port-pairs');

/** What the diagnosis must say for each planted cause, and which model (A = .pt, B = .keras.json) carries it. */
const EXPECTED: Record<string, { says: string[]; faulty: 'A' | 'B' }> = {
  'lstm-gate-order': { says: ['LSTM gate blocks stored in order i,o,f,c (ONNX LSTM'], faulty: 'B' },
  'gru-gate-order': { says: ['GRU gate blocks stored in order r,z,h (PyTorch GRU'], faulty: 'B' },
  'kernel-reshaped': { says: ['input kernel (weight_ih) reshaped instead of transposed'], faulty: 'B' },
  'recurrentKernel-reshaped': { says: ['recurrent kernel (weight_hh) reshaped instead of transposed'], faulty: 'B' },
  'bias-zero': { says: ['bias missing'], faulty: 'B' },
  'gru-bias-not-split': { says: ['GRU biases not split'], faulty: 'B' },
  'gru-reset-after': { says: ['GRU reset_after flipped', 'an exact port is impossible'], faulty: 'B' },
  'recurrent-activation': { says: ['recurrent_activation is sigmoid'], faulty: 'B' },
  'go-backwards': { says: ['go_backwards flipped'], faulty: 'B' },
  'bias-doubled': { says: ['biases doubled: one bias copied into both bias_ih and bias_hh'], faulty: 'A' },
  // No weight mapping fixes it: the diagnosis says why instead of naming a weight mistake.
  'missing-projection': { says: ['no weight mapping can make these models agree', 'has a projection (proj_size 2)', 'the port misses W_hr'], faulty: 'B' },
};

interface Pair {
  name: string;
  cause: string | null;
}

const table: string[] = [];
after(() => {
  process.stderr.write('# port checker: pair → diagnosis (max |Δ| before → after)\n');
  for (const r of table) process.stderr.write(`#   ${r}\n`);
});

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (t) => out.push(t), (t) => err.push(t));
  return { code, out, err };
}

function checkPairs(dir: string, record: boolean): void {
  const pairs = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).pairs as Pair[];
  assert.ok(pairs.length >= 15);
  for (const p of pairs) {
    test(`${p.name}: ${p.cause ?? 'converted correctly'}`, async () => {
      const r = await cli(['compare', join(dir, `${p.name}.pt`), '--against', join(dir, `${p.name}.keras.json`), '--input', join(dir, 'input.json'), '--diagnose']);
      const text = r.out.join('\n');
      assert.deepEqual(r.err, []);
      if (p.cause === null) {
        assert.equal(r.code, 0, text);
        assert.match(text, /the models agree/);
        // The same module exported by torch.onnx.export: PyTorch ↔ ONNX and Keras ↔ ONNX agree too, gates named per framework.
        for (const other of [`${p.name}.pt`, `${p.name}.keras.json`]) {
          const o = await cli(['compare', join(dir, other), '--against', join(dir, `${p.name}.onnx`), '--input', join(dir, 'input.json')]);
          assert.equal(o.code, 0, o.out.join('\n') + o.err.join('\n'));
          assert.match(o.out.join('\n'), /\(ONNX, \d recurrent layer-direction/);
        }
        if (record) table.push(`${p.name}: agree (${/max \|Δ\| (\S+)/.exec(text)![1]})`);
        return;
      }
      assert.equal(r.code, 1, text);
      const want = EXPECTED[p.cause]!;
      const line = r.out.find((l) => l.startsWith('diagnosis:'))!;
      assert.ok(line, text);
      for (const s of want.says) assert.ok(text.includes(s), `${p.name}: lacks "${s}":\n${text}`);
      if (p.cause === 'missing-projection') {
        if (record) table.push(`${p.name}: ${line.slice('diagnosis: '.length)}`);
        return;
      }
      assert.match(line, new RegExp(` — in ${want.faulty} \\(`), line);
      const m = /max \|Δ\| (\S+) → (\S+)/.exec(line)!;
      assert.ok(Number(m[2]) <= 1e-5, line);
      // The first diverging layer, gate, step and unit are named, and the correct numpy mapping is printed.
      assert.match(text, /first divergence: layer 1 \(.+\), gate .+, step \d+, unit \d+, batch \d+/);
      assert.match(text, /correct mapping, the (PyTorch → Keras|Keras → PyTorch) weight mapping/);
      if (record) table.push(`${p.name}: ${line.slice('diagnosis: '.length, line.indexOf(' — '))} — in ${want.faulty}; ${m[1]} → ${m[2]}`);
    });
  }
}

describe('port checker on the committed Keras ↔ PyTorch pairs', () => {
  checkPairs(COMMITTED, true);
});

test('two models of different sizes, or a file that is not a model: exit 2 or a clear mismatch', async () => {
  const r = await cli(['compare', join(COMMITTED, 'lstm_ok.pt'), '--against', join(COMMITTED, 'input.json')]);
  assert.equal(r.code, 2);
  assert.match(r.err.join('\n'), /input\.json/);
  const gru = await cli(['compare', join(COMMITTED, 'lstm_ok.pt'), '--against', join(COMMITTED, 'gru_ok.keras.json'), '--input', join(COMMITTED, 'input.json')]);
  assert.equal(gru.code, 1);
  assert.match(gru.out.join('\n'), /not comparable \(LSTM vs GRU\)/);
  // Without --input the two models see the same seeded input.
  const seeded = await cli(['compare', join(COMMITTED, 'lstm_ok.pt'), '--against', join(COMMITTED, 'lstm_ok.keras.json')]);
  assert.equal(seeded.code, 0, seeded.out.join('\n'));
  assert.match(seeded.out[0]!, /seeded random input of shape \[2, 8, 3\]/);
});

const skip = process.env.CELLSCOPE_SKIP_PYTHON === '1' ? 'CELLSCOPE_SKIP_PYTHON=1' : false;
describe('port checker on freshly built pairs (real Keras and PyTorch in the venv)', { skip, timeout: 20 * 60 * 1000 }, () => {
  if (skip) return;
  const python = ensurePythonEnv({ log: (m: string) => process.stderr.write(`# ${m}\n`) }) as string;
  const dir = mkdtempSync(join(tmpdir(), 'cellscope-port-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync(python, [join(REPO_ROOT, 'test/port/make_port_pairs.py'), dir], { encoding: 'utf8', env: kerasEnv() });
  assert.equal(r.status, 0, r.stderr);
  checkPairs(dir, false);
});
