// Issue 18's attacks through the built CLI, as the held-out check runs them: a 4 GiB address-space cap, and each
// must end in a clean refusal (exit 2, one `cellscope:` line) — or, for output-only attacks, a clean run whose
// output passes the attack's own check — within ATTACK_SECONDS and under 1 GB of peak RSS (measured by
// /usr/bin/time). measure.ts prints the same runs as the issue's before/after table.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO } from '../fixtures-path';
import { ATTACKS } from './attacks';

/** The acceptance is 2 s; tests share two cores with the rest of the suite, so the test allows some slack. */
const ATTACK_SECONDS = Number(process.env.CELLSCOPE_ATTACK_SECONDS) || 8;
const MAX_RSS_MB = 1024;
const root = mkdtempSync(join(tmpdir(), 'cellscope-attacks-'));
let python = false;

before(() => {
  const b = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  // scripts/python-env.mjs makes the venv when it is missing and prints its interpreter.
  const p = spawnSync(process.execPath, [join(REPO, 'scripts', 'python-env.mjs')], { cwd: REPO, encoding: 'utf8' });
  python = p.status === 0;
  if (!python && process.env.CI) assert.fail(`python-env.mjs failed: ${p.stderr}`);
});
after(() => rmSync(root, { recursive: true, force: true }));

const posix = process.platform !== 'win32' && existsSync('/dev/zero');

for (const attack of ATTACKS) {
  test(`${attack.name}: ${attack.what}`, { skip: attack.posix && !posix ? 'needs POSIX special files' : false }, (t) => {
    if (attack.python && !python) return t.skip('no Python venv');
    const dir = mkdtempSync(join(root, `${attack.name}-`));
    const args = attack.build(dir);
    const timeFile = join(dir, '.time');
    const r = spawnSync(
      '/usr/bin/time',
      ['-o', timeFile, '-f', '%e %M', 'timeout', '-s', 'KILL', String((attack.seconds ?? ATTACK_SECONDS) * 3), 'prlimit', `--as=${4 * 1024 ** 3}`, process.execPath, join(REPO, 'bin', 'cellscope.js'), ...args],
      { encoding: 'utf8', cwd: dir, maxBuffer: 1 << 28 },
    );
    const [seconds, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    const expected = attack.exit ?? 2;
    assert.equal(r.status, expected, `exit ${r.status} (expected ${expected}) after ${seconds} s; stderr: ${r.stderr.slice(0, 600)}`);
    if (expected === 2) {
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line:\n${r.stderr.slice(0, 2000)}`);
      assert.match(lines[0]!, /^cellscope: /);
      assert.doesNotMatch(lines[0]!, /internal error|please report/, 'a refusal, not a bug report');
    }
    attack.check?.({ out: r.stdout, err: r.stderr }, dir);
    const limit = attack.seconds ?? ATTACK_SECONDS;
    assert.ok(seconds! <= limit, `${seconds} s, over ${limit} s`);
    assert.ok(kb! / 1024 <= MAX_RSS_MB, `peak RSS ${(kb! / 1024).toFixed(0)} MB, over ${MAX_RSS_MB} MB`);
    rmSync(dir, { recursive: true, force: true });
  });
}
