// python/cellscope_export.py on models holding Python code (issue 12 §4, §5), made fresh by real Keras:
// without --unsafe-lambda it stops with the way out (no traceback); with it, it warns about each layer Cellscope
// cannot run and records every recurrent layer's input, mask, initial states, config and weights, which the engine
// replays to Keras's sequences (≤ 1e-5, float64 engine against Keras float32).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT, ensurePythonEnv, kerasEnv } from '../../scripts/python-env.mjs';

const skip = process.env.CELLSCOPE_SKIP_PYTHON === '1' ? 'CELLSCOPE_SKIP_PYTHON=1' : false;

describe('exporter on models with a Lambda and a custom layer class', { skip, timeout: 20 * 60 * 1000 }, () => {
  let dir;
  let python;
  let made;
  before(() => {
    python = ensurePythonEnv({ log: (m) => process.stderr.write(`# ${m}\n`) });
    dir = mkdtempSync(join(tmpdir(), 'cellscope-replay-'));
    made = spawnSync(python, [join(REPO_ROOT, 'test/python/make_replay_cases.py'), dir], { env: kerasEnv(), encoding: 'utf8' });
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  test('--unsafe-lambda run: a warning per layer Cellscope cannot run, and a recording that replays', async () => {
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stderr, /warning: Cellscope cannot run Lambda layer "double" \(Python code\)/);
    assert.match(made.stderr, /warning: Cellscope cannot run Scale layer "scale" \(Python code\)/);
    const { loadRecordingFile } = await import('../../src/formats/node-files.ts');
    const { replayCases } = await import('../../src/formats/layer-replay.ts');
    const { runReplay } = await import('../../src/compare/replay.ts');
    for (const name of ['text_lambda', 'encdec_custom']) {
      const cases = replayCases(await loadRecordingFile(join(dir, name, 'recording.json')), name);
      assert.ok(cases.length >= 2, `${name}: recurrent layers recorded`);
      for (const c of cases) {
        const r = runReplay(c, { atol: 1e-5, rtol: 0 }, 'float64');
        for (const p of r.parts) assert.ok(p.comparison.pass, `${name} ${c.name} ${p.what}: ${p.comparison.maxAbs}`);
      }
    }
  });

  test('without --unsafe-lambda: exit 2 and the way out, no traceback', () => {
    const d = join(dir, 'text_lambda');
    const r = spawnSync(python, [join(REPO_ROOT, 'python/cellscope_export.py'), join(d, 'model.keras'), '--out-dir', join(dir, 'refused')], { env: kerasEnv(), encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /holds a Lambda layer.*--unsafe-lambda/);
    assert.doesNotMatch(r.stderr, /Traceback/);
  });
});
