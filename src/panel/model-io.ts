/**
 * A model's inputs and outputs as the panel names them (a multi-input, multi-output graph: issue 12 §6), and which
 * model input each recurrent layer's sequence comes from, so the Input card shows the decoder's input beside the
 * decoder and the encoder's beside the encoder.
 */
import { graphOf, type Model, type TensorRef } from '../engine/model';

/**
 * The model input whose values reach layer `layerIndex`'s sequence: the first found walking back from its first call's
 * first input, through each call's inputs (not its `initial_state=`: a decoder's states come from the encoder, its
 * sequence from its own input). 0 when the layer is not called (or reads nothing but states).
 */
export function modelInputOf(model: Model, layerIndex: number): number {
  const g = graphOf(model);
  const first = g.nodes.find((n) => n.layer === layerIndex);
  if (!first) return 0;
  const seen = new Set<number>();
  const queue: TensorRef[] = first.inputs.slice(0, 1);
  while (queue.length) {
    const r = queue.shift()!;
    if ('input' in r) return r.input;
    if (seen.has(r.node)) continue;
    seen.add(r.node);
    queue.push(...g.nodes[r.node]!.inputs);
  }
  return 0;
}
