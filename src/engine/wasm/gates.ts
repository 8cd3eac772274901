/**
 * The float32 fast path's gate arithmetic: one WebAssembly SIMD kernel call per batch item and step computes every
 * recorded quantity of an LSTM, GRU or SimpleRNN step into rows of the kernel memory and updates the states, which
 * live in the kernel memory during the run. The plain TypeScript `stepWith` (src/engine/cells) stays the reference:
 * element-wise + − × are the same float32 operations; sigmoid and tanh are evaluated in float64 (relative error
 * < ~1e-14) and rounded once, so a value differs from the reference only when it lies that close to a float32
 * rounding boundary, and then by 1 ulp (scripts/build-wasm.mjs has the details; test/engine/gates.test.ts measures).
 * float64 runs never come here: they keep Math.exp / Math.tanh.
 */
import type { GateSpec } from '../cells/context';
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

const QUANTITY_ROWS: Record<GateSpec['kind'], number> = { lstm: 10, gru: 7, simple_rnn: 2 };
/** Rows the kernels write: the quantities, then scratch (LSTM: act(c)). */
const KERNEL_ROWS: Record<GateSpec['kind'], number> = { lstm: 11, gru: 7, simple_rnn: 2 };
const STATES: Record<GateSpec['kind'], number> = { lstm: 2, gru: 1, simple_rnn: 1 };

/** Whether the gate kernels can run this cell (u ≥ 4: the kernels work in vectors of 4 units). */
export function gatesSupported(spec: GateSpec | undefined, units: number): spec is GateSpec {
  return !!spec && units >= 4 && activationCode(spec.activation, spec.hardSigmoid) !== null && activationCode(spec.recurrentActivation, spec.hardSigmoid) !== null;
}

/** Values of the arena the gate kernels need beyond the products. */
export function gateElements(spec: GateSpec, batch: number, units: number): number {
  return (spec.bias?.length ?? 0) + STATES[spec.kind] * batch * units + (KERNEL_ROWS[spec.kind] + 2) * units;
}

export class WasmGates {
  /** The states during the run, [batch·units] each, in the kernel memory. */
  readonly states: Float32Array[];
  /** Quantity q of the latest step: `rows[q]`, `units` values. */
  readonly rows: Float32Array[];
  private readonly k: GateKernels;
  private readonly out: number;
  private readonly bias: number;
  private readonly hasBias: number;
  private readonly act: number;
  private readonly rec: number;
  private readonly statePtrs: number[];
  private readonly rh: Float32Array;
  private readonly cand: Float32Array;
  private readonly xkBase: number;
  private readonly huBase: number;

  constructor(
    private readonly p: WasmProducts,
    private readonly spec: GateSpec,
    batch: number,
    private readonly u: number,
    private readonly width: number,
  ) {
    const a = p.a;
    this.k = a.kernels;
    const biasView = a.alloc(Math.max(spec.bias?.length ?? 0, 4));
    if (spec.bias) biasView.set(spec.bias);
    this.bias = a.ptr(biasView);
    this.hasBias = spec.bias ? 1 : 0;
    this.act = activationCode(spec.activation, spec.hardSigmoid)!;
    this.rec = activationCode(spec.recurrentActivation, spec.hardSigmoid)!;
    this.states = Array.from({ length: STATES[spec.kind] }, () => a.alloc(batch * u) as Float32Array);
    this.statePtrs = this.states.map((s) => a.ptr(s));
    const rows = a.alloc(KERNEL_ROWS[spec.kind] * u) as Float32Array;
    this.out = a.ptr(rows);
    this.rows = Array.from({ length: QUANTITY_ROWS[spec.kind] }, (_, q) => rows.subarray(q * u, (q + 1) * u));
    this.rh = a.alloc(u) as Float32Array;
    this.cand = a.alloc(u) as Float32Array;
    this.xkBase = a.ptr(p.xk);
    this.huBase = a.ptr(p.hu);
  }

  /** One step of batch item b: x·K at xk[xkOff ..], h·U at hu[huOff ..] (element offsets). */
  step(xkOff: number, huOff: number, b: number): void {
    const { k, out, u } = this;
    const xk = this.xkBase + 4 * xkOff;
    const hu = this.huBase + 4 * huOff;
    const h = this.statePtrs[0]! + 4 * b * u;
    switch (this.spec.kind) {
      case 'lstm':
        k.lstm_f32(out, u, xk, hu, this.bias, this.hasBias, this.statePtrs[1]! + 4 * b * u, h, this.rec, this.act);
        return;
      case 'simple_rnn':
        k.simple_f32(out, u, xk, hu, this.bias, this.hasBias, h, this.act);
        return;
      case 'gru':
        if (this.spec.resetAfter) {
          k.gru_after_f32(out, u, xk, hu, this.bias, this.hasBias, h, this.rec, this.act);
          return;
        }
        k.gru_before_f32(out, u, xk, hu, this.bias, this.hasBias, h, this.rec, this.p.a.ptr(this.rh));
        // (r·h)·U_h: the candidate block of U, as WasmProducts.recurRow computes it for the TypeScript step.
        this.cand.fill(0);
        this.p.a.gemm(this.p.a.ptr(this.cand), this.width, this.p.a.ptr(this.rh), u, 1, u, this.p.a.ptr(this.p.U, 2 * u), this.width, u);
        k.gru_cand_f32(out, u, xk, this.p.a.ptr(this.cand), this.bias, this.hasBias, h, this.act);
        return;
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
