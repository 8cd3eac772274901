/**
 * The input two models are compared on (and a panel runs) when none is given: fixed pseudo-random numbers, so two
 * runs see the same sequence. A state dict or an ONNX graph says its feature count but carries no input.
 */
import type { Tensor } from '../engine/tensor';

export const SEEDED_SHAPE = { batch: 2, steps: 8 };

/** A fixed pseudo-random input in [-1, 1) (mulberry32), so two runs of the checker see the same numbers. */
export function seededInput(features: number, batch = SEEDED_SHAPE.batch, steps = SEEDED_SHAPE.steps): Tensor {
  let s = 0x5eed;
  const next = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const data = new Float64Array(batch * steps * features).map(() => 2 * next() - 1);
  return { shape: [batch, steps, features], data };
}

