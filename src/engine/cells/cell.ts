/** What every cell kind provides to the sequence driver: its recorded quantities, its states, one step. */
import type { FloatArray } from '../tensor';
import type { QuantityInfo, QuantityRole } from './kinds';

export type { QuantityInfo, QuantityRole } from './kinds';
export { preActivation } from './kinds';

/**
 * A cell with its weights bound, ready to step. `states[s]` holds state s (h, then c for LSTM) of every batch item,
 * `units` values each; `out[q]` receives quantity q. Offsets pick the batch item / step.
 */
export interface CellStepper {
  readonly units: number;
  readonly features: number;
  readonly quantities: readonly QuantityInfo[];
  /** Names of the carried states, in Keras's order: ['h'] or ['h', 'c']. */
  readonly stateNames: readonly string[];
  /** Index in `quantities` of the output h. */
  readonly outputQuantity: number;
  /** Advances one step: reads x and the states, writes every quantity, then updates the states in place. */
  step(x: FloatArray, xOff: number, states: FloatArray[], sOff: number, out: FloatArray[], oOff: number): void;
}

export function quantity(key: string, label: string, role: QuantityRole, description: string): QuantityInfo {
  return { key, label, role, description };
}
