/** What the backward of one layer call is given, and the error for what cannot be differentiated. */
import { RunError } from '../../engine/errors';
import type { Layer } from '../../engine/model';
import type { Tensor } from '../../engine/tensor';
import type { Direction, LayerTrace } from '../../engine/trace';
import type { BackwardContext } from '../cells';
import type { RuleOptions } from '../lrp/rule';

/** Watches BPTT: at each processing step s of item b, ∂y/∂(the states after the step). */
export type StepWatcher = (layerIndex: number, direction: Direction, b: number, s: number, dStates: readonly Float64Array[]) => void;

export interface LayerCall {
  layer: Layer;
  layerIndex: number;
  /** The call's input value (read lazily: most layers do not need it). */
  input: () => Tensor;
  /** The mask that rode in with the input (explicit mask= or the tensor's own); absent or null: none. */
  inputMask?: () => Uint8Array | null;
  /** Batch, and for sequences the steps, of the call's input. */
  inputShape: readonly number[];
  /** ∂y/∂(each output of the call): the output, then merge_mode None's backward output, then return_state's states. */
  dOutputs: (Float64Array | null)[];
  /** The traces this call recorded (one per direction). */
  traces: LayerTrace[];
  /** The states the call started from (Bidirectional: forward's then backward's); absent: zeros (or a custom cell's own). */
  initialStates?: Tensor[];
  ctx: BackwardContext;
  watch?: StepWatcher;
  /** Set: propagate LRP relevance (these ε-rule options) instead of the gradient. */
  lrp?: RuleOptions;
  /** Receives ∂y/∂(the initial states) (LRP: their relevance) of each direction. */
  onInitial?: (dInitial: readonly Float64Array[]) => void;
  /** The model's last call (LRP explains a non-linear head's pre-activation). */
  isLast?: boolean;
}

/**
 * A model or request explain cannot handle (yet): names the layer and what to do. A RunError, so the CLI answers
 * it with one line and exit code 2.
 */
export class ExplainError extends RunError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'ExplainError';
  }
}

export function traceOf(call: LayerCall, direction: Direction): LayerTrace {
  const lt = call.traces.find((t) => t.direction === direction);
  if (!lt) throw new ExplainError(`layer "${call.layer.name}": the run recorded no ${direction} trace`);
  return lt;
}
