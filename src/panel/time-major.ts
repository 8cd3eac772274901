/**
 * A time-major input: an ONNX graph keeps its own layouts, and one whose recurrent op reads the graph input directly
 * with layout 0 (the ONNX default; torch.onnx.export of an nn.LSTM without batch_first) takes [time, batch, features].
 * The panel speaks batch first everywhere (the batch item picker, the input chart and its time axis, the rows of each
 * window, the playground's edits), so it shows such an input swapped to [batch, time, features] and swaps an edit back
 * before running it. Known from the run: the first recurrent layer's batch and steps are the input's dims 1 and 0.
 */
import type { Tensor } from '../engine/tensor';
import { applyEdit, type InputEdit } from './playground';

/**
 * True when the input is [time, batch, …] for this run: `first` (the first recurrent layer's trace) has
 * batch = dim 1 and steps = dim 0. When time and batch are the same size the two layouts look alike: batch first it
 * is (the dims' meaning cannot be read off the run then).
 */
export function isTimeMajor(input: Tensor, first: { batch: number; steps: number } | undefined): boolean {
  const [d0, d1] = input.shape;
  if (!first || input.shape.length < 3 || d0 === undefined || d1 === undefined || d0 === d1) return false;
  return first.steps === d0 && first.batch === d1;
}

/** [a, b, …rest] → [b, a, …rest] (its own inverse), in the same element type. */
export function swapFirstAxes(t: Tensor): Tensor {
  const [a, b, ...rest] = t.shape as number[];
  const per = rest.reduce((x, d) => x * d, 1);
  const out = new (t.data.constructor as Float64ArrayConstructor)(t.data.length);
  for (let i = 0; i < a!; i++) for (let j = 0; j < b!; j++) out.set(t.data.subarray((i * b! + j) * per, (i * b! + j + 1) * per), (j * a! + i) * per);
  return { ...t, shape: [b!, a!, ...rest], data: out };
}

/** A playground edit (of the input as shown: batch first) applied to the run's input, in the run's layout. */
export function applyEditShown(input: Tensor, edit: InputEdit, timeMajor: boolean): Tensor {
  return timeMajor ? swapFirstAxes(applyEdit(swapFirstAxes(input), edit)) : applyEdit(input, edit);
}
