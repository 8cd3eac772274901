// Where the tests' reference data sits: test/fixtures/ in the repository (README.md there says where each family
// comes from). Nothing in the repository reads anything beside it.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..');
export const FIXTURES = join(REPO, 'test', 'fixtures');

/** Every fixture file of one family, e.g. `keras-recorded`. */
export function fixtureFiles(family: string): string[] {
  const dir = join(FIXTURES, family);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'index.json')
    .sort()
    .map((f) => join(dir, f));
}
