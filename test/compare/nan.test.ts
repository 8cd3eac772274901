// A NaN on one side of a comparison is reported as NaN, with where it is, not as the ∞ distance it is ranked by
// (issue 18: `compare` said "Infinity" for a NaN output). Through the CLI on a real fixture with one output made NaN.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareTensors, summarizeComparison } from '../../src/compare/compare';
import { FIXTURES, REPO } from '../fixtures-path';

test('compareTensors counts one-sided NaNs and the summary says NaN and where', () => {
  const expected = { shape: [1, 2, 2], data: Float64Array.from([1, 2, 3, 4]) };
  const actual = { shape: [1, 2, 2], data: Float64Array.from([1, NaN, 3, 4.5]) };
  const c = compareTensors(actual, expected);
  assert.equal(c.pass, false);
  assert.equal(c.nanCount, 1);
  assert.equal(c.firstNaNAt?.text, 'batch 0, step 0, unit 1');
  assert.equal(c.mismatches, 2);
  assert.match(summarizeComparison(c), /^max \|Δ\| = NaN \(1 NaN value on one side, the first at batch 0, step 0, unit 1\) over 4 values — 2 differ/);
  assert.doesNotMatch(summarizeComparison(c), /Infinity/);
  const clean = compareTensors(expected, expected);
  assert.equal(clean.nanCount, 0);
  assert.match(summarizeComparison(clean), /^max \|Δ\| = 0\.00e\+0, max rel/);
});

test('cellscope compare against a recording with a NaN prints NaN, exits 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellscope-nan-'));
  try {
    const fixture = JSON.parse(readFileSync(join(FIXTURES, 'keras3-generated', 'keras3-seed-1.json'), 'utf8'));
    const out = fixture.expected_output;
    const data = [...out.data];
    data[3] = 'NaN';
    const expected = join(dir, 'expected.json');
    writeFileSync(expected, JSON.stringify({ shape: out.shape, data }).replace('"NaN"', 'NaN'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), 'compare', join(FIXTURES, 'keras3-generated', 'keras3-seed-1.json'), '--expected', expected], { encoding: 'utf8', cwd: REPO });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /max \|Δ\| = NaN \(1 NaN value on one side/);
    assert.match(r.stdout, /max abs error NaN at /);
    assert.doesNotMatch(r.stdout, /Infinity/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
