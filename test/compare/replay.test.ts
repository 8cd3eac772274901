// Layer replay (issue 12 §4) on real Keras 3.15.1 models holding a Lambda and a custom layer class
// (test/fixtures/replay, made by test/python/make_replay_cases.py with python/cellscope_export.py --unsafe-lambda):
// the whole model is refused with the Python layer's name and the way out; each recurrent layer, run alone on the
// input Keras fed it (mask, initial states), reproduces the sequence and states Keras recorded.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { runReplay } from '../../src/compare/replay';
import { loadModelFile, loadRecordingFile } from '../../src/formats/node-files';
import { LoadError } from '../../src/formats/load-error';
import { replayCases, LAYER_REPLAY_LABEL } from '../../src/formats/layer-replay';
import { FIXTURES, REPO } from '../fixtures-path';

const DIR = join(FIXTURES, 'replay');
const CASES = { text_lambda: { python: 'double', layers: ['lstm', 'bidirectional'] }, encdec_custom: { python: 'scale', layers: ['encoder', 'decoder', 'post'] } } as const;

function cellscope(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'cellscope.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

for (const [name, want] of Object.entries(CASES)) {
  describe(`layer replay: ${name}`, () => {
    for (const file of ['model.keras', 'model.cellscope.json']) {
      test(`${file}: refused whole, naming the Python layer and the way out`, async () => {
        await assert.rejects(loadModelFile(join(DIR, name, file)), (e: unknown) => {
          assert.ok(e instanceof LoadError);
          assert.equal(e.details.pythonLayer, want.python);
          assert.match(e.message, new RegExp(`layer "${want.python}"`));
          assert.match(e.message, /cellscope_export\.py .*--recording/);
          return true;
        });
      });
    }

    for (const precision of ['float64', 'float32'] as const) {
      test(`every recurrent layer matches Keras on its recorded input (${precision})`, async () => {
        const rec = await loadRecordingFile(join(DIR, name, 'recording.json'));
        assert.equal(rec.replayOnly, true);
        const cases = replayCases(rec, 'recording.json');
        assert.deepEqual(cases.map((c) => c.name), [...want.layers]);
        for (const c of cases) {
          const r = runReplay(c, { atol: precision === 'float64' ? 1e-5 : 1e-6, rtol: 0 }, precision);
          assert.equal(r.skipped, undefined);
          for (const p of r.parts) assert.ok(p.comparison.pass, `${c.name} ${p.what}: max |Δ| ${p.comparison.maxAbs}`);
          assert.ok(r.parts.length >= 2, 'the sequence and the final states are compared');
        }
      });
    }
  });
}

test('the recorded mask and initial states are what make the replay match (without them it does not)', async () => {
  const text = replayCases(await loadRecordingFile(join(DIR, 'text_lambda', 'recording.json')), 'r.json')[0]!;
  assert.ok(text.model.graph!.nodes[0]!.masks, 'the LSTM after Embedding(mask_zero) got a mask');
  const unmasked = { ...text, model: { ...text.model, graph: { ...text.model.graph!, nodes: [{ ...text.model.graph!.nodes[0]!, masks: undefined }] } } };
  assert.equal(runReplay(unmasked, { atol: 1e-5, rtol: 0 }, 'float64').pass, false);
  const dec = replayCases(await loadRecordingFile(join(DIR, 'encdec_custom', 'recording.json')), 'r.json')[1]!;
  assert.equal(dec.model.graph!.nodes[0]!.initialState?.length, 2);
  const zeroStart = { ...dec, model: { ...dec.model, graph: { ...dec.model.graph!, nodes: [{ ...dec.model.graph!.nodes[0]!, initialState: undefined }] } } };
  assert.equal(runReplay(zeroStart, { atol: 1e-5, rtol: 0 }, 'float64').pass, false);
});

describe('cellscope compare MODEL --recording REC', () => {
  before(() => {
    const b = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  });

  test('replays the layers, says so on its first line, exit 0', () => {
    const r = cellscope('compare', join(DIR, 'encdec_custom', 'model.keras'), '--recording', join(DIR, 'encdec_custom', 'recording.json'));
    assert.equal(r.code, 0, r.err + r.out);
    const lines = r.out.trim().split('\n');
    assert.equal(lines[0], LAYER_REPLAY_LABEL);
    assert.match(lines[1]!, /Scale layer "scale" holds Python code/);
    assert.match(r.out, /layer "decoder" \(LSTM\) on its recorded input \[2, 4, 2\] with its initial states:/);
    assert.equal((r.out.match(/— matches/g) ?? []).length, 3 + 3 + 2);
    assert.match(lines.at(-1)!, /^3 of 3 recurrent layers replayed/);
  });

  test('a wrong recorded output is found (exit 1), at the layer and the place', () => {
    const rec = JSON.parse(readFileSync(join(DIR, 'text_lambda', 'recording.json'), 'utf8'));
    rec.layers[1].output.data[5] += 0.01;
    const bad = join(tmpdir(), `cellscope-replay-${process.pid}.json`);
    writeFileSync(bad, JSON.stringify(rec));
    const r = cellscope('compare', join(DIR, 'text_lambda', 'model.keras'), '--recording', bad);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /layer "bidirectional"[^\n]*\n  sequence: [^\n]*1 differ[^\n]*batch 0, step 0, unit 5/);
  });

  test('without a recording: one line naming the Lambda and the way out, exit 2', () => {
    const r = cellscope('compare', join(DIR, 'text_lambda', 'model.keras'));
    assert.equal(r.code, 2);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.match(r.err, /Lambda layer "double".*--unsafe-lambda.*--recording/);
  });

  test('a model that runs takes its input from the recording when --input is absent', () => {
    const d = join(FIXTURES, 'architectures', 'imdb_bilstm_functional');
    const ref = JSON.parse(readFileSync(join(d, 'reference.json'), 'utf8'));
    const rec = { format: 'cellscope-recording/v1', input: ref.inputs[0], output: ref.outputs_float32[0], layers: [] };
    const file = join(tmpdir(), `cellscope-rec-input-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(rec));
    const r = cellscope('compare', join(d, 'model.keras'), '--recording', file);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /— matches/);
  });
});
