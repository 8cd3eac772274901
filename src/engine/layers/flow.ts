/**
 * What travels along a graph edge: a tensor and the Keras mask that rides with it (`_keras_mask`), one flag per
 * position of every axis but the last (batch × time for a sequence): 1 for a real step, 0 for padding.
 */
import { RunError } from '../errors';
import type { HardSigmoidFlavor } from '../hard-sigmoid';
import { allocate, shapeText, type FloatArray, type Precision, type Tensor } from '../tensor';

export interface Flow {
  value: Tensor;
  /** Mutable: a layer may delete the mask of a tensor it reads, as Keras's MultiHeadAttention does. */
  mask: Uint8Array | null;
}

/** What a layer needs to know about the run. */
export interface LayerContext {
  precision: Precision;
  hardSigmoid: HardSigmoidFlavor;
}

export function flow(value: Tensor, mask: Uint8Array | null = null): Flow {
  return { value, mask };
}

export function alloc(n: number, ctx: LayerContext): FloatArray {
  return allocate(n, ctx.precision);
}

/** A tensor as a mask: nonzero → 1 (Keras 3's `NotEqual`/`Any` nodes hand booleans to the layers after them). */
export function maskOf(t: Tensor): Uint8Array {
  const m = new Uint8Array(t.data.length);
  for (let k = 0; k < m.length; k++) m[k] = t.data[k] !== 0 ? 1 : 0;
  return m;
}

/** The axis index of a Keras `axis` argument (negative counts from the end), checked against the rank. */
export function resolveAxis(axis: number, rank: number, layer: string): number {
  const a = axis < 0 ? rank + axis : axis;
  if (a < 0 || a >= rank) throw new RunError(`layer "${layer}": axis ${axis} does not exist in a tensor of rank ${rank}`);
  return a;
}

/** Requires a given rank (counting the batch axis), naming the layer and what it reads. */
export function requireRank(x: Tensor, rank: number, layer: string, what: string): void {
  if (x.shape.length !== rank) throw new RunError(`layer "${layer}" needs ${what}; got shape ${shapeText(x.shape)}`);
}
