/**
 * The backward of any layer that only moves values (Reshape, Permute, RepeatVector, padding and cropping,
 * keras.ops transpose / squeeze / reshape / slicing / concatenate / stack, TimeDistributed's fold and unfold): the
 * engine's own forward, run on labels (1, 2, 3, … over every element of every input, exact in float64), says which
 * input element each output element came from (0: a padded zero). The gradient then goes back along that map, summed
 * where the forward copied an element several times. One map for every such layer, and it cannot drift from the forward.
 */
import { sizeOf, type Tensor } from '../../engine/tensor';

export function gatherBackward(forward: (labels: Tensor[]) => Tensor, shapes: readonly (readonly number[])[], dy: Float64Array): Float64Array[] {
  const starts: number[] = [];
  let next = 1;
  const labels = shapes.map((s) => {
    const data = new Float64Array(sizeOf(s));
    starts.push(next);
    for (let k = 0; k < data.length; k++) data[k] = next++;
    return { shape: [...s], data };
  });
  const out = forward(labels).data;
  const grads = shapes.map((s) => new Float64Array(sizeOf(s)));
  for (let k = 0; k < out.length; k++) {
    const l = out[k]!;
    if (l === 0 || dy[k] === 0) continue;
    let i = starts.length - 1;
    while (starts[i]! > l) i--;
    grads[i]![l - starts[i]!] += dy[k]!;
  }
  return grads;
}
