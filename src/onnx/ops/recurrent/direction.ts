/** One direction of one recurrent operator, in the shapes both of its runners (engine and reference) take. */
import type { FloatArray } from '../../../engine/tensor';
import type { Direction, LayerTrace } from '../../../engine/trace';
import type { RecurrentActivation } from './activations';
import type { RecurrentSpec } from './spec';

export interface DirectionJob {
  spec: RecurrentSpec;
  /** This direction's activations (LSTM f, g, h; GRU f, g; RNN f). */
  acts: RecurrentActivation[];
  reverse: boolean;
  hidden: number;
  features: number;
  batch: number;
  steps: number;
  /** [batch, steps, features], batch-major whatever the op's layout, in the run's element type. */
  x: FloatArray;
  /** This direction's W [gates·H, features], R [gates·H, H] (ONNX gate order), Wb and Rb [gates·H], P [3H] (i, o, f). */
  W: FloatArray;
  R: FloatArray;
  Wb: FloatArray | null;
  Rb: FloatArray | null;
  P: FloatArray | null;
  /** sequence_lens: steps t ≥ lens[b] are not processed (their Y is 0). */
  lens: Int32Array | null;
  /** [batch·H] each, or null for zeros. */
  initialH: FloatArray | null;
  initialC: FloatArray | null;
  dtype: 'float32' | 'float64';
  record: boolean;
  layerIndex: number;
  layerName: string;
  /** The trace's direction: 'backward' only for the reverse half of a bidirectional op. */
  traceDirection: Direction;
}

export interface DirectionResult {
  /** [batch, steps, H] in input time order, zeros at steps past a sequence's length. */
  sequence: FloatArray;
  /** Last processed h (and c for LSTM), [batch·H]. */
  h: FloatArray;
  c: FloatArray | null;
  trace: LayerTrace | null;
}

/** mask[b·steps + t] = 1 for a step inside sequence b's length (the engine's padding mask). */
export function lengthMask(lens: Int32Array | null, batch: number, steps: number): Uint8Array | null {
  if (!lens) return null;
  const mask = new Uint8Array(batch * steps);
  for (let b = 0; b < batch; b++) mask.fill(1, b * steps, b * steps + Math.min(lens[b]!, steps));
  return mask;
}
