// Structural fuzzing (issue 18): generated hostile structures through the real loaders, each case watched by a
// resource monitor — wall time and the process's RSS — and required to end in a LoadError or a model within
// CASE_MS and under MAX_RSS_MB. 200 cases per reader by default; CELLSCOPE_PROPERTY_RUNS=10000 for the full run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { unzipSync } from 'fflate';
import { loadModelBytes, loadModelText } from '../../src/formats/index';
import { loadArrayFile, loadModelFile } from '../../src/formats/node-files';
import { PYTHON } from '../hardening/attacks';
import { checkProperty, guardedLoad, newTally, saveTally, tallyText, type Tally } from './harness';
import { buildCell, buildZip, cellShapeArb, h5MutationArb, mutateH5, specialKindArb, zipShapeArb, type SpecialKind } from './structures';

/** Per case: the acceptance (a clean refusal in under 2 s and 1 GB); CELLSCOPE_STRUCTURE_MS for slow machines. */
const CASE_MS = Number(process.env.CELLSCOPE_STRUCTURE_MS) || 2000;
const MAX_RSS_MB = 1024;
const dir = mkdtempSync(join(tmpdir(), 'cellscope-structures-'));
let seeds: { h5: Uint8Array; keras: Uint8Array } | undefined;

before(() => {
  const r = spawnSync(PYTHON, [join(__dirname, '..', 'hardening', 'make_h5_attacks.py'), dir, 'seed-chunked.h5', 'seed.keras'], { encoding: 'utf8' });
  if (r.status === 0) seeds = { h5: readFileSync(join(dir, 'seed-chunked.h5')), keras: readFileSync(join(dir, 'seed.keras')) };
  else if (process.env.CI) assert.fail(`make_h5_attacks.py failed: ${r.stderr}`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Monitor {
  slowestMs: number;
  maxRssMb: number;
}

/** guardedLoad (LoadError or a value, under the hang watchdog) plus this file's time and memory budget per case. */
async function monitored<T>(tally: Tally, mon: Monitor, desc: string, load: () => T | Promise<T>): Promise<T | undefined> {
  const t0 = performance.now();
  const value = await guardedLoad(tally, desc, load);
  const ms = performance.now() - t0;
  const rss = process.memoryUsage.rss() / 1024 ** 2;
  mon.slowestMs = Math.max(mon.slowestMs, ms);
  mon.maxRssMb = Math.max(mon.maxRssMb, rss);
  assert.ok(ms < CASE_MS, `${desc}: ${ms.toFixed(0)} ms, over ${CASE_MS} ms`);
  assert.ok(rss < MAX_RSS_MB, `${desc}: RSS ${rss.toFixed(0)} MB, over ${MAX_RSS_MB} MB`);
  return value;
}

function report(tally: Tally, mon: Monitor): void {
  saveTally(tally);
  process.stderr.write(`# ${tallyText(tally)}; slowest case ${mon.slowestMs.toFixed(0)} ms, peak RSS ${mon.maxRssMb.toFixed(0)} MB\n`);
}

test('HDF5: B-trees rewired into cycles and DAGs, entry counts, chunk keys, zlib bombs, symbol entries at parents', async (t) => {
  if (!seeds) return t.skip('no Python venv');
  const tally = newTally('structures: hdf5');
  const mon: Monitor = { slowestMs: 0, maxRssMb: 0 };
  await checkProperty(
    fc.asyncProperty(fc.array(h5MutationArb, { minLength: 1, maxLength: 4 }), async (ms) => {
      const { bytes, desc } = mutateH5(seeds!.h5, ms);
      await monitored(tally, mon, desc, () => loadModelBytes(bytes, 'seed.h5'));
    }),
  );
  report(tally, mon);
});

test('zips: nested archives, repeated members, members of every kind', async (t) => {
  if (!seeds) return t.skip('no Python venv');
  const members = unzipSync(seeds.keras);
  const tally = newTally('structures: zip');
  const mon: Monitor = { slowestMs: 0, maxRssMb: 0 };
  await checkProperty(
    fc.asyncProperty(zipShapeArb, async (shape) => {
      const { bytes, desc } = buildZip(members, shape);
      await monitored(tally, mon, desc, () => loadModelBytes(bytes, 'model.keras'));
    }),
  );
  report(tally, mon);
});

test('custom cells: huge derived sizes, deep expressions, built-in names', async () => {
  const tally = newTally('structures: custom cells');
  const mon: Monitor = { slowestMs: 0, maxRssMb: 0 };
  await checkProperty(
    fc.asyncProperty(cellShapeArb, async (shape) => {
      const { text, desc } = buildCell(shape);
      await monitored(tally, mon, desc, () => loadModelText(text, 'cell.json'));
    }),
  );
  report(tally, mon);
});

/** A special file at `path` (a fresh name per case). */
function makeSpecial(kind: SpecialKind, path: string): void {
  if (kind === 'fifo') spawnSync('mkfifo', [path]);
  else if (kind === 'directory') mkdirSync(path);
  else if (kind === 'dev-zero') symlinkSync('/dev/zero', path);
  else if (kind === 'dev-null') symlinkSync('/dev/null', path);
  else if (kind === 'link-loop') {
    symlinkSync(`${path}.b`, path);
    symlinkSync(path, `${path}.b`);
  } else if (kind === 'dangling') symlinkSync(`${path}.missing`, path);
  else if (kind === 'link-to-dir') symlinkSync(dir, path);
  else writeFileSync(path, '');
}

test('special files as a model or an input: refused by name, never read', { skip: process.platform === 'win32' }, async () => {
  const tally = newTally('structures: special files');
  const mon: Monitor = { slowestMs: 0, maxRssMb: 0 };
  const files = mkdtempSync(join(dir, 'special-'));
  let n = 0;
  await checkProperty(
    fc.asyncProperty(specialKindArb, fc.boolean(), async (kind, asInput) => {
      const path = join(files, `f${n++}.json`);
      makeSpecial(kind, path);
      // A file system refusal (ELOOP, ENOENT) is the OS's answer about the path; the CLI reports it as exit 2.
      await monitored(tally, mon, `${kind} as ${asInput ? 'input' : 'model'}`, async () => {
        try {
          return await (asInput ? loadArrayFile(path) : loadModelFile(path));
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ELOOP' || code === 'ENOENT') return undefined;
          throw e;
        }
      });
    }),
  );
  report(tally, mon);
});
