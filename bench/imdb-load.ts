/**
 * Loading a real-sized model: keras.io's "Bidirectional LSTM on IMDB" (Embedding(20000, 128, mask_zero) →
 * Bidirectional(LSTM(64, return_sequences)) → Bidirectional(LSTM(64)) → Dense(1), 2.7 M parameters), written by the
 * venv's real Keras as .keras, .h5 and export JSON into a temporary folder (33–60 MB files: never committed). Each
 * file is timed from bytes in memory to a checked Model (issue 12: ≤ 0.5 s). Without the venv the rows are skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelBytes } from '../src/formats/index';
// @ts-expect-error: a plain .mjs script without types
import { kerasEnv, pythonPathIfReady } from '../scripts/python-env.mjs';
import type { Timing } from './timing';

type Timer = (fn: () => unknown | Promise<unknown>, budgetMs?: number) => Promise<Timing>;
export type LoadRow = (workload: string, engine: string, t: Timing, targetMs: number, note: string) => void;

const SCRIPT = `
import json, os, sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import keras
from keras import layers as L
d = sys.argv[1]
sys.path.insert(0, sys.argv[2])
import cellscope_export
keras.utils.set_random_seed(1)
m = keras.Sequential([keras.Input(shape=(None,), dtype="int32"), L.Embedding(20000, 128, mask_zero=True),
                      L.Bidirectional(L.LSTM(64, return_sequences=True)), L.Bidirectional(L.LSTM(64)), L.Dense(1, activation="sigmoid")])
m.save(d + "/imdb.keras"); m.save(d + "/imdb.h5")
cellscope_export.export(m, d + "/imdb.cellscope.json")
print(m.count_params())
`;

export const IMDB_TARGET_MS = 500;

export async function imdbLoadRows(time: Timer, row: LoadRow): Promise<void> {
  const python = pythonPathIfReady() as string | null;
  if (!python) {
    console.error('  the Python venv is not ready (node scripts/python-env.mjs): no IMDB load rows');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cellscope-bench-imdb-'));
  try {
    const r = spawnSync(python, ['-c', SCRIPT, dir, join(__dirname, '..', 'python')], { encoding: 'utf8', env: kerasEnv() });
    if (r.status !== 0) {
      console.error(`  IMDB model failed: ${r.stderr.slice(-400)}`);
      return;
    }
    const params = Number(r.stdout.trim().split('\n').pop());
    for (const file of ['imdb.cellscope.json', 'imdb.keras', 'imdb.h5']) {
      const bytes = new Uint8Array(readFileSync(join(dir, file)));
      const t = await time(() => loadModelBytes(bytes, file), 3000);
      row(`IMDB BiLSTM ${(params / 1e6).toFixed(2)} M params`, `load ${file.replace('imdb', '')}`, t, IMDB_TARGET_MS, `${(bytes.length / 1024 ** 2).toFixed(1)} MB ${file} from memory to a checked model`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
