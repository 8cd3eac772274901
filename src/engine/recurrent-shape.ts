/**
 * A recurrent layer seen at its input: what the sequence driver runs (a [batch, steps, features] input, `units`
 * values per step) and the shape each step's output has for the layers after it. For SimpleRNN / LSTM / GRU that is
 * the layer as it is, with [units] per step. A ConvLSTM's step is a frame ([…spatial, channels], or [channels,
 * …spatial] for channels_first): the layer is specialized to the frame's sizes, its units are the output positions
 * × filters and each step's output takes the frame shape [...out, filters] (or [filters, ...out]) again.
 */
import { convOutput } from './conv-patches';
import { RunError } from './errors';
import type { ConvRecurrentSpec, RecurrentLayer } from './model';
import type { UnitGrid } from './trace';
import { shapeText, type Tensor } from './tensor';

export interface RecurrentView {
  layer: RecurrentLayer;
  /** The input as [batch, steps, features] (the same values). */
  input: Tensor;
  /** The shape of one step's output without batch and time: [units], or a ConvLSTM's frame. */
  stepShape: number[];
}

export function atInputShape(layer: RecurrentLayer, x: Tensor): RecurrentView {
  const spec = layer.conv;
  if (!spec) return { layer, input: x, stepShape: [layer.config.units] };
  const rank = spec.spatial.length;
  const frameAxes = x.shape.slice(2);
  const want = spec.channelsFirst ? 'channels, ' + spec.spatial.map((_, a) => `dim${a + 1}`).join(', ') : spec.spatial.map((_, a) => `dim${a + 1}`).join(', ') + ', channels';
  if (x.shape.length !== rank + 3) {
    throw new RunError(`layer "${layer.name}" (ConvLSTM${rank}D) needs a ${rank + 3}-D input [batch, time steps, ${want}]; got ${shapeText(x.shape)}`);
  }
  const channels = spec.channelsFirst ? frameAxes[0]! : frameAxes[rank]!;
  const spatial = spec.channelsFirst ? frameAxes.slice(1) : frameAxes.slice(0, rank);
  if (channels !== spec.channels) {
    throw new RunError(`layer "${layer.name}" (ConvLSTM${rank}D) expects ${spec.channels} channel(s) per position (${spec.channelsFirst ? 'channels_first' : 'channels_last'}); the input has ${channels} (shape ${shapeText(x.shape)})`);
  }
  spatial.forEach((n, a) => {
    const fixed = spec.spatial[a];
    if (fixed !== null && fixed !== undefined && fixed !== n) throw new RunError(`layer "${layer.name}" was built for frames of ${shapeText(spec.spatial)}; the input's are ${shapeText(spatial)} (shape ${shapeText(x.shape)})`);
  });
  const out = convOutput({ spatial, kernel: spec.kernelSize, strides: spec.strides, dilation: spec.dilation, padding: spec.padding });
  if (out.some((n) => n < 1)) throw new RunError(`layer "${layer.name}" (ConvLSTM${rank}D): frames of ${shapeText(spatial)} are smaller than its kernel ${shapeText(spec.kernelSize)} (padding valid)`);
  const positions = out.reduce((a, b) => a * b, 1);
  const frame = spatial.reduce((a, b) => a * b, 1) * channels;
  const [batch, steps] = x.shape as [number, number];
  return {
    layer: { ...layer, config: { ...layer.config, units: positions * spec.filters }, conv: { ...spec, spatial } },
    input: { shape: [batch, steps, frame], data: x.data },
    stepShape: spec.channelsFirst ? [spec.filters, ...out] : [...out, spec.filters],
  };
}

/** The frame a specialized ConvLSTM's units lie on (its `spatial` known). */
export function unitGrid(spec: ConvRecurrentSpec): UnitGrid {
  const out = convOutput({ spatial: spec.spatial.map((n) => n ?? 0), kernel: spec.kernelSize, strides: spec.strides, dilation: spec.dilation, padding: spec.padding });
  return { out, filters: spec.filters, channelsFirst: spec.channelsFirst };
}

/** A tensor [lead…, units] as [lead…, …stepShape] (the same values). */
export function withStepShape(t: Tensor, stepShape: readonly number[]): Tensor {
  if (stepShape.length === 1) return t;
  return { shape: [...t.shape.slice(0, -1), ...stepShape], data: t.data };
}
