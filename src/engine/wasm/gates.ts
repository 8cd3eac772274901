/**
 * The float32 fast path's gate arithmetic: WebAssembly SIMD kernels compute every recorded quantity of an LSTM, GRU
 * or SimpleRNN step into rows of the kernel memory and update the states, which live in the kernel memory during the
 * run. `runBlock` runs many steps of every batch item in one call (both products included) and copies the staged rows
 * to the trace in a few large copies; `step` runs one batch item's step (the driver's path for blocks with padding).
 * The plain TypeScript `stepWith` (src/engine/cells) stays the reference: element-wise + − × are the same float32
 * operations; sigmoid and tanh are evaluated in float64 (relative error < ~5e-15) and rounded once, so a value
 * differs from the reference only when it lies that close to a float32 rounding boundary, and then by 1 ulp
 * (scripts/build-wasm.mjs has the details; test/engine/gates.test.ts measures).
 * float64 runs never come here: they keep Math.exp / Math.tanh.
 */
import type { GateSpec } from '../cells/context';
import { CELL_KINDS, kernelRows } from '../cells/kinds';
import type { HardSigmoidFlavor } from '../model';
import type { FloatArray } from '../tensor';
import type { GateKernels } from './kernels';
import type { WasmProducts } from './products';

/** The kernels' activation codes; null for an activation they do not have (the TypeScript step then runs). */
export function activationCode(name: string, hardSigmoid: HardSigmoidFlavor): number | null {
  switch (name) {
    case 'linear':
      return 0;
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 2;
    case 'hard_sigmoid':
      return hardSigmoid === 'keras2' ? 3 : 4;
    case 'relu':
      return 5;
    default:
      return null;
  }
}

/** Rows the kernels write (CELL_KINDS): the quantities, then scratch (LSTM: act(c)). */
const KERNEL_ROWS = (kind: GateSpec['kind']) => kernelRows(kind);
const STATES = (kind: GateSpec['kind']) => CELL_KINDS[kind].states.length;
/**
 * Steps per staged run: `runBlock` has the kernels write a run of steps into a staging area, then copies it to the
 * trace. The whole projection block when it fits in 4 Mi values (16 MB) — for a short sequence (W2: 390 items × 5
 * steps) the staged rows are then the trace's layout, one copy per quantity instead of one per quantity and item —
 * else runs of 256 Ki values, which stay in L2 between the kernels writing them and the copy. `values` overrides the
 * run's size (tests).
 */
export function stageSteps(spec: GateSpec, batch: number, units: number, blockSteps: number, values?: number): number {
  const perStep = KERNEL_ROWS(spec.kind) * batch * units;
  if (values !== undefined) return Math.max(1, Math.min(blockSteps, Math.floor(values / perStep)));
  return perStep * blockSteps <= 1 << 22 ? blockSteps : Math.max(1, Math.floor((1 << 18) / perStep));
}

/** Whether the gate kernels can run this cell (u ≥ 4: the kernels work in vectors of 4 units). */
export function gatesSupported(spec: GateSpec | undefined, units: number): spec is GateSpec {
  return !!spec && units >= 4 && activationCode(spec.activation, spec.hardSigmoid) !== null && activationCode(spec.recurrentActivation, spec.hardSigmoid) !== null;
}

/** Values of the arena the gate kernels need beyond the products. */
export function gateElements(spec: GateSpec, batch: number, units: number, staged: number): number {
  const stage = KERNEL_ROWS(spec.kind) * batch * units * staged;
  return Math.max(spec.bias?.length ?? 0, 4) + STATES(spec.kind) * batch * units + (KERNEL_ROWS(spec.kind) + 2) * units + stage;
}

type KernelName = 'lstm' | 'gru_after' | 'gru_before' | 'simple';

export class WasmGates {
  /** The states during the run, [batch·units] each, in the kernel memory. */
  readonly states: Float32Array[];
  /** Quantity q of the latest `step`: `rows[q]`, `units` values. */
  readonly rows: Float32Array[];
  private readonly k: GateKernels;
  private readonly name: KernelName;
  /** The kernels' trailing parameters (bias, flags, states of item 0, activations, scratch). */
  private readonly params: number[];
  /** Indices in `params` of the state pointers, which move by units·4 bytes per batch item. */
  private readonly stateParams: number[];
  private readonly out: number;
  private readonly stage: Float32Array;

  constructor(
    private readonly p: WasmProducts,
    spec: GateSpec,
    private readonly batch: number,
    private readonly u: number,
    width: number,
    private readonly features: number,
    private readonly blockSteps: number,
    /** Steps per staged run (`stageSteps`). */
    private readonly stageSteps: number,
  ) {
    const a = p.a;
    this.k = a.kernels;
    const biasView = a.alloc(Math.max(spec.bias?.length ?? 0, 4));
    if (spec.bias) biasView.set(spec.bias);
    const bias = [a.ptr(biasView), spec.bias ? 1 : 0];
    const act = activationCode(spec.activation, spec.hardSigmoid)!;
    const rec = activationCode(spec.recurrentActivation, spec.hardSigmoid)!;
    this.states = Array.from({ length: STATES(spec.kind) }, () => a.alloc(batch * u) as Float32Array);
    const [h, c] = this.states.map((s) => a.ptr(s));
    const rows = a.alloc(KERNEL_ROWS(spec.kind) * u) as Float32Array;
    this.out = a.ptr(rows);
    this.rows = Array.from({ length: CELL_KINDS[spec.kind].quantities.length }, (_, q) => rows.subarray(q * u, (q + 1) * u));
    const rh = a.ptr(a.alloc(u));
    const cand = a.ptr(a.alloc(u));
    // Every staged row is written by the kernels before `runBlock` copies it.
    this.stage = a.scratch(KERNEL_ROWS(spec.kind) * batch * u * this.stageSteps) as Float32Array;
    switch (spec.kind) {
      case 'conv_lstm': // its cell takes the TypeScript step (no gate spec): the kernels would see no convolution
        throw new Error('the WebAssembly gate kernels do not run ConvLSTM');
      case 'lstm':
        [this.name, this.params, this.stateParams] = ['lstm', [...bias, c!, h!, rec, act], [2, 3]];
        break;
      case 'simple_rnn':
        [this.name, this.params, this.stateParams] = ['simple', [...bias, h!, act], [2]];
        break;
      case 'gru':
        // reset_after=false also needs U (its candidate product reads columns [2u, 3u)) and two scratch rows.
        if (spec.resetAfter) [this.name, this.params, this.stateParams] = ['gru_after', [...bias, h!, rec, act], [2]];
        else [this.name, this.params, this.stateParams] = ['gru_before', [...bias, h!, rec, act, a.ptr(p.U), width, rh, cand], [2]];
        break;
    }
  }

  /** The trailing parameters for batch item b. */
  private paramsOf(b: number): number[] {
    const params = this.params.slice();
    for (const i of this.stateParams) params[i] = params[i]! + 4 * b * this.u;
    return params;
  }

  /** One step of batch item b into `rows`: x·K at xk[xkOff ..], h·U of the latest `recur` (element offsets). */
  step(xkOff: number, b: number): void {
    const { p, u } = this;
    const hu = p.a.ptr(p.hu, b * p.huStride);
    this.k[`${this.name}_f32`](this.out, 4 * u, u, p.a.ptr(p.xk, xkOff), hu, ...this.paramsOf(b));
  }

  /**
   * Processing steps [s0, s0+n) of every batch item of x ([batch, steps, features]), none of them padding. Both
   * products are computed step by step in the kernels (x·K into a one-step buffer that stays in cache). Writes the
   * outputs into `sequence` and, unless `out` is null, every quantity into the trace rows `out` (both
   * [batch][steps][units]).
   */
  runBlock(x: FloatArray, s0: number, n: number, steps: number, goBackwards: boolean, sequence: FloatArray, out: FloatArray[] | null, outQ: number): void {
    const { p, u, batch } = this;
    const a = p.a;
    // Input times [t0, t0+n); xIn row (b·blockSteps + i) is time t0 + i, so a go_backwards walk reads the rows from
    // the last.
    p.loadInputs(x, steps, goBackwards ? steps - s0 - n : s0, n);
    const F = this.features;
    const run = this.k[`${this.name}_steps_f32`];
    for (let i0 = 0; i0 < n; i0 += this.stageSteps) {
      const m = Math.min(this.stageSteps, n - i0);
      const row0 = goBackwards ? n - 1 - i0 : i0;
      // Arguments as cellKernels (scripts/build-wasm.mjs) lists them: the run, x and K, h and U, the kind's own.
      const xArgs = [a.ptr(p.xIn, row0 * F), 4 * this.blockSteps * F, (goBackwards ? -4 : 4) * F, F, a.ptr(p.packedK), a.ptr(p.xkStep), p.xkStepStride];
      run(m, batch, u, a.ptr(this.stage), ...xArgs, a.ptr(p.packedU), a.ptr(p.hu), p.huStride, ...this.params);
      // Staged row q holds item b's m steps at [(q·batch + b)·m·u, +m·u): one copy per quantity and item, or per
      // quantity when the run is the whole sequence (the trace's layout exactly).
      const chunk = m * u;
      const copy = (q: number, dst: FloatArray) => {
        const base = q * batch * chunk;
        if (m === steps) dst.set(this.stage.subarray(base, base + batch * chunk));
        else for (let b = 0; b < batch; b++) dst.set(this.stage.subarray(base + b * chunk, base + (b + 1) * chunk), (b * steps + s0 + i0) * u);
      };
      // A row of length 0 was left out of the trace (RecurrentOptions.recordOnly).
      if (out) out.forEach((dst, q) => dst.length > 0 && copy(q, dst));
      copy(outQ, sequence);
    }
  }

  /** Copies the states in (start of the run) or out (end). */
  load(states: FloatArray[]): void {
    this.states.forEach((s, i) => s.set(states[i]!));
  }
  save(states: FloatArray[]): void {
    this.states.forEach((s, i) => states[i]!.set(s));
  }
}
