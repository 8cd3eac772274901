// What the VSIX ships: every bundle the extension loads (each build target but the CLI's) is let in by .vscodeignore,
// which names them one by one so the CLI bundle stays out; a target added without a line here would ship broken.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allTargets } from '../../scripts/build.mjs';

const REPO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

test('.vscodeignore lets in every bundle the extension loads, and not the CLI', () => {
  const kept = new Set(
    readFileSync(join(REPO, '.vscodeignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('!dist/'))
      .map((l) => l.slice('!dist/'.length)),
  );
  const bundles = allTargets('dist', true).map((t) => basename(t.outfile));
  assert.ok(bundles.includes('cli.js') && bundles.includes('host.js'), bundles.join(', '));
  assert.deepEqual(bundles.filter((b) => b !== 'cli.js' && !kept.has(b)), [], 'bundles left out of the VSIX');
  assert.equal(kept.has('cli.js'), false);
  // package.json's entry points are among them.
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  for (const entry of [pkg.main, ...pkg.contributes.notebookRenderer.map((r) => r.entrypoint)]) {
    assert.ok(kept.has(basename(entry)), `${entry} ships`);
  }
});
