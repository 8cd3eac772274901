/**
 * Bidirectional's merge of the forward and (time-aligned) backward outputs. merge_mode None gives both, as Keras
 * returns a list; the chain carries the first and the rest join the model's outputs.
 */
import type { Round } from './half';
import type { MergeMode } from './model';
import type { Tensor } from './tensor';

/** `round`: a float16 / bfloat16 layer rounds each sum, product and halving, as Keras's ops on half tensors do. */
export function mergeDirections(mode: MergeMode, f: Tensor, b: Tensor, round: Round = (x) => x): Tensor[] {
  if (mode === null) return [f, b];
  if (mode === 'concat') {
    const u = f.shape[f.shape.length - 1]!;
    const rows = f.data.length / u;
    const out = new (f.data.constructor as Float64ArrayConstructor)(rows * 2 * u);
    for (let r = 0; r < rows; r++) {
      out.set(f.data.subarray(r * u, (r + 1) * u), 2 * r * u);
      out.set(b.data.subarray(r * u, (r + 1) * u), (2 * r + 1) * u);
    }
    return [{ shape: [...f.shape.slice(0, -1), 2 * u], data: out }];
  }
  const out = f.data.slice();
  for (let k = 0; k < out.length; k++) {
    const x = f.data[k]!;
    const y = b.data[k]!;
    out[k] = mode === 'sum' ? round(x + y) : mode === 'mul' ? round(x * y) : round(round(x + y) / 2);
  }
  return [{ shape: [...f.shape], data: out }];
}
