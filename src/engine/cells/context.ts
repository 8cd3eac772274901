/** What a cell needs besides its layer: the arithmetic precision and the hard_sigmoid formula in force. */
import { activation, scalarActivation, type VectorActivation } from '../activations';
import { halfActivation } from '../half-activations';
import { halfRounding, roundRange, type HalfDtype, type Round } from '../half';
import type { HardSigmoidFlavor, RecurrentLayer } from '../model';
import { allocate, rounding, type FloatArray, type Precision, type Tensor } from '../tensor';
import type { BuiltinCellKind } from './kinds';

export interface CellContext {
  precision: Precision;
  hardSigmoid: HardSigmoidFlavor;
  /**
   * Matrix products on the WebAssembly SIMD kernels (true) or the plain TypeScript reference (false); unset: the
   * kernels where they load, unless `setFastPath(false)` (recurrent.ts) said otherwise.
   */
  fastPath?: boolean;
  /**
   * The layer computes in float16 / bfloat16 (its Keras dtype policy): values are kept in float32 arrays (`precision`
   * is float32), every operation's result is rounded to this type, matrix products once after a float32 sum.
   */
  half?: HalfDtype;
}


/**
 * `round` as one plain function for every precision: a call site in a hot loop then sees one target (V8 inlines it)
 * however many runs of either precision went before, where the `round` closure would be Math.fround or identity.
 */
export function roundTo(f32: boolean, x: number): number {
  return f32 ? Math.fround(x) : x;
}

/** The layer's weights copied into the run's precision, plus its two activations. */
export interface BoundWeights {
  units: number;
  features: number;
  kernel: FloatArray;
  recurrentKernel: FloatArray;
  /** Flat; for GRU reset_after it is [input row | recurrent row]. */
  bias: FloatArray | null;
  act: VectorActivation;
  rec: VectorActivation;
  /** The same two as scalar functions, for fused loops; undefined for softmax / log_softmax (whole-vector ones). */
  actScalar: ((x: number) => number) | undefined;
  recScalar: ((x: number) => number) | undefined;
  buffer(n: number): FloatArray;
  round: (x: number) => number;
  /** True for a float32 run: `roundTo(w.f32, x)` is `round(x)`. */
  f32: boolean;
  /** A float16 / bfloat16 layer's rounding (then `round` is it too, and the activations round op by op); else null. */
  half: Round | null;
  /** The Keras names of the two activations and the hard_sigmoid formula (for the WebAssembly gate kernels). */
  activationName: string;
  recurrentActivationName: string;
  hardSigmoid: HardSigmoidFlavor;
}

function inPrecision(t: Tensor, precision: Precision, half?: Round | null): FloatArray {
  const a = allocate(t.data.length, precision);
  a.set(t.data);
  // Keras keeps a mixed policy's variables in float32 and casts them to the compute dtype where the layer reads them.
  if (half) roundRange(a, 0, a.length, half);
  return a;
}

export function bindWeights(layer: RecurrentLayer, ctx: CellContext): BoundWeights {
  if (ctx.half) return bindHalfWeights(layer, ctx, halfRounding(ctx.half));
  const { kernel, recurrentKernel, bias } = layer.weights;
  return {
    units: layer.config.units,
    features: kernel.shape[0]!,
    kernel: inPrecision(kernel, ctx.precision),
    recurrentKernel: inPrecision(recurrentKernel, ctx.precision),
    bias: layer.config.useBias && bias ? inPrecision(bias, ctx.precision) : null,
    act: activation(layer.config.activation, ctx.hardSigmoid),
    rec: activation(layer.config.recurrentActivation, ctx.hardSigmoid),
    actScalar: scalarActivation(layer.config.activation, ctx.hardSigmoid),
    recScalar: scalarActivation(layer.config.recurrentActivation, ctx.hardSigmoid),
    buffer: (n) => allocate(n, ctx.precision),
    round: rounding(ctx.precision),
    f32: ctx.precision === 'float32',
    half: null,
    activationName: layer.config.activation,
    recurrentActivationName: layer.config.recurrentActivation,
    hardSigmoid: ctx.hardSigmoid,
  };
}

/**
 * A float16 / bfloat16 layer: weights rounded to the type, no scalar activations (the cells then take their generic
 * step, where every rounding is written out), activations rounded op by op as JAX does.
 */
function bindHalfWeights(layer: RecurrentLayer, ctx: CellContext, round: Round): BoundWeights {
  const { kernel, recurrentKernel, bias } = layer.weights;
  return {
    units: layer.config.units,
    features: kernel.shape[0]!,
    kernel: inPrecision(kernel, 'float32', round),
    recurrentKernel: inPrecision(recurrentKernel, 'float32', round),
    bias: layer.config.useBias && bias ? inPrecision(bias, 'float32', round) : null,
    act: halfActivation(layer.config.activation, ctx.hardSigmoid, round),
    rec: halfActivation(layer.config.recurrentActivation, ctx.hardSigmoid, round),
    actScalar: undefined,
    recScalar: undefined,
    buffer: (n) => allocate(n, 'float32'),
    round,
    f32: true,
    half: round,
    activationName: layer.config.activation,
    recurrentActivationName: layer.config.recurrentActivation,
    hardSigmoid: ctx.hardSigmoid,
  };
}

/** dst[dOff .. +cols) = v[vOff .. +units) · U[:, cOff .. cOff+cols) */
export type RowProduct = (v: FloatArray, vOff: number, cOff: number, cols: number, dst: FloatArray, dOff: number) => void;

/**
 * What the built-in cells add to `CellStepper` so that the sequence driver can compute their matrix products for
 * all batch items and many steps at once (src/engine/linalg.ts LayerProducts), in TypeScript or WebAssembly.
 * `step` stays: it computes the same products for one item and calls `stepWith`.
 */
export interface BatchedCell {
  /** [features, width] and [units, width], width = gates·units, in the run's precision. */
  readonly kernel: FloatArray;
  readonly recurrentKernel: FloatArray;
  /** Leading columns of h·U a step needs before it starts: all of them, except GRU reset_after=false (z, r). */
  readonly recurrentColumns: number;
  /**
   * One step from precomputed products: xk[xkOff ..] = x·K, hu[huOff ..] = h·U (first `recurrentColumns`).
   * `rowProduct` computes any further recurrent product the cell needs mid-step.
   */
  stepWith(
    xk: FloatArray,
    xkOff: number,
    hu: FloatArray,
    huOff: number,
    states: FloatArray[],
    sOff: number,
    out: FloatArray[],
    oOff: number,
    rowProduct: RowProduct,
  ): void;
  /** The cell's arithmetic for the WebAssembly gate kernels (float32 fast path); they equal `stepWith`'s result. */
  readonly gates?: GateSpec;
}

/**
 * What the float32 WebAssembly gate kernels (src/engine/wasm/gates.ts) need to run a built-in cell's step instead of
 * `stepWith`: the cell kind, its bias and its two activations by name.
 */
export interface GateSpec {
  kind: BuiltinCellKind;
  resetAfter: boolean;
  bias: FloatArray | null;
  activation: string;
  recurrentActivation: string;
  hardSigmoid: HardSigmoidFlavor;
}

export function gateSpec(w: BoundWeights, kind: GateSpec['kind'], resetAfter = false): GateSpec {
  return { kind, resetAfter, bias: w.bias, activation: w.activationName, recurrentActivation: w.recurrentActivationName, hardSigmoid: w.hardSigmoid };
}

export function isBatchedCell<T extends object>(cell: T): cell is T & BatchedCell {
  return typeof (cell as Partial<BatchedCell>).stepWith === 'function';
}
