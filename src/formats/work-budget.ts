/**
 * A run's work, checked before it starts against the load limits' work budgets: cell steps (batch items × time
 * steps × predict calls, whatever the features: an input of shape [30000, 30000, 0] holds no value and asks for
 * 9 × 10^8 steps) and the values the run allocates (its states and outputs, and with a trace every recorded
 * quantity of every recurrent unit at every step). A refusal names the budget and the setting that raises it.
 */
import type { Layer, Model } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import { refuse, resolveLimits, type LimitWhere, type LoadLimits } from './limits';

/** Quantities a recurrent layer records per unit and step at most (LSTM: 4 gates, 4 pre-activations, c, h). */
const RECORDED_PER_UNIT = 10;

/** Units of the recurrent layers (both halves of a Bidirectional) and of the widest other layer. */
function widths(layers: readonly Layer[]): { recurrent: number; widest: number } {
  let recurrent = 0;
  let widest = 1;
  for (const l of layers) {
    if (l.kind === 'recurrent') recurrent += l.config.units;
    else if (l.kind === 'bidirectional') recurrent += l.forward.config.units + l.backward.config.units;
    const units = 'config' in l && l.config && typeof (l.config as { units?: unknown }).units === 'number' ? (l.config as { units: number }).units : 0;
    widest = Math.max(widest, units);
  }
  return { recurrent, widest };
}

export interface RunShape {
  /** The run's first input: [batch, steps, features] (or [batch, steps] of tokens). */
  input: Tensor;
  predictCalls: number;
  /** Whether every quantity of every step is recorded (trace, panel). */
  record: boolean;
  /** The engine model, when it is one (ONNX graphs run elsewhere: their steps are budgeted, not their values). */
  model?: Model;
}

export function checkRunBudget(run: RunShape, where: LimitWhere, limits?: Partial<LoadLimits>): void {
  const l = resolveLimits(limits);
  const [batch = 1, steps = 1] = run.input.shape;
  const calls = run.predictCalls;
  const stepCount = batch * steps * calls;
  if (!(stepCount <= l.maxRunSteps)) {
    refuse(where, 'maxRunSteps', l.maxRunSteps, `a run of at most ${l.maxRunSteps} cell steps (batch items × time steps × predict calls)`, `${batch} × ${steps} × ${calls} = ${stepCount} steps`);
  }
  if (!run.model) return;
  const { recurrent, widest } = widths(run.model.layers);
  // Outputs and states of every layer per step, and with a trace every recorded quantity.
  const values = batch * steps * (widest * Math.max(1, run.model.layers.length) + (run.record ? recurrent * RECORDED_PER_UNIT : 0));
  if (!(values <= l.maxAllocatedElements)) {
    refuse(
      where,
      'maxAllocatedElements',
      l.maxAllocatedElements,
      `a run that allocates at most ${l.maxAllocatedElements} values`,
      `about ${values} values (${batch} × ${steps} steps × ${run.record ? `${recurrent} recurrent units × ${RECORDED_PER_UNIT} recorded quantities and ` : ''}the layers' outputs)`,
    );
  }
}
