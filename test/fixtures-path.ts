// Where the team's shared reference material sits: ../shared beside the repository (CI clones it there too).
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED = resolve(__dirname, '../../shared');
export const FIXTURES = join(SHARED, 'fixtures');
export const SEEDS = join(SHARED, 'seeds');
export const REPO = resolve(__dirname, '..');

/** Every fixture file of one family, e.g. `keras-recorded`. */
export function fixtureFiles(family: string): string[] {
  const dir = join(FIXTURES, family);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'index.json')
    .sort()
    .map((f) => join(dir, f));
}
