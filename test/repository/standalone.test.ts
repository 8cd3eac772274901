// The repository stands on its own: users, contributors, packagers and CI have only it. No tracked file may reach for
// the team's reference folder that sits beside the working copy on the team's machines (its data the tests need is
// copied into test/fixtures/). .ci/run also runs the whole suite from a clone with nothing beside it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../fixtures-path';

// Spelled in pieces so this file does not match itself.
const BESIDE = 'sha' + 'red';
// The parent-folder and /work paths to it, a join(ROOT, '..', <it>) and the old environment variable naming it.
const REACHES_BESIDE = new RegExp(`(\\.\\.[\\\\/]|/work/)${BESIDE}\\b|['"]\\.\\.['"]\\s*,\\s*['"]${BESIDE}['"]|CELLSCOPE_${BESIDE.toUpperCase()}`);

test('no tracked file reads anything beside the repository', () => {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.startsWith('node_modules/') && !/\.(png|keras|h5|pt|onnx|safetensors|bin|wasm)$/.test(f));
  assert.ok(files.length > 100, `git ls-files found only ${files.length} files`);
  const offenders: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(join(REPO, f), 'utf8');
    } catch {
      continue; // listed but deleted in the working tree
    }
    text.split('\n').forEach((line, i) => {
      if (REACHES_BESIDE.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  assert.deepEqual(offenders, [], `files that reach outside the repository:\n${offenders.join('\n')}`);
});
