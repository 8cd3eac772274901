/**
 * The before/after table of issue 18: every attack (or those named) run through the built CLI as the held-out
 * check runs them — a 4 GiB address-space cap (prlimit --as) and a 20 s limit — with wall time and peak RSS from
 * /usr/bin/time.  node --import tsx test/hardening/measure.ts [attack names]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../fixtures-path';
import { ATTACKS } from './attacks';

const names = process.argv.slice(2);
const rows: string[] = ['| attack | exit | time s | peak RSS MB | first stderr line |', '|---|---|---|---|---|'];
for (const a of ATTACKS.filter((x) => !names.length || names.includes(x.name))) {
  const dir = mkdtempSync(join(tmpdir(), `cellscope-attack-${a.name}-`));
  try {
    const args = a.build(dir);
    const timeFile = join(dir, '.time');
    const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %M', 'timeout', '-s', 'KILL', '20', 'prlimit', `--as=${4 * 1024 ** 3}`, process.execPath, join(REPO, 'bin', 'cellscope.js'), ...args], { encoding: 'utf8', cwd: dir, maxBuffer: 1 << 30 });
    let time = '-';
    let rss = '-';
    try {
      const [t, m] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ');
      time = Number(t) >= 20 ? `${t} (killed)` : t!;
      rss = (Number(m) / 1024).toFixed(0);
    } catch {}
    const err = (r.stderr.split('\n').find((l) => l.trim() && !l.startsWith('Command ')) ?? '').slice(0, 160).replace(/\|/g, '\\|');
    rows.push(`| ${a.name} | ${r.status === 137 ? 'SIGKILL' : r.status === 134 || r.status === 133 ? `${r.status} (V8 abort)` : r.status} | ${time} | ${rss} | ${JSON.stringify(err)} |`);
    console.error(rows[rows.length - 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(rows.join('\n'));
