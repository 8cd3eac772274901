/**
 * Shared machinery of the loader properties: how many runs, the time limit on each load (a watchdog thread that
 * reports the input and kills the process when a load never returns), and the oracle every generated input must
 * satisfy: a LoadError that names the file and a place in it, or a model whose weights have the shapes its layers
 * declare and that runs without NaN when its weights are finite (NaN/Inf weights must show in weight-stats).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { runModel, GATE_COUNT, type Layer, type Model, type RecurrentLayer, type Tensor } from '../../src/engine/index';
import { weightStats } from '../../src/engine/weight-stats';
import { LoadError } from '../../src/formats/load-error';

/** Runs per loader property: 200 by default, CELLSCOPE_PROPERTY_RUNS for the long run. */
export const RUNS = Math.max(1, Number(process.env.CELLSCOPE_PROPERTY_RUNS) || 200);
/** A load slower than this is a hang: the input is printed and the process killed. */
export const LOAD_TIME_LIMIT_MS = Math.max(1000, Number(process.env.CELLSCOPE_PROPERTY_TIMEOUT_MS) || 15_000);
/** fast-check's seed, to replay a reported failure (CELLSCOPE_PROPERTY_SEED). */
export const SEED = process.env.CELLSCOPE_PROPERTY_SEED ? Number(process.env.CELLSCOPE_PROPERTY_SEED) : undefined;

export function fcOptions(runs = RUNS): { numRuns: number; seed?: number } {
  return { numRuns: runs, ...(SEED !== undefined ? { seed: SEED } : {}) };
}

/** fc.assert, with the failing input's own error message in the report (node's reporter drops `cause`). */
export async function checkProperty(property: fc.IAsyncProperty<any> | fc.IProperty<any>, runs = RUNS): Promise<void> {
  const details = await fc.check(property as fc.IAsyncProperty<any>, fcOptions(runs));
  if (!details.failed) return;
  const inner = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  assert.fail(`${inner}\n\n${fc.defaultReportMessage(details) ?? ''}`);
}

// ---- watchdog -------------------------------------------------------------------------------------------------

const state = new Float64Array(new SharedArrayBuffer(16)); // [0]: start time of the running load (0: idle)
const descBytes = new Uint8Array(new SharedArrayBuffer(8192));
const descLen = new Int32Array(new SharedArrayBuffer(4));
let watchdog: Worker | undefined;

function startWatchdog(): void {
  if (watchdog) return;
  watchdog = new Worker(
    `const { workerData } = require('node:worker_threads');
     const fs = require('node:fs');
     const { state, descBytes, descLen, limit } = workerData;
     setInterval(() => {
       const start = state[0];
       if (start && Date.now() - start > limit) {
         const desc = Buffer.from(descBytes.subarray(0, Atomics.load(descLen, 0))).toString('utf8');
         fs.writeSync(2, '\\nHANG: a load took more than ' + limit + ' ms; input: ' + desc + '\\n');
         process.kill(process.pid, 'SIGKILL');
       }
     }, 200);`,
    { eval: true, workerData: { state, descBytes, descLen, limit: LOAD_TIME_LIMIT_MS } },
  );
  watchdog.unref();
}

function describeForWatchdog(desc: string): void {
  const bytes = new TextEncoder().encode(desc.slice(0, 2000));
  const n = Math.min(bytes.length, descBytes.length);
  descBytes.set(bytes.subarray(0, n));
  Atomics.store(descLen, 0, n);
}

// ---- outcomes -------------------------------------------------------------------------------------------------

export interface Tally {
  loader: string;
  runs: number;
  loadError: number;
  /** LoadErrors whose path is empty (the file as a whole: unreadable archive, syntax error with line:column). */
  fileLevel: number;
  loaded: number;
  /** Loaded models the engine ran on a small input. */
  ran: number;
  /** Loaded with NaN/Inf weights (flagged by weight-stats). */
  nonFiniteWeights: number;
  /** Loaded models not run (free dims, or too big to step through quickly). */
  notRun: number;
  slowestMs: number;
  /** The input of the slowest load. */
  slowestInput: string;
}

export function newTally(loader: string): Tally {
  return { loader, runs: 0, loadError: 0, fileLevel: 0, loaded: 0, ran: 0, nonFiniteWeights: 0, notRun: 0, slowestMs: 0, slowestInput: '' };
}

/** Writes the tally where CELLSCOPE_PROPERTY_REPORT points (a folder), for RESULTS.md. */
export function saveTally(t: Tally): void {
  const dir = process.env.CELLSCOPE_PROPERTY_REPORT;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${t.loader.replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '')}.json`), JSON.stringify({ ...t, runsSetting: RUNS }, null, 2));
}

export function tallyText(t: Tally): string {
  return `${t.loader}: ${t.runs} inputs → ${t.loadError} LoadError (${t.fileLevel} file-level), ${t.loaded} loaded (${t.ran} run, ${t.notRun} not run, ${t.nonFiniteWeights} with NaN/Inf weights); slowest load ${t.slowestMs.toFixed(0)} ms`;
}

/**
 * Runs `load` under the watchdog and checks its outcome. Returns the value (for further checks) or undefined when
 * it was a LoadError. Any other exception fails the property with the input's description.
 */
export async function guardedLoad<T>(tally: Tally, desc: string, load: () => T | Promise<T>): Promise<T | undefined> {
  startWatchdog();
  describeForWatchdog(`[${tally.loader}] ${desc}`);
  tally.runs++;
  const t0 = Date.now();
  state[0] = t0;
  let value: T | undefined;
  let error: unknown;
  let threw = false;
  try {
    value = await load();
  } catch (e) {
    threw = true;
    error = e;
  } finally {
    state[0] = 0;
  }
  const ms = Date.now() - t0;
  if (ms > tally.slowestMs) {
    tally.slowestMs = ms;
    tally.slowestInput = desc.slice(0, 300);
  }
  assert.ok(ms < LOAD_TIME_LIMIT_MS, `load took ${ms} ms (limit ${LOAD_TIME_LIMIT_MS}) for ${desc}`);
  if (!threw) {
    tally.loaded++;
    return value;
  }
  checkLoadError(error, desc);
  tally.loadError++;
  if ((error as LoadError).details.path.length === 0) tally.fileLevel++;
  return undefined;
}

export function checkLoadError(error: unknown, desc: string): asserts error is LoadError {
  if (!(error instanceof LoadError)) {
    const text = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error);
    assert.fail(`not a LoadError for ${desc}:\n${text}`);
  }
  const d = error.details;
  assert.ok(typeof d.file === 'string' && d.file.length > 0, `LoadError without a file for ${desc}`);
  assert.ok(Array.isArray(d.path), `LoadError without a path for ${desc}`);
  assert.ok(error.message.length > 0 && typeof d.expected === 'string' && d.expected.length > 0, `LoadError without a message for ${desc}`);
  // The loaders' safety net: an internal error turned into a LoadError is still a bug to fix.
  assert.ok(!/made the reader fail/.test(error.message), `an internal error escaped a loader for ${desc}:\n${error.message}`);
  // A file-level error must still say where: a syntax error has line:column, other file-level ones the whole file.
  if (d.path.length) for (const k of d.path) assert.ok(typeof k === 'string' || typeof k === 'number', `bad path element for ${desc}`);
}

// ---- loaded models --------------------------------------------------------------------------------------------

function expectShape(t: Tensor, shape: readonly number[], what: string, desc: string): void {
  assert.deepEqual([...t.shape], [...shape], `${what}: shape ${JSON.stringify(t.shape)}, expected ${JSON.stringify(shape)} for ${desc}`);
  let n = 1;
  for (const d of t.shape) n *= d;
  assert.equal(t.data.length, n, `${what}: ${t.data.length} values for shape ${JSON.stringify(t.shape)} for ${desc}`);
}

function recurrentFeatures(l: RecurrentLayer, features: number, what: string, desc: string): void {
  if (l.cell === 'custom') return;
  const width = GATE_COUNT[l.cell] * l.config.units;
  expectShape(l.weights.kernel, [features, width], `${what} kernel`, desc);
  expectShape(l.weights.recurrentKernel, [l.config.units, width], `${what} recurrent_kernel`, desc);
  if (l.weights.bias) expectShape(l.weights.bias, l.config.resetAfter ? [2, width] : [width], `${what} bias`, desc);
  else assert.equal(l.config.useBias, false, `${what}: no bias but use_bias for ${desc}`);
}

/** Every weight array has the shape its layer's config implies, following the sample shape through the layers. */
export function checkModelShapes(model: Model, desc: string): void {
  assert.ok(model.layers.length > 0, `a model without layers for ${desc}`);
  // The walk below follows a chain. A model with branches (its own graph) is checked by running it (checkLoadedModel).
  if (model.graph) return;
  let dims: (number | null)[] = [...model.inputShape];
  for (const layer of model.layers) {
    const what = `layer "${layer.name}"`;
    switch (layer.kind) {
      case 'recurrent':
      case 'bidirectional': {
        assert.equal(dims.length, 2, `${what} reads a sequence, got sample shape ${JSON.stringify(dims)} for ${desc}`);
        const cells = layer.kind === 'recurrent' ? [layer] : [layer.forward, layer.backward];
        const features = cells[0]!.weights.kernel.shape[0]!;
        if (dims[1] !== null) assert.equal(features, dims[1], `${what} kernel rows vs features for ${desc}`);
        for (const c of cells) recurrentFeatures(c, features, what, desc);
        const units = cells[0]!.config.units;
        const width = layer.kind === 'bidirectional' && layer.mergeMode === 'concat' ? 2 * units : units;
        dims = cells[0]!.config.returnSequences ? [dims[0]!, width] : [width];
        break;
      }
      case 'dense': {
        const inputs = layer.kernel.shape[0]!;
        if (dims.length && dims[dims.length - 1] !== null) assert.equal(inputs, dims[dims.length - 1], `${what} kernel rows for ${desc}`);
        expectShape(layer.kernel, [inputs, layer.units], `${what} kernel`, desc);
        if (layer.bias) expectShape(layer.bias, [layer.units], `${what} bias`, desc);
        dims = [...dims.slice(0, -1), layer.units];
        break;
      }
      case 'embedding':
        expectShape(layer.embeddings, [layer.inputDim, layer.outputDim], `${what} embeddings`, desc);
        dims = [...dims, layer.outputDim];
        break;
      case 'flatten':
        dims = [dims.some((d) => d === null) ? null : dims.reduce<number>((a, d) => a * d!, 1)];
        break;
      default:
        break;
    }
  }
}

function weightTensors(layer: Layer): Tensor[] {
  const cell = (l: RecurrentLayer): Tensor[] => [l.weights.kernel, l.weights.recurrentKernel, ...(l.weights.bias ? [l.weights.bias] : []), ...(l.weights.projection ? [l.weights.projection] : [])];
  switch (layer.kind) {
    case 'recurrent':
      return cell(layer);
    case 'bidirectional':
      return [...cell(layer.forward), ...cell(layer.backward)];
    case 'dense':
      return [layer.kernel, ...(layer.bias ? [layer.bias] : [])];
    case 'embedding':
      return [layer.embeddings];
    default:
      return [];
  }
}

/**
 * Every number array a layer holds, whatever its kind (Conv1D kernels, normalization statistics, … as well as what
 * weightTensors lists): "NaN from finite weights" is only a loader bug when all of them are finite.
 */
function allWeightValues(layer: Layer): ArrayLike<number>[] {
  const found: ArrayLike<number>[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Float32Array || v instanceof Float64Array) {
      found.push(v);
      return;
    }
    if (ArrayBuffer.isView(v)) return;
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(layer);
  return found;
}

/** Loaded model: shapes, weight-stats flags for NaN/Inf, and a small run that must not make NaN from finite weights. */
export function checkLoadedModel(tally: Tally, model: Model, desc: string): void {
  checkModelShapes(model, desc);
  let nonFinite = 0;
  let maxAbs = 0;
  for (const l of model.layers) {
    for (const t of weightTensors(l)) {
      for (const v of t.data) {
        if (!Number.isFinite(v)) nonFinite++;
        else if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
      }
    }
  }
  const stats = weightStats(model);
  const flagged = stats.reduce((a, s) => a + s.nan + s.inf, 0);
  assert.equal(flagged, nonFinite, `weight-stats flags ${flagged} NaN/Inf values, the weights hold ${nonFinite}, for ${desc}`);
  if (nonFinite) tally.nonFiniteWeights++;

  const input = smallInput(model);
  if (!input) {
    tally.notRun++;
    return;
  }
  let out: Tensor[];
  try {
    out = runModel(model, input, { record: false }).outputs;
  } catch (e) {
    assert.fail(`a loaded model failed to run on input ${JSON.stringify(input.shape)} for ${desc}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  tally.ran++;
  // Finite, moderate weights and a small input: a NaN can only come from a model the loader should have refused.
  // weight-stats covers the recurrent, dense and embedding weights only; a NaN in another layer's (a Conv1D kernel)
  // legitimately gives NaN out (seen with seed 526188097: conv1d_lstm.json, NaN at ["weights",0,1,0][0]).
  const allFinite = model.layers.every((l) => allWeightValues(l).every((a) => Array.prototype.every.call(a, (x: number) => Number.isFinite(x) && Math.abs(x) <= 100)));
  if (nonFinite === 0 && maxAbs <= 100 && allFinite) {
    for (const o of out) {
      const bad = o.data.findIndex((v) => Number.isNaN(v));
      assert.equal(bad, -1, `NaN in the output (flat index ${bad}) of a model with finite weights (max |w| ${maxAbs}) for ${desc}`);
    }
  }
}

/** One sample of 3 steps (or the declared length), or undefined when the model is too big or has free dims. */
export function smallInput(model: Model): Tensor | undefined {
  const sample = model.inputShape.map((d, i) => (d === null && i === 0 && model.inputShape.length >= (model.inputIsTokens ? 1 : 2) ? 3 : d));
  if (sample.some((d) => d === null)) return undefined;
  const shape = [1, ...(sample as number[])];
  const n = shape.reduce((a, d) => a * d, 1);
  if (n > 20_000 || (shape[1] ?? 0) > 500) return undefined;
  const width = model.layers.reduce((a, l) => a + (l.kind === 'recurrent' ? l.config.units : l.kind === 'bidirectional' ? 2 * l.forward.config.units : l.kind === 'dense' ? l.units : 0), 0);
  if (width * (shape[1] ?? 1) > 200_000) return undefined;
  const data = new Float64Array(n);
  const embedding = model.layers.find((l) => l.kind === 'embedding');
  for (let i = 0; i < n; i++) data[i] = model.inputIsTokens ? i % (embedding?.kind === 'embedding' ? embedding.inputDim : 1) : Math.sin(i + 1) * 0.5;
  return { shape, data };
}
