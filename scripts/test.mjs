// Runs every test file under test/ with node's built-in test runner (TypeScript through tsx).
// Extra arguments are passed to `node --test` (e.g. `npm test -- --test-name-pattern=LSTM`); a path narrows the set.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SKIP_DIRS = new Set(['node_modules', 'fixtures', 'vscode-server']);

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (!SKIP_DIRS.has(name)) out.push(...findTests(p));
    } else if (/\.test\.(ts|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const paths = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const files = paths.length ? paths.flatMap((p) => (statSync(p).isDirectory() ? findTests(p) : [p])) : findTests('test');

const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...flags, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
