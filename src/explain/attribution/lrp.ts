/**
 * Layer-wise relevance propagation for LSTM / GRU models (Arras et al. 2017): the target's value is handed back
 * layer by layer, through the signal path of the gated cells (lrp/), to the input. For a non-linear head (softmax,
 * sigmoid, …) the explained value is the head's pre-activation (the logit), as in LRP practice. Conservation error:
 * |Σ relevance of the input − explained value|, what biases, ε and the initial states kept.
 */
import { callGraph } from '../graph';
import { backward } from '../backward';
import { densePreActivation } from '../lrp/layers';
import { targetSeeds } from '../target';
import type { MethodInput, MethodResult } from './types';

export function lrp(m: MethodInput): MethodResult {
  const fr = m.space.run;
  const { model, run } = fr;
  const graph = callGraph(model);
  const lastNode = graph.nodes[graph.nodes.length - 1];
  const last = lastNode ? model.layers[lastNode.layer] : undefined;
  const out = run.outputs[m.target.output]!;
  let z = out.data[m.target.flat]!;
  if (m.target.output === 0 && last && lastNode) {
    const ref = lastNode.inputs[0]!;
    const x = 'input' in ref ? fr.input.data : run.layerOutputs[graph.nodes[ref.node]!.layer]!.data;
    const width = out.shape[out.shape.length - 1]!;
    if (last.kind === 'dense' && last.activation !== 'linear') z = densePreActivation(last, x, Math.floor(m.target.flat / width), m.target.flat % width);
    if (last.kind === 'activation') z = x[m.target.flat]!;
  }
  const seeds = targetSeeds(run.outputs, m.target).map((s) => (s ? s.map((v) => v * z) : s));
  const g = backward(fr, seeds, undefined, m.lrp);
  const total = g.grad.data.reduce((s, v) => s + v, 0);
  return { data: g.grad.data, conservationError: Math.abs(total - z), explainedValue: z, initialStateRelevance: g.initialTotal };
}
