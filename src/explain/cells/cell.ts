/**
 * One step of a cell run backwards. The forward pass recorded every gate, candidate, state and pre-activation in the
 * trace, so a step's backward reads them there and recomputes nothing but what the trace does not hold.
 */
import type { HardSigmoidFlavor } from '../../engine/model';
import type { FloatArray, Precision } from '../../engine/tensor';
import type { LayerTrace } from '../../engine/trace';
import type { BackwardProducts } from '../products';

export interface BackwardContext {
  precision: Precision;
  hardSigmoid: HardSigmoidFlavor;
  /** How many items the driver may step together (sizes the batched products' buffers); default 1. */
  rows?: number;
}

/** What one step's backward reads: the trace row of the step and the states it started from. */
export interface StepValues {
  /** The trace's quantities (lt.values); row `at` = (b·steps + s)·units. */
  values: FloatArray[];
  at: number;
  /** The states before the step (state k: prev[k][prevOff ..+units)): the trace row of step s−1, or the initial states. */
  prev: FloatArray[];
  prevOff: number;
  /** The layer's input row of this step (features values), for cells that recompute from x. */
  x: FloatArray;
  xOff: number;
}

export interface CellBackward {
  readonly units: number;
  readonly features: number;
  /** Names of the carried states, as the trace's quantity keys (h, c, …). */
  readonly stateNames: readonly string[];
  /** The state the step's output equals (h: 0); −1 when the output is a gate (some custom cells). */
  readonly outputState: number;
  /** The step reads the layer's input row (StepValues.x): custom cells and the LRP rules. */
  readonly readsInput?: boolean;
  /**
   * dStates[k][0 ..units): on entry ∂y/∂(state k after the step) (the driver has added the output's gradient when
   * `outputState` ≥ 0, else it is in `dOut`); on return ∂y/∂(state k before the step). Adds ∂y/∂x into dx[dxOff ..).
   */
  step(v: StepValues, dStates: Float64Array[], dOut: Float64Array | null, dx: Float64Array, dxOff: number): void;
  /**
   * The step without its two matrix products, for the driver to run them for many items at once: writes the row
   * dx needs (dx += K·dzIn) and the row dh₋ needs (dh₋ += U·dzRec; the same array unless `separate`) at `off`, and
   * leaves in dStates the gradients before the step minus that product (dStates[0] = h₋'s direct part).
   */
  readonly rows?: {
    width: number;
    separate: boolean;
    products: BackwardProducts;
    step(v: StepValues, dStates: Float64Array[], dzIn: Float64Array, dzRec: Float64Array, off: number): void;
  };
}

/** The trace row index of every state, in the cell's state order. */
export function stateQuantities(lt: LayerTrace, names: readonly string[]): number[] {
  return names.map((n) => {
    const q = lt.quantities.findIndex((x) => x.key === n);
    if (q < 0) throw new RangeError(`layer "${lt.layerName}" records no state "${n}"`);
    return q;
  });
}
