/** Shape arithmetic shared by the operators: numpy broadcasting, strides, axes counted from the end. */
import { runFailure, type OnnxNode } from './types';

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let n = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = n;
    n *= shape[i]!;
  }
  return s;
}

/** numpy's rule: align from the right; each pair of dims is equal or one of them is 1. */
export function broadcastShape(node: OnnxNode, shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const k = rank - s.length + i;
      const d = s[i]!;
      if (d === out[k] || d === 1) continue;
      if (out[k] === 1) out[k] = d;
      else throw runFailure(node, `shapes [${shapes.map((x) => x.join(', ')).join('] and [')}] do not broadcast (numpy rules)`);
    }
  }
  return out;
}

/**
 * The flat offset, in a source array, of every element of `shape` in row-major order, when moving one step along
 * axis k moves `steps[k]` in the source (0 for a broadcast axis, a permuted stride for a transpose): an odometer.
 */
export function stridedOffsets(shape: readonly number[], steps: readonly number[], start = 0): Int32Array {
  const rank = shape.length;
  let n = 1;
  for (const d of shape) n *= d;
  const offsets = new Int32Array(n);
  const idx = new Array<number>(rank).fill(0);
  let off = start;
  for (let e = 0; e < n; e++) {
    offsets[e] = off;
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]!++;
      off += steps[k]!;
      if (idx[k]! < shape[k]!) break;
      off -= steps[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
  return offsets;
}

/** For each element of `outShape`, its offset in a tensor of shape `inShape` broadcast to it (null: same shape). */
export function broadcastOffsets(inShape: readonly number[], outShape: readonly number[]): Int32Array | null {
  if (inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i])) return null;
  const inStrides = strides(inShape);
  const steps = new Array<number>(outShape.length).fill(0);
  inShape.forEach((d, i) => (steps[outShape.length - inShape.length + i] = d === 1 ? 0 : inStrides[i]!));
  return stridedOffsets(outShape, steps);
}

/** An axis in [-rank, rank) as an index in [0, rank). */
export function normalizeAxis(node: OnnxNode, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw runFailure(node, `axis ${axis} is outside a tensor of rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}
