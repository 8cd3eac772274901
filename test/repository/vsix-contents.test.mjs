// What the VSIX ships: every bundle the extension loads (each build target but the CLI's) is let in by .vscodeignore,
// which names them one by one so the CLI bundle stays out; a target added without a line here would ship broken.
// And its size: the production build zipped with what .vscodeignore lets in (bench/activation.mjs measureVsix, within
// ~1 KB of `vsce package`), under issue 17's 1 MB.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allTargets } from '../../scripts/build.mjs';
import { measureVsix } from '../../bench/activation.mjs';

const REPO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The file names a target writes (an `outfile`, or one per named entry under `outdir`), relative to dist/. */
const outputsOf = (t) => (t.outfile ? [t.outfile.slice('dist/'.length)] : Object.keys(t.entryPoints).map((name) => `${name}.js`));

test('.vscodeignore lets in every bundle the extension loads, and not the CLI', () => {
  const kept = readFileSync(join(REPO, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('!dist/'))
    .map((l) => new RegExp(`^${l.slice('!dist/'.length).replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`));
  const ships = (name) => kept.some((r) => r.test(name));
  const targets = allTargets('dist', true);
  const bundles = targets.flatMap(outputsOf);
  assert.ok(bundles.includes('cli.js') && bundles.includes('host.js') && bundles.includes('web/extension.js'), bundles.join(', '));
  assert.deepEqual(bundles.filter((b) => b !== 'cli.js' && !ships(b)), [], 'bundles left out of the VSIX');
  assert.equal(ships('cli.js'), false);
  // Chunks the page bundles share are named by scripts/build.mjs's chunkNames, which .vscodeignore matches.
  for (const t of targets.filter((x) => x.splitting)) assert.ok(ships(`${t.chunkNames.replace('[hash]', 'ABCD1234')}.js`), t.chunkNames);
  // package.json's entry points are among them.
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  for (const entry of [pkg.main, pkg.browser, ...pkg.contributes.notebookRenderer.map((r) => r.entrypoint)]) {
    assert.ok(ships(entry.replace(/^\.\/dist\//, '')), `${entry} ships`);
  }
  assert.ok(basename(pkg.main) === 'extension.js');
});

test('the VSIX stays under 1 MB (issue 17)', { timeout: 180_000 }, async () => {
  const { bytes, files } = await measureVsix();
  console.log(`VSIX: ${bytes} bytes, ${files} files`);
  assert.ok(bytes <= 1_000_000, `the VSIX measures ${bytes} bytes (${files} files)`);
});
