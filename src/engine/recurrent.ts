/**
 * The sequence driver shared by every cell kind: walks the time steps (backwards for go_backwards), carries the
 * states, honours a padding mask, and writes either into the trace or into scratch rows when nothing is recorded.
 */
import { makeCell, type CellContext, type CellStepper } from './cells';
import { isBatchedCell, type BatchedCell } from './cells/context';
import { ReferenceProducts, type LayerProducts, type ProductShape } from './linalg';
import type { RecurrentLayer } from './model';
import { unitGrid } from './recurrent-shape';
import { stepOrderMaps, type Direction, type LayerTrace } from './trace';
import { halfRounding, roundRange, type Round } from './half';
import { allocate, type FloatArray, type Precision } from './tensor';
import { gateElements, gatesSupported, stageSteps, WasmGates } from './wasm/gates';
import { WasmProducts } from './wasm/products';
import { finish } from './steps';

export interface RecurrentInput {
  /** [batch, steps, features], row-major, in the run's precision. */
  data: FloatArray;
  batch: number;
  steps: number;
  /** mask[b·steps + t] = 1 for a real step, 0 for padding; null when every step is real. */
  mask: Uint8Array | null;
}

export interface RecurrentOptions {
  ctx: CellContext;
  record: boolean;
  /** One array per state (h, then c), each [batch·units]; zeros when absent. Not modified. */
  initialStates: FloatArray[] | null;
  layerIndex: number;
  layerName: string;
  direction: Direction;
  /** Output zeros (not the carried h) at padded steps: what Keras's Bidirectional asks of its layers. */
  zeroOutputForMask: boolean;
  /** Values of x·K computed per block (default: see `projectionBlock`); small values exercise the block loop in tests. */
  projectionBlock?: number;
  /** Values of one staged run of the gate kernels (default: see wasm/gates.ts stageSteps); for tests, as above. */
  stageValues?: number;
  /**
   * With `record`: the quantity keys the caller reads (SessionOptions.recordOnly). When the float32 gate kernels walk
   * every step (no padding mask), the other quantities are left out: rows of length 0 in the trace.
   */
  recordOnly?: readonly string[];
  /**
   * Processing steps per chunk for `recurrentSteps`, which yields after each (default: the whole sequence, one chunk).
   * A chunk holds nothing in the kernel memory when it yields (the states are back in their arrays), so whatever
   * runs meanwhile may use the kernels.
   */
  chunkSteps?: number;
}

/** Where a chunked walk is (`recurrentSteps` yields it): processing steps done of the layer's `steps`. */
export interface ChunkProgress {
  done: number;
  steps: number;
}

export interface RecurrentResult {
  /** [batch, steps, units] in processing order (Keras does not flip go_backwards sequences back). */
  sequence: FloatArray;
  /** Final states, one per state name, each [batch·units]. */
  states: FloatArray[];
  trace: LayerTrace | null;
}

export function runRecurrent(layer: RecurrentLayer, input: RecurrentInput, opts: RecurrentOptions): RecurrentResult {
  return finish(recurrentSteps(layer, input, opts));
}

/**
 * `runRecurrent` a chunk of `opts.chunkSteps` processing steps at a time, yielding between chunks: the states are
 * carried in their arrays from one chunk to the next, and every step computes what it computes in one go, so the
 * result is the same bit for bit (test/engine/time-chunks.test.ts). For a caller that must give its thread back
 * during a long sequence (VS Code for the Web: src/panel/run-in-blocks.ts).
 */
export function* recurrentSteps(layer: RecurrentLayer, input: RecurrentInput, opts: RecurrentOptions): Generator<ChunkProgress, RecurrentResult> {
  const cell = makeCell(layer, opts.ctx);
  const { batch, steps, mask } = input;
  const u = cell.units;
  const F = cell.features;
  const goBackwards = layer.config.goBackwards;
  const nq = cell.quantities.length;
  const precision = opts.ctx.precision;

  const states = cell.stateNames.map((_, i) => {
    const s = allocate(batch * u, precision);
    const init = opts.initialStates?.[i];
    if (init) s.set(init);
    return s;
  });
  const sequence = allocate(batch * steps * u, precision);
  // The states the walk starts from, kept for the trace (the walk updates `states` in place).
  const initial = opts.record
    ? cell.quantities.map((q) => {
        const si = cell.stateNames.indexOf(q.key);
        return si >= 0 ? states[si]!.slice() : null;
      })
    : null;
  // Recording writes straight into the trace; otherwise every step reuses one scratch row per quantity. Rows the
  // caller does not read are left out when the gate kernels write the trace (a copy per row and block saved); those
  // kernels write every recorded value, so the rows need not be zeroed first (reused arrays held old values).
  const gateWalk = opts.record && !mask && gateKernelsRun(cell, opts.ctx);
  const wanted = gateWalk && opts.recordOnly ? new Set(opts.recordOnly) : null;
  const out: FloatArray[] = [];
  for (let q = 0; q < nq; q++) {
    if (!opts.record) out.push(allocate(u, precision));
    else if (wanted && !wanted.has(cell.quantities[q]!.key)) out.push(allocate(0, precision));
    else out.push(allocate(batch * steps * u, precision, !gateWalk));
  }
  const maskedSteps = mask && opts.record ? new Uint8Array(batch * steps) : null;

  const half = opts.ctx.half ? halfRounding(opts.ctx.half) : null;
  const run: Walk = { batch, steps, u, F, goBackwards, mask, record: opts.record, zeroOutputForMask: opts.zeroOutputForMask, cell, states, sequence, out, maskedSteps, half };
  const chunk = Math.max(1, Math.min(steps, opts.chunkSteps ?? steps));
  for (let from = 0; from < steps || from === 0; from += chunk) {
    const to = Math.min(steps, from + chunk);
    walkRange(run, input.data, from, to, opts);
    if (to >= steps) break;
    yield { done: to, steps };
  }

  let trace: LayerTrace | null = null;
  if (opts.record) {
    trace = {
      layerIndex: opts.layerIndex,
      layerName: opts.layerName,
      direction: opts.direction,
      cell: layer.cell,
      batch,
      steps,
      units: u,
      quantities: cell.quantities,
      values: out,
      ...stepOrderMaps(steps, goBackwards),
      masked: maskedSteps,
      initial: initial!,
      ...(layer.conv ? { grid: unitGrid(layer.conv) } : {}),
    };
  }
  return { sequence, states, trace };
}

/**
 * Processing steps [from, to) of every batch item, the states carried in `w.states`. The kernel memory (products,
 * gate kernels) is set up for this range and left when it ends: nothing in it outlives the call.
 */
function walkRange(w: Walk, x: FloatArray, from: number, to: number, opts: RecurrentOptions): void {
  const { cell } = w;
  if (!isBatchedCell(cell)) return walkItems(w, x, from, to);
  // A float16 / bfloat16 layer takes the TypeScript products (float32 sums, rounded to the type below).
  const p = products(cell, w.batch, to - from, opts.ctx.precision, w.half ? false : opts.ctx.fastPath, opts.projectionBlock, opts.stageValues);
  // No gate kernels after all (their memory could not be had): the TypeScript step writes every quantity, the rows
  // left out into throwaway rows.
  if (!p.gates && w.record && w.out.some((o) => o.length === 0)) {
    const n = w.batch * w.steps * w.u;
    w = { ...w, out: w.out.map((o) => (o.length === 0 ? allocate(n, o instanceof Float32Array ? 'float32' : 'float64') : o)) };
  }
  if (p.gates) {
    // The states live in the kernel memory during the walk (masked steps read them there too).
    p.gates.load(w.states);
    walkBatched({ ...w, cell, states: p.gates.states }, x, p, from, to);
    p.gates.save(w.states);
  } else walkBatched({ ...w, cell }, x, p, from, to);
}

/** A skipped step shows its carried states; gates it never computed are NaN (drawn as gaps). */
function fillMaskedRow(
  out: FloatArray[],
  oOff: number,
  u: number,
  quantities: readonly { key: string }[],
  stateNames: readonly string[],
  states: FloatArray[],
  b: number,
): void {
  quantities.forEach((q, i) => {
    const si = stateNames.indexOf(q.key);
    if (si >= 0) out[i]!.set(states[si]!.subarray(b * u, (b + 1) * u), oOff);
    else out[i]!.fill(NaN, oOff, oOff + u);
  });
}

interface Walk {
  batch: number;
  steps: number;
  u: number;
  F: number;
  goBackwards: boolean;
  mask: Uint8Array | null;
  record: boolean;
  zeroOutputForMask: boolean;
  cell: CellStepper;
  states: FloatArray[];
  sequence: FloatArray;
  out: FloatArray[];
  maskedSteps: Uint8Array | null;
  /** A float16 / bfloat16 layer: each matrix product is summed in float32, then rounded with this (as XLA's dot). */
  half: Round | null;
}

/** Padding at (b, s): Keras keeps every state and repeats the previous output (or zeros, inside Bidirectional). */
function skipMasked(w: Walk, b: number, s: number): void {
  const { steps, u } = w;
  const seqOff = (b * steps + s) * u;
  if (w.maskedSteps) w.maskedSteps[b * steps + s] = 1;
  if (w.record) fillMaskedRow(w.out, seqOff, u, w.cell.quantities, w.cell.stateNames, w.states, b);
  if (!w.zeroOutputForMask && s > 0) w.sequence.copyWithin(seqOff, seqOff - u, seqOff);
}

function copyOutput(w: Walk, oOff: number, seqOff: number): void {
  const h = w.out[w.cell.outputQuantity]!;
  const seq = w.sequence;
  for (let j = 0; j < w.u; j++) seq[seqOff + j] = h[oOff + j]!;
}

/** Any cell: one batch item at a time, each step computing its own products (custom cells take this path). */
function walkItems(w: Walk, x: FloatArray, from: number, to: number): void {
  const { batch, steps, u, F, goBackwards, mask } = w;
  for (let b = 0; b < batch; b++) {
    for (let s = from; s < to; s++) {
      const t = goBackwards ? steps - 1 - s : s;
      if (mask && mask[b * steps + t] === 0) {
        skipMasked(w, b, s);
        continue;
      }
      const oOff = w.record ? (b * steps + s) * u : 0;
      w.cell.step(x, (b * steps + t) * F, w.states, b * u, w.out, oOff);
      copyOutput(w, oOff, (b * steps + s) * u);
    }
  }
}

/**
 * Built-in cells: time steps in blocks. x·K of a whole block (every batch item) is one matrix product before the
 * block's time loop; h·U of every batch item is one product per step. Results equal `walkItems` exactly with the
 * reference products (same sums in the same order); the WebAssembly products differ only in float32 rounding.
 * With `gates` (float32 fast path) the WebAssembly gate kernels replace `stepWith`: a block without padding runs in
 * one `runBlock` (every step and item in WebAssembly), a block with padding step by step as below.
 */
function walkBatched(w: Walk & { cell: CellStepper & BatchedCell }, x: FloatArray, p: Products, from: number, to: number): void {
  const { batch, steps, u, goBackwards, mask, cell } = w;
  const { products, blockSteps, gates } = p;
  const outQ = cell.outputQuantity;
  const W = cell.recurrentKernel.length / u;
  const { half } = w;
  const recurRow = products.recurRow.bind(products);
  const rowProduct: typeof recurRow = half
    ? (v, vOff, cOff, cols, dst, dOff) => {
        recurRow(v, vOff, cOff, cols, dst, dOff);
        roundRange(dst, dOff, cols, half);
      }
    : recurRow;
  for (let s0 = from; s0 < to; s0 += blockSteps) {
    const n = Math.min(blockSteps, to - s0);
    // Input times of processing steps [s0, s0+n): [s0, s0+n) forwards, [steps-s0-n, steps-s0) backwards.
    const t0 = goBackwards ? steps - s0 - n : s0;
    if (gates && !paddingIn(mask, batch, steps, t0, n)) {
      gates.runBlock(x, s0, n, steps, goBackwards, w.sequence, w.record ? w.out : null, outQ);
      continue;
    }
    products.project(x, steps, t0, n);
    if (half) roundRange(products.xk, 0, products.xk.length, half);
    for (let s = s0; s < s0 + n; s++) {
      const t = goBackwards ? steps - 1 - s : s;
      products.recur(w.states[0]!);
      if (half) roundRange(products.hu, 0, products.hu.length, half);
      for (let b = 0; b < batch; b++) {
        if (mask && mask[b * steps + t] === 0) {
          skipMasked(w, b, s);
          continue;
        }
        const oOff = w.record ? (b * steps + s) * u : 0;
        if (gates) {
          gates.step((b * blockSteps + t - t0) * W, b);
          const rows = gates.rows;
          if (w.record) for (let q = 0; q < rows.length; q++) w.out[q]!.set(rows[q]!, oOff);
          w.sequence.set(rows[outQ]!, (b * steps + s) * u);
          continue;
        }
        cell.stepWith(products.xk, (b * blockSteps + t - t0) * W, products.hu, b * products.huStride, w.states, b * u, w.out, oOff, rowProduct);
        copyOutput(w, oOff, (b * steps + s) * u);
      }
    }
  }
}

/** Whether any batch item has padding at input times [t0, t0+n). */
function paddingIn(mask: Uint8Array | null, batch: number, steps: number, t0: number, n: number): boolean {
  if (!mask) return false;
  for (let b = 0; b < batch; b++) for (let t = t0; t < t0 + n; t++) if (mask[b * steps + t] === 0) return true;
  return false;
}

let fastPathAllowed = true;
let gateKernelsAllowed = true;

/**
 * Allow (default) or forbid the float32 WebAssembly gate kernels on the fast path (forbidding keeps the WebAssembly
 * products with the TypeScript step: for measuring them apart). A run's `CellContext.fastPath` = false forbids both.
 */
export function setGateKernels(on: boolean): void {
  gateKernelsAllowed = on;
}

interface Products {
  products: LayerProducts;
  blockSteps: number;
  gates: WasmGates | null;
}

/**
 * Allow (default) or forbid the WebAssembly kernels for every later run; forbidding runs the plain TypeScript
 * reference. A run's `CellContext.fastPath` overrides it.
 */
export function setFastPath(on: boolean): void {
  fastPathAllowed = on;
}

/**
 * Values of x·K per projection block: the whole sequence when it takes at most 4 Mi values (16 MB in float32), else
 * blocks of 256 Ki, small enough to stay in L2 until the steps read them (W3, 100 000 steps: ~8 % faster than 4 Mi).
 */
function projectionBlock(batch: number, steps: number, width: number): number {
  return batch * steps * width <= 1 << 22 ? 1 << 22 : 1 << 18;
}

/** Whether the float32 gate kernels run this cell (when its memory can be had): the fast path, float32, no half dtype. */
function gateKernelsRun(cell: CellStepper, ctx: Pick<CellContext, 'precision' | 'fastPath' | 'half'>): boolean {
  return isBatchedCell(cell) && !ctx.half && (ctx.fastPath ?? fastPathAllowed) && gateKernelsAllowed && ctx.precision === 'float32' && gatesSupported(cell.gates, cell.units);
}

function products(
  cell: CellStepper & BatchedCell,
  batch: number,
  steps: number,
  precision: Precision,
  fastPath: boolean | undefined,
  blockOption: number | undefined,
  stageValues: number | undefined,
): Products {
  const units = cell.units;
  const width = cell.recurrentKernel.length / units;
  const block = blockOption ?? projectionBlock(batch, steps, width);
  const blockSteps = Math.max(1, Math.min(steps, Math.floor(block / (batch * width))));
  const shape: ProductShape = { batch, features: cell.features, units, width, recurrentColumns: cell.recurrentColumns, blockSteps };
  const spec = gateKernelsRun(cell, { precision, ...(fastPath === undefined ? {} : { fastPath }) }) ? cell.gates! : null;
  const fast = fastPath ?? fastPathAllowed;
  const staged = spec ? stageSteps(spec, batch, units, blockSteps, stageValues) : 0;
  const extra = spec ? gateElements(spec, batch, units, staged) : 0;
  const wasm = fast ? WasmProducts.create(precision, shape, cell.kernel, cell.recurrentKernel, extra) : null;
  return {
    products: wasm ?? new ReferenceProducts(shape, cell.kernel, cell.recurrentKernel, (n) => allocate(n, precision)),
    blockSteps,
    gates: wasm && spec ? new WasmGates(wasm, spec, batch, units, width, cell.features, blockSteps, staged) : null,
  };
}
