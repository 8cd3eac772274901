/** Small, pure tensor rearrangements the hypotheses are made of. Every function returns a new tensor. */
import type { Tensor } from '../engine/tensor';

function copyLike(t: Tensor, shape: readonly number[] = t.shape): { shape: number[]; data: Tensor['data'] } {
  return { shape: [...shape], data: t.data.slice() };
}

/** A 1-D tensor is one row; a 2-D tensor is rows × columns. */
function rowsCols(t: Tensor): [number, number] {
  if (t.shape.length === 1) return [1, t.shape[0]!];
  if (t.shape.length === 2) return [t.shape[0]!, t.shape[1]!];
  throw new RangeError(`expected a 1-D or 2-D weight, got shape [${t.shape.join(', ')}]`);
}

/**
 * Reorders the column blocks of a [rows, gates·u] weight (or a [gates·u] bias): block g of the result is block
 * `from[g]` of the input.
 */
export function permuteColumnBlocks(t: Tensor, gates: number, from: readonly number[]): Tensor {
  const [rows, cols] = rowsCols(t);
  const u = cols / gates;
  const out = copyLike(t);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < gates; g++) {
      out.data.set(t.data.subarray(r * cols + from[g]! * u, r * cols + (from[g]! + 1) * u), r * cols + g * u);
    }
  }
  return out;
}

export function transpose(t: Tensor): Tensor {
  const [rows, cols] = rowsCols(t);
  const out = copyLike(t, [cols, rows]);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out.data[c * rows + r] = t.data[r * cols + c]!;
  return out;
}

/** Transposes each square [u, u] column block of a [u, gates·u] weight in place of itself. */
export function transposeBlocks(t: Tensor, gates: number): Tensor {
  const [rows, cols] = rowsCols(t);
  const u = cols / gates;
  if (rows !== u) throw new RangeError(`blocks of [${rows}, ${u}] are not square`);
  const out = copyLike(t);
  for (let g = 0; g < gates; g++) {
    for (let r = 0; r < u; r++) for (let c = 0; c < u; c++) out.data[c * cols + g * u + r] = t.data[r * cols + g * u + c]!;
  }
  return out;
}

export function zerosLike(t: Tensor): Tensor {
  const out = copyLike(t);
  out.data.fill(0);
  return out;
}

/** Reverses axis 1 (time) of a [batch, time, ...] tensor. */
export function reverseTime(t: Tensor): Tensor {
  if (t.shape.length < 3) return t;
  const [batch, steps] = [t.shape[0]!, t.shape[1]!];
  const row = t.data.length / (batch * steps);
  const out = copyLike(t);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < steps; s++) {
      out.data.set(t.data.subarray((b * steps + s) * row, (b * steps + s + 1) * row), (b * steps + steps - 1 - s) * row);
    }
  }
  return out;
}

/** Stacks two [n] tensors into [2, n]. */
export function stackRows(a: Tensor, b: Tensor): Tensor {
  const data = new Float64Array(a.data.length + b.data.length);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { shape: [2, a.data.length], data };
}

/** Row 0 + row 1 of a [2, n] tensor, as [n]. */
export function sumRows(t: Tensor): Tensor {
  const n = t.shape[1]!;
  const data = new Float64Array(n);
  for (let j = 0; j < n; j++) data[j] = t.data[j]! + t.data[n + j]!;
  return { shape: [n], data };
}
