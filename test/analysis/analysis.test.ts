/**
 * src/analysis: spectral radii against numpy on real weights (the examples and a recorded GRU fixture); gate
 * saturation and dead units on a synthetic trace whose answer is known by construction; histograms.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blockImage, histogram, layerSaturation, spectralRadii, spectralRadius } from '../../src/analysis/index';
import type { LayerTrace } from '../../src/engine/trace';
import type { Model, RecurrentLayer } from '../../src/engine/model';
import { loadModelBytes } from '../../src/formats/index';
// @ts-expect-error plain ES module without types
import { ensurePythonEnv } from '../../scripts/python-env.mjs';
import { FIXTURES, REPO } from '../fixtures-path';

async function load(path: string): Promise<Model> {
  return (await loadModelBytes(readFileSync(path), path.split('/').pop()!)).model;
}

function recurrentLayers(m: Model): RecurrentLayer[] {
  return m.layers.flatMap((l) => (l.kind === 'recurrent' ? [l] : l.kind === 'bidirectional' ? [l.forward, l.backward] : []));
}

/** numpy's max |eig| of every gate block of every recurrent layer. */
function numpyRadii(m: Model): number[] {
  const blocks = recurrentLayers(m).map((l) => ({ n: l.config.units, cols: l.weights.recurrentKernel.shape[1], data: Array.from(l.weights.recurrentKernel.data) }));
  const script = `
import json, sys, numpy as np
out = []
for b in json.load(sys.stdin):
    K = np.array(b['data'], dtype=np.float64).reshape(b['n'], b['cols'])
    for g in range(b['cols'] // b['n']):
        out.append(float(np.max(np.abs(np.linalg.eigvals(K[:, g*b['n']:(g+1)*b['n']])))))
print(json.dumps(out))`;
  const r = spawnSync(ensurePythonEnv(), ['-c', script], { input: JSON.stringify(blocks), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as number[];
}

describe('spectral radius', () => {
  test('known matrices: rotation (complex pair), diagonal, nilpotent, NaN', () => {
    const c = Math.cos(0.3) * 1.5;
    const s = Math.sin(0.3) * 1.5;
    assert.ok(Math.abs(spectralRadius([[c, -s], [s, c]]) - 1.5) < 1e-12);
    assert.ok(Math.abs(spectralRadius([[0.2, 0, 0], [0, -0.7, 0], [0, 0, 0.5]]) - 0.7) < 1e-12);
    assert.ok(spectralRadius([[0, 1], [0, 0]]) < 1e-12);
    assert.ok(Number.isNaN(spectralRadius([[NaN, 0], [0, 1]])));
  });

  const files = [
    join(REPO, 'examples/sine-lstm/model.cellscope.json'),
    join(REPO, 'examples/char-rnn/model.cellscope.json'),
    join(FIXTURES, 'keras-recorded/kerasjs-GRU-0.json'),
  ].filter((f) => existsSync(f));

  for (const f of files) {
    test(`matches numpy.linalg.eigvals on every gate block: ${f.split('/').slice(-2).join('/')}`, async () => {
      const m = await load(f);
      const ours = spectralRadii(m);
      const ref = numpyRadii(m);
      assert.equal(ours.length, ref.length);
      assert.ok(ours.length > 0);
      ours.forEach((r, k) => assert.ok(Math.abs(r.radius - ref[k]!) <= 1e-9 * Math.max(1, ref[k]!), `${r.layer} ${r.gate}: ${r.radius} vs numpy ${ref[k]}`));
    });
  }

  test('sine-lstm: one radius per LSTM gate, named i f c o', async () => {
    const r = spectralRadii(await load(join(REPO, 'examples/sine-lstm/model.cellscope.json')));
    assert.deepEqual(r.map((x) => x.gate).slice(0, 4), ['i', 'f', 'c', 'o']);
  });
});

/** A 1-batch trace of an LSTM-like layer with gates i, f and state h, built so every share is known. */
function syntheticTrace(): LayerTrace {
  const steps = 10;
  const units = 4;
  const i = new Float64Array(steps * units);
  const f = new Float64Array(steps * units);
  const h = new Float64Array(steps * units);
  for (let s = 0; s < steps; s++) {
    // unit 0: i < 0.1 on the first 3 steps, > 0.9 on the last 2, in between otherwise
    i[s * units + 0] = s < 3 ? 0.05 : s >= 8 ? 0.95 : 0.5;
    // unit 1: i always 0.99 (stuck open); unit 2: i always 0.01 (stuck closed); unit 3: alternates
    i[s * units + 1] = 0.99;
    i[s * units + 2] = 0.01;
    i[s * units + 3] = s % 2 ? 0.92 : 0.08;
    for (let j = 0; j < units; j++) f[s * units + j] = 0.5;
    h[s * units + 0] = 0.3;
    h[s * units + 1] = 0.2;
    h[s * units + 2] = 0.1;
    h[s * units + 3] = 1e-4 * (s % 3); // never active
  }
  const q = (key: string, role: 'gate' | 'state') => ({ key, label: key, role, description: key });
  const order = Int32Array.from({ length: steps }, (_, s) => s);
  return {
    layerIndex: 0, layerName: 'syn', direction: 'forward', cell: 'lstm', batch: 1, steps, units,
    quantities: [q('i', 'gate'), q('f', 'gate'), q('h', 'state')],
    values: [i, f, h], inputTimeOfStep: order, stepOfInputTime: order, masked: null,
  };
}

describe('saturation and dead units', () => {
  test('shares per unit and gate are the constructed ones', () => {
    const s = layerSaturation(syntheticTrace());
    assert.equal(s.counted, 10);
    assert.deepEqual(s.gates.map((g) => g.key), ['i', 'f']);
    const [gi, gf] = s.gates;
    assert.deepEqual(Array.from(gi!.left), [0.3, 0, 1, 0.5]);
    assert.deepEqual(Array.from(gi!.right), [0.2, 1, 0, 0.5]);
    assert.deepEqual(Array.from(gf!.left), [0, 0, 0, 0]);
    assert.deepEqual(Array.from(gf!.right), [0, 0, 0, 0]);
  });

  test('dead units: stuck-open, stuck-closed and never-active units, not the others', () => {
    const s = layerSaturation(syntheticTrace());
    assert.deepEqual(s.dead.map((d) => d.unit), [1, 2, 3]);
    assert.match(s.dead[0]!.reason, /stuck open/);
    assert.match(s.dead[1]!.reason, /stuck closed/);
    assert.match(s.dead[2]!.reason, /never active/);
  });

  test('a gate stuck open in a unit whose h still changes is listed as stuck, not dead (the hand-built counter)', async () => {
    // examples/hand-built/count-lstm: ±inf biases pin i, f and o open; c counts 1 … 5 (the seed's printed numbers).
    const { runModel } = await import('../../src/engine/index');
    const loaded = await loadModelBytes(readFileSync(join(REPO, 'examples', 'hand-built', 'count-lstm.json')), 'count-lstm.json');
    const run = runModel(loaded.model, loaded.input!, { record: true });
    assert.deepEqual(Array.from(run.output.data), Array.from(loaded.expectedOutput!.data));
    const s = layerSaturation(run.trace!.layers[0]!);
    assert.deepEqual(s.dead, []);
    assert.deepEqual(s.stuck.map((d) => d.unit), [0]);
    assert.match(s.stuck[0]!.reason, /gate i stuck open.*gate f stuck open.*gate o stuck open.*h still changes \(1 to 5\)/);
    // The same gates with an h that never moves: dead.
    const lt = run.trace!.layers[0]!;
    const hq = lt.quantities.findIndex((q) => q.key === 'h');
    const still = { ...lt, values: lt.values.map((v, q) => (q === hq ? v.map(() => 0.7) : v)) };
    assert.deepEqual(layerSaturation(still).dead.map((d) => d.unit), [0]);
    assert.deepEqual(layerSaturation(still).stuck, []);
  });

  test('masked steps are left out', () => {
    const t = syntheticTrace();
    t.masked = Uint8Array.from({ length: 10 }, (_, s) => (s < 5 ? 1 : 0));
    const s = layerSaturation(t);
    assert.equal(s.counted, 5);
    // unit 0, steps 5..9: 0.5, 0.5, 0.5, 0.95, 0.95
    assert.equal(s.gates[0]!.left[0], 0);
    assert.equal(s.gates[0]!.right[0], 0.4);
  });
});

describe('histograms and block images', () => {
  test('histogram of a column block counts every finite value once', () => {
    // [3, 4] row-major; columns 2..3 hold 0..5
    const data = Float64Array.from([9, 9, 0, 1, 9, 9, 2, 3, 9, 9, 4, NaN]);
    const hst = histogram(data, 4, 2, 4, 5);
    assert.equal(hst.lo, 0);
    assert.equal(hst.hi, 4);
    assert.deepEqual(Array.from(hst.counts), [1, 1, 1, 1, 1]);
  });

  test('block image averages down to the cap', () => {
    const data = Float64Array.from({ length: 4 * 4 }, (_, k) => k);
    const im = blockImage(data, 4, 0, 4, 2);
    assert.deepEqual([im.rows, im.cols], [2, 2]);
    assert.deepEqual(Array.from(im.values), [(0 + 1 + 4 + 5) / 4, (2 + 3 + 6 + 7) / 4, (8 + 9 + 12 + 13) / 4, (10 + 11 + 14 + 15) / 4]);
  });
});
