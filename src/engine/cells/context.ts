/** What a cell needs besides its layer: the arithmetic precision and the hard_sigmoid formula in force. */
import { activation, type VectorActivation } from '../activations';
import type { HardSigmoidFlavor, RecurrentLayer } from '../model';
import { allocate, type FloatArray, type Precision, type Tensor } from '../tensor';

export interface CellContext {
  precision: Precision;
  hardSigmoid: HardSigmoidFlavor;
}

/** Rounds a scalar result to the run's precision: Keras's float32 rounds after every operation. */
export function rounding(precision: Precision): (x: number) => number {
  return precision === 'float32' ? Math.fround : (x: number) => x;
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
  buffer(n: number): FloatArray;
  round: (x: number) => number;
}

function inPrecision(t: Tensor, precision: Precision): FloatArray {
  const a = allocate(t.data.length, precision);
  a.set(t.data);
  return a;
}

export function bindWeights(layer: RecurrentLayer, ctx: CellContext): BoundWeights {
  const { kernel, recurrentKernel, bias } = layer.weights;
  return {
    units: layer.config.units,
    features: kernel.shape[0]!,
    kernel: inPrecision(kernel, ctx.precision),
    recurrentKernel: inPrecision(recurrentKernel, ctx.precision),
    bias: layer.config.useBias && bias ? inPrecision(bias, ctx.precision) : null,
    act: activation(layer.config.activation, ctx.hardSigmoid),
    rec: activation(layer.config.recurrentActivation, ctx.hardSigmoid),
    buffer: (n) => allocate(n, ctx.precision),
    round: rounding(ctx.precision),
  };
}
