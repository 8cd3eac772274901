/**
 * Keras's Dot layer, a batch dot product over one axis of each input (rank 2 or 3, batch axis excluded from
 * `axes`): out[b, i…, j…] = Σ_k x[b, …k…] · y[b, …k…], where i… are x's remaining axes and j… y's. Rank-2 inputs
 * give [batch, 1]. With normalize=True each input is first divided by its L2 norm along its axis.
 */
import { RunError } from '../errors';
import type { Tensor } from '../tensor';
import { shapeText } from '../tensor';
import { alloc, type Flow, type LayerContext } from './flow';

export interface DotLayer {
  kind: 'dot';
  name: string;
  /** The contracted axis of each input, counted with the batch axis (1 or 2). */
  axes: [number, number];
  normalize: boolean;
}

/** x as [batch, rest, k] with the contracted axis last (a copy when it is not). */
function contractLast(x: Tensor, axis: number, normalize: boolean, ctx: LayerContext): { rest: number; k: number; data: Float32Array | Float64Array } {
  const [b, ...sample] = x.shape;
  const k = x.shape[axis]!;
  const rest = sample.reduce((a, d) => a * d, 1) / k;
  const data = alloc(x.data.length, ctx);
  for (let n = 0; n < b!; n++) {
    for (let r = 0; r < rest; r++) {
      for (let c = 0; c < k; c++) {
        // Rank 3 with axis 1: x[n, c, r]; otherwise the axis is already last.
        const src = x.shape.length === 3 && axis === 1 ? (n * k + c) * rest + r : (n * rest + r) * k + c;
        data[(n * rest + r) * k + c] = x.data[src]!;
      }
    }
  }
  if (normalize) {
    for (let row = 0; row < data.length / k; row++) {
      let sq = 0;
      for (let c = 0; c < k; c++) sq += data[row * k + c]! * data[row * k + c]!;
      const inv = 1 / Math.sqrt(Math.max(sq, 1e-12));
      for (let c = 0; c < k; c++) data[row * k + c] = data[row * k + c]! * inv;
    }
  }
  return { rest, k, data };
}

export function applyDot(layer: DotLayer, inputs: Flow[], ctx: LayerContext): Flow {
  if (inputs.length !== 2) throw new RunError(`layer "${layer.name}" (Dot) takes 2 tensors; got ${inputs.length}`);
  const [x, y] = [inputs[0]!.value, inputs[1]!.value];
  if (x.shape.length > 3 || y.shape.length > 3 || x.shape[layer.axes[0]] !== y.shape[layer.axes[1]]) {
    throw new RunError(`layer "${layer.name}" (Dot, axes ${layer.axes.join(', ')}) cannot contract ${shapeText(x.shape)} with ${shapeText(y.shape)}`);
  }
  const a = contractLast(x, layer.axes[0], layer.normalize, ctx);
  const b = contractLast(y, layer.axes[1], layer.normalize, ctx);
  const batch = x.shape[0]!;
  const out = alloc(batch * a.rest * b.rest, ctx);
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < a.rest; i++) {
      for (let j = 0; j < b.rest; j++) {
        let acc = 0;
        for (let c = 0; c < a.k; c++) acc += a.data[(n * a.rest + i) * a.k + c]! * b.data[(n * b.rest + j) * b.k + c]!;
        out[(n * a.rest + i) * b.rest + j] = acc;
      }
    }
  }
  const keep = (t: Tensor, axis: number) => t.shape.slice(1).filter((_, i) => i + 1 !== axis);
  const shape = [batch, ...keep(x, layer.axes[0]), ...keep(y, layer.axes[1])];
  return { value: { shape: shape.length === 1 ? [batch, 1] : shape, data: out }, mask: null };
}
