// Conversion mistakes planted inside ONNX files (test/port/make_onnx_mistakes.py: real torch.onnx.export, then one
// thing rewritten with the onnx package): `cellscope compare X.pt --against X.onnx --input input.json --diagnose`
// must name the mistake, put it in the ONNX file (the converted one, whichever side it is given on) and print the
// PyTorch → ONNX mapping; the unmodified exports agree. A state dict with two recurrent modules opens one with
// --module, and nn.RNN's relu (not stored in the file) with --nonlinearity, matching real PyTorch.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { main } from '../../src/cli/main';
import { FIXTURES } from '../fixtures-path';

const DIR = join(FIXTURES, 'torch', 'onnx-mistakes');

const EXPECTED: Record<string, string> = {
  'lstm-gate-order': 'ONNX LSTM gate blocks (W, R, B) written in order i,f,c,o (Keras and PyTorch order), where ONNX reads i,o,f,c',
  'gru-gate-order': 'ONNX GRU gate blocks (W, R, B) written in order r,z,h (PyTorch order), where ONNX reads z,r,h',
  'bias-doubled': 'biases doubled: one bias copied into both bias_ih and bias_hh',
  'gru-reset-after': 'GRU linear_before_reset flipped',
};

async function cli(args: string[]): Promise<{ code: number; text: string }> {
  const out: string[] = [];
  const code = await main(args, (t) => out.push(t), (t) => out.push(`stderr: ${t}`));
  return { code, text: out.join('\n') };
}

interface Entry {
  name: string;
  against: string;
  cause: string | null;
}

describe('conversion mistakes inside ONNX files', () => {
  const files = (JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { files: Entry[] }).files;
  test('the manifest covers every planted cause and the correct exports', () => {
    assert.deepEqual(new Set(files.map((f) => f.cause)), new Set([null, ...Object.keys(EXPECTED)]));
  });
  for (const f of files) {
    for (const order of ['pt first', 'onnx first'] as const) {
      test(`${f.name} (${f.cause ?? 'exported as it is'}), ${order}`, async () => {
        const [a, b] = order === 'pt first' ? [f.against, `${f.name}.onnx`] : [`${f.name}.onnx`, f.against];
        const r = await cli(['compare', join(DIR, a), '--against', join(DIR, b), '--input', join(DIR, 'input.json'), '--diagnose']);
        if (f.cause === null) {
          assert.equal(r.code, 0, r.text);
          assert.match(r.text, /the models agree/);
          return;
        }
        assert.equal(r.code, 1, r.text);
        const line = r.text.split('\n').find((l) => l.startsWith('diagnosis:'));
        assert.ok(line, r.text);
        assert.ok(line.includes(EXPECTED[f.cause]!), `${line}\nlacks: ${EXPECTED[f.cause]}`);
        // The ONNX file carries the mistake, on whichever side it was given.
        const side = order === 'pt first' ? 'B' : 'A';
        assert.ok(line.includes(`in ${side} (${join(DIR, `${f.name}.onnx`)}, ONNX)`), line);
        // Before → after: the fix takes the error to rounding.
        const m = /max \|Δ\| (\S+) → (\S+)/.exec(line)!;
        assert.ok(Number(m[1]) > 1e-2 && Number(m[2]) < 1e-6, line);
        assert.match(r.text, /correct mapping, the PyTorch → ONNX weight mapping/);
      });
    }
  }
});

describe('a state dict with two recurrent modules', () => {
  const pt = join(DIR, 'encdec.pt');
  test('without --module: refused with the list', async () => {
    const r = await cli(['run', pt, '--input', join(DIR, 'input.json')]);
    assert.equal(r.code, 2);
    assert.match(r.text, /2 recurrent modules: encoder: nn\.LSTM\(3, 4.*decoder: nn\.RNN\(4, 5/);
  });
  test('--module decoder --nonlinearity relu matches real PyTorch; tanh does not', async () => {
    const args = ['compare', pt, '--module', 'decoder', '--input', join(DIR, 'encdec.decoder.input.json'), '--expected', join(DIR, 'encdec.decoder.expected.json')];
    const relu = await cli([...args, '--nonlinearity', 'relu', '--atol', '1e-6']);
    assert.equal(relu.code, 0, relu.text);
    const tanh = await cli([...args, '--atol', '1e-6']);
    assert.equal(tanh.code, 1, tanh.text);
  });
});
