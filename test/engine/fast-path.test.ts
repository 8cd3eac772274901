// The WebAssembly SIMD products against the plain TypeScript reference and against Keras: float64 bit for bit,
// float32 within 1e-6 of the reference and 1e-5 of every Keras fixture; batching, blocks, masks and go_backwards.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { test } from 'node:test';
import { compareTensors } from '../../src/compare/compare';
import { runModel, type RunResult } from '../../src/engine';
import { makeCell } from '../../src/engine/cells';
import { GATE_COUNT, type CellKind, type RecurrentLayer } from '../../src/engine/model';
import { runRecurrent, setFastPath, setGateKernels, type RecurrentResult } from '../../src/engine/recurrent';
import { allocate, type FloatArray, type Precision } from '../../src/engine/tensor';
import { wasmAvailable } from '../../src/engine/wasm/kernels';
import { loadModelFile } from '../../src/formats/node-files';
import { fixtureFiles } from '../fixtures-path';
import { rng } from '../random';


interface LayerOpts {
  resetAfter?: boolean;
  goBackwards?: boolean;
  useBias?: boolean;
  seed?: number;
  activation?: string;
  recurrentActivation?: string;
}

function layerOf(cell: CellKind, features: number, units: number, opts: LayerOpts = {}): RecurrentLayer {
  const next = rng(opts.seed ?? 7);
  const width = GATE_COUNT[cell] * units;
  const rand = (shape: number[], scale: number) => {
    const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = next() * scale;
    return { shape, data };
  };
  const resetAfter = opts.resetAfter ?? false;
  return {
    kind: 'recurrent',
    name: cell,
    cell,
    config: {
      units,
      activation: opts.activation ?? 'tanh',
      recurrentActivation: opts.recurrentActivation ?? 'sigmoid',
      useBias: opts.useBias ?? true,
      returnSequences: true,
      returnState: false,
      goBackwards: opts.goBackwards ?? false,
      stateful: false,
      resetAfter,
    },
    weights: {
      kernel: rand([features, width], 1 / Math.sqrt(features)),
      recurrentKernel: rand([units, width], 1.5 / Math.sqrt(units)),
      bias: (opts.useBias ?? true) ? rand(cell === 'gru' && resetAfter ? [2, width] : [width], 0.3) : null,
    },
  };
}

function run(
  layer: RecurrentLayer,
  x: FloatArray,
  batch: number,
  steps: number,
  mask: Uint8Array | null,
  precision: Precision,
  fastPath: boolean,
  projectionBlock?: number,
  more: { initialStates?: FloatArray[]; hardSigmoid?: 'keras2' | 'keras3'; record?: boolean; stageValues?: number } = {},
): RecurrentResult {
  return runRecurrent(
    layer,
    { data: x, batch, steps, mask },
    {
      ctx: { precision, hardSigmoid: more.hardSigmoid ?? 'keras3', fastPath },
      record: more.record ?? true,
      initialStates: more.initialStates ?? null,
      layerIndex: 0,
      layerName: layer.name,
      direction: 'forward',
      zeroOutputForMask: false,
      ...(projectionBlock ? { projectionBlock } : {}),
      ...(more.stageValues ? { stageValues: more.stageValues } : {}),
    },
  );
}

/** Largest |a − b| over every recorded quantity, the sequence and the states (NaN = NaN counts as equal). */
function maxDiff(a: RecurrentResult, b: RecurrentResult): number {
  let worst = 0;
  const pairs: [FloatArray, FloatArray][] = [[a.sequence, b.sequence], ...a.states.map((s, i) => [s, b.states[i]!] as [FloatArray, FloatArray])];
  if (a.trace) a.trace.values.forEach((v, q) => pairs.push([v, b.trace!.values[q]!]));
  for (const [x, y] of pairs) {
    assert.equal(x.length, y.length);
    for (let i = 0; i < x.length; i++) {
      if (Number.isNaN(x[i]) && Number.isNaN(y[i])) continue;
      const d = Math.abs(x[i]! - y[i]!);
      worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
    }
  }
  return worst;
}

test('the generated WebAssembly module is up to date with scripts/build-wasm.mjs and loads', () => {
  const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(wasmAvailable(), 'WebAssembly SIMD kernels should load on Node ≥ 20');
});

test('the cells\' float32/float64 twins are up to date with their one source (scripts/build-twins.mjs)', () => {
  const r = spawnSync(process.execPath, ['scripts/build-twins.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

const CASES: { name: string; cell: CellKind; resetAfter?: boolean; goBackwards?: boolean; useBias?: boolean; batch: number; steps: number; features: number; units: number }[] = [
  { name: 'LSTM, batch 1', cell: 'lstm', batch: 1, steps: 37, features: 5, units: 16 },
  { name: 'LSTM, batch 9 (4-row blocks + tail), odd units', cell: 'lstm', batch: 9, steps: 13, features: 3, units: 7 },
  { name: 'LSTM go_backwards, no bias', cell: 'lstm', goBackwards: true, useBias: false, batch: 6, steps: 11, features: 4, units: 9 },
  { name: 'GRU reset_after', cell: 'gru', resetAfter: true, batch: 5, steps: 17, features: 6, units: 11 },
  { name: 'GRU reset_after=false (candidate product mid-step)', cell: 'gru', batch: 7, steps: 12, features: 2, units: 13 },
  { name: 'SimpleRNN go_backwards', cell: 'simple_rnn', goBackwards: true, batch: 4, steps: 21, features: 3, units: 5 },
  { name: 'SimpleRNN, one unit, one feature', cell: 'simple_rnn', batch: 3, steps: 8, features: 1, units: 1 },
];

for (const c of CASES) {
  test(`fast path = reference: ${c.name} (trace, states, masks, projection blocks, staged runs)`, () => {
    assert.ok(wasmAvailable());
    const layer = layerOf(c.cell, c.features, c.units, c);
    const next = rng(99);
    const mask = new Uint8Array(c.batch * c.steps).map((_, i) => (i % c.steps === 0 || next() > -0.6 ? 1 : 0));
    for (const precision of ['float64', 'float32'] as const) {
      const x = allocate(c.batch * c.steps * c.features, precision).map(() => next() * 2);
      for (const m of [null, mask]) {
        const ref = run(layer, x, c.batch, c.steps, m, precision, false);
        // Whole sequence in one block, then blocks of a few steps (the last one short).
        for (const block of [undefined, 3 * c.batch * GATE_COUNT[c.cell] * c.units]) {
          const refBlocked = run(layer, x, c.batch, c.steps, m, precision, false, block);
          assert.equal(maxDiff(ref, refBlocked), 0, 'blocking must not change the reference');
          const fast = run(layer, x, c.batch, c.steps, m, precision, true, block);
          const d = maxDiff(ref, fast);
          if (precision === 'float64') assert.equal(d, 0, `float64 must be bit for bit (max |Δ| ${d})`);
          else assert.ok(d <= 1e-6, `float32: max |Δ| ${d} > 1e-6`);
        }
        // The gate kernels' staged runs of a few steps within a block (what long sequences get), with and without a
        // trace: one step per run, then several (the last run short).
        for (const stageValues of [1, 30 * c.batch * c.units]) {
          for (const record of [true, false]) {
            const want = record ? ref : run(layer, x, c.batch, c.steps, m, precision, false, undefined, { record });
            const d = maxDiff(want, run(layer, x, c.batch, c.steps, m, precision, true, undefined, { record, stageValues }));
            if (precision === 'float64') assert.equal(d, 0, `float64 must be bit for bit (max |Δ| ${d})`);
            else assert.ok(d <= 1e-6, `float32, staged runs of ${stageValues} values: max |Δ| ${d} > 1e-6`);
          }
        }
      }
    }
  });
}

test('the batched reference equals stepping each batch item on its own (the per-item path custom cells take)', () => {
  for (const c of CASES) {
    const layer = layerOf(c.cell, c.features, c.units, c);
    for (const precision of ['float64', 'float32'] as const) {
      const next = rng(5);
      const x = allocate(c.batch * c.steps * c.features, precision).map(() => next());
      const batched = run(layer, x, c.batch, c.steps, null, precision, false);
      const cell = makeCell(layer, { precision, hardSigmoid: 'keras3' });
      const u = c.units;
      const states = cell.stateNames.map(() => allocate(c.batch * u, precision));
      const out = cell.quantities.map(() => allocate(u, precision));
      for (let b = 0; b < c.batch; b++) {
        for (let s = 0; s < c.steps; s++) {
          const t = c.goBackwards ? c.steps - 1 - s : s;
          cell.step(x, (b * c.steps + t) * c.features, states, b * u, out, 0);
          const h = out[cell.outputQuantity]!;
          for (let j = 0; j < u; j++) assert.equal(batched.sequence[(b * c.steps + s) * u + j], h[j], `${c.name} ${precision} b${b} s${s}`);
        }
      }
    }
  }
});

test('every Keras fixture: fast path within 1e-5 of Keras and 1e-6 of the reference (float64: identical)', async (t) => {
  const files = [...fixtureFiles('keras-recorded'), ...fixtureFiles('keras3-generated')];
  assert.ok(files.length >= 70, `expected the 74 shared fixtures, found ${files.length}`);
  let worstRef = 0;
  let worstKeras = 0;
  try {
    for (const file of files) {
      const { model, input, expectedOutput, predictCalls } = await loadModelFile(file);
      for (const precision of ['float64', 'float32'] as const) {
        const go = (fast: boolean): RunResult => {
          setFastPath(fast);
          return runModel(model, input!, { precision, predictCalls });
        };
        const fast = go(true);
        const ref = go(false);
        const k = compareTensors(fast.output, expectedOutput!, { atol: 1e-5, rtol: 0 });
        assert.ok(k.pass, `${basename(file)} (${precision}): max |Δ| to Keras ${k.maxAbs}`);
        const r = compareTensors(fast.output, ref.output, { atol: precision === 'float64' ? 0 : 1e-6, rtol: 0 });
        assert.ok(r.pass, `${basename(file)} (${precision}): max |Δ| to the reference ${r.maxAbs}`);
        worstKeras = Math.max(worstKeras, k.maxAbs);
        if (precision === 'float32') worstRef = Math.max(worstRef, r.maxAbs);
      }
    }
  } finally {
    setFastPath(true);
  }
  t.diagnostic(`${files.length} fixtures: fast path max |Δ| to Keras ${worstKeras.toExponential(2)}, float32 to reference ${worstRef.toExponential(2)}`);
});

// The float32 gate kernels (src/engine/wasm/gates.ts) against the TypeScript step, on the WebAssembly products and on
// the reference: every cell kind, both GRU variants, every activation the kernels have, units not a multiple of 4,
// go_backwards, masks, stateful runs (the second call starts from the first call's final states), trace on and off.
const GATE_CASES: (LayerOpts & { cell: CellKind; units: number; hardSigmoid?: 'keras2' | 'keras3' })[] = [
  { cell: 'lstm', units: 4 },
  { cell: 'lstm', units: 13, goBackwards: true, activation: 'relu', recurrentActivation: 'hard_sigmoid' },
  { cell: 'lstm', units: 6, useBias: false, activation: 'linear', recurrentActivation: 'hard_sigmoid', hardSigmoid: 'keras2' },
  { cell: 'gru', units: 11, resetAfter: true },
  { cell: 'gru', units: 9, resetAfter: true, useBias: false, goBackwards: true, recurrentActivation: 'hard_sigmoid' },
  { cell: 'gru', units: 13, resetAfter: false },
  { cell: 'gru', units: 5, resetAfter: false, goBackwards: true, activation: 'relu', useBias: false },
  { cell: 'simple_rnn', units: 7 },
  { cell: 'simple_rnn', units: 8, goBackwards: true, activation: 'relu', useBias: false },
  { cell: 'simple_rnn', units: 4, activation: 'sigmoid' },
];

for (const c of GATE_CASES) {
  const name = `${c.cell}${c.cell === 'gru' ? ` reset_after=${c.resetAfter}` : ''} u${c.units} ${c.activation ?? 'tanh'}/${c.recurrentActivation ?? 'sigmoid'}${c.goBackwards ? ' go_backwards' : ''}${c.useBias === false ? ' no bias' : ''}`;
  test(`float32 gate kernels = TypeScript step: ${name} (masks, stateful, trace on/off)`, () => {
    const batch = 5;
    const steps = 9;
    const features = 3;
    const layer = layerOf(c.cell, features, c.units, { ...c, seed: c.units });
    const next = rng(c.units * 31);
    const x = allocate(batch * steps * features, 'float32').map(() => next() * 2);
    const x2 = allocate(batch * steps * features, 'float32').map(() => next() * 2);
    const mask = new Uint8Array(batch * steps).map((_, i) => (i % steps === 0 || next() > -0.5 ? 1 : 0));
    let worst = 0;
    try {
      for (const m of [null, mask]) {
        for (const record of [true, false]) {
          const go = (fast: boolean, gates: boolean): RecurrentResult[] => {
            setGateKernels(gates);
            const more = { hardSigmoid: c.hardSigmoid ?? 'keras3', record };
            const first = run(layer, x, batch, steps, m, 'float32', fast, undefined, more);
            // Stateful: the next call starts from the final states.
            const second = run(layer, x2, batch, steps, m, 'float32', fast, undefined, { ...more, initialStates: first.states });
            return [first, second];
          };
          const withGates = go(true, true);
          const tsStep = go(true, false);
          const reference = go(false, false);
          for (let i = 0; i < 2; i++) {
            const d = maxDiff(withGates[i]!, tsStep[i]!);
            worst = Math.max(worst, d);
            assert.ok(d <= 1e-6, `gate kernels vs TypeScript step (same products): max |Δ| ${d}`);
            const r = maxDiff(withGates[i]!, reference[i]!);
            assert.ok(r <= 1e-6, `fast path vs reference: max |Δ| ${r}`);
          }
        }
      }
    } finally {
      setGateKernels(true);
    }
    assert.equal(worst, 0, 'same products: the gate kernels should reproduce the TypeScript step bit for bit here');
  });
}
