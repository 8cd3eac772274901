/**
 * An ONNX graph described for people in the engine's summary shape (what the panel header and the output channel
 * show for Keras models): the nodes that hold weights or recurrence, one row each, and the plumbing nodes (Shape,
 * Gather of indices, Transpose, …) counted in one row, since a torch.onnx export has dozens of them.
 */
import type { LayerSummary, ModelSummary } from '../engine/summary';
import type { OnnxGraph } from './graph';
import { phrase } from '../phrase';

const RECURRENT = new Set(['LSTM', 'GRU', 'RNN']);

function recurrentDetails(n: OnnxGraph['nodes'][number]): string {
  const a = n.attrs;
  const parts = [`hidden_size ${a.int('hidden_size', 0)}`, a.string('direction', 'forward')];
  if (a.int('layout', 0) === 1) parts.push('layout 1 (batch first)');
  if (n.opType === 'GRU') parts.push(`linear_before_reset ${a.int('linear_before_reset', 0)}`);
  if (n.opType === 'LSTM' && a.int('input_forget', 0)) parts.push('input_forget');
  const acts = a.strings('activations');
  if (acts) parts.push(acts.join(' / ').toLowerCase());
  if (a.has('clip')) parts.push(`clip ${a.float('clip', 0)}`);
  return parts.join(', ');
}

export function summarizeOnnxGraph(g: OnnxGraph): ModelSummary {
  const layers: LayerSummary[] = [];
  let plumbing = 0;
  let params = 0;
  for (const n of g.nodes) {
    const weights = n.inputs.filter((name) => name && g.initializers.has(name)).map((name) => g.initializers.get(name)!);
    const count = weights.reduce((s, t) => s + (t.dtype === 'float32' || t.dtype === 'float64' ? t.data.length : 0), 0);
    if (!RECURRENT.has(n.opType) && count === 0) {
      plumbing++;
      continue;
    }
    params += count;
    layers.push({ name: n.name, className: n.opType, outputShape: [], params: count, details: RECURRENT.has(n.opType) ? recurrentDetails(n) : '' });
  }
  if (plumbing) layers.push({ name: `${plumbing} other node${plumbing === 1 ? '' : 's'}`, className: 'shape / elementwise', outputShape: [], params: 0, details: '' });
  const first = g.inputs[0];
  const dims = first?.dims ?? [];
  return {
    name: g.file.slice(g.file.lastIndexOf('/') + 1),
    layers,
    params,
    // The first input's declared dims after the first (batch, or time for a time-major graph); symbolic dims unknown.
    inputShape: dims.slice(1).map((d) => (typeof d === 'number' ? d : null)),
    semantics: g.producer
      ? phrase('ONNX opset {0}, written by {1}: the whole graph runs, in its declared element types', g.opset, g.producer)
      : phrase('ONNX opset {0}: the whole graph runs, in its declared element types', g.opset),
  };
}
