/** RepeatVector, Reshape, Permute, ZeroPadding1D, Cropping1D, UpSampling1D → engine layers, with the shapes they make. */
import type { Layer } from '../engine/model';
import { shapeText } from '../engine/tensor';
import { child, fail, readArray, readPositiveInt } from './json-read';
import { describeValue } from './load-error';
import { pairOf } from './keras-layer-args';
import type { LayerHeader } from './keras-layer-json';
import type { Converted, Flow } from './keras-recurrent';

const out = (h: LayerHeader, dims: (number | null)[] | null): Flow => ({ dims, from: `the output of layer "${h.name}"` });

function ints(h: LayerHeader, key: string, what: string): number[] {
  const at = child(h.configAt, key);
  return readArray(h.config[key], at, what).map((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) fail(child(at, i), 'an integer', describeValue(v), { subject: `layer "${h.name}"` });
    return v;
  });
}

export function convertReshapeFamily(h: LayerHeader, flow: Flow): Converted<Layer> {
  const d = flow.dims;
  const consumed = d ?? [];
  switch (h.className) {
    case 'RepeatVector': {
      const n = readPositiveInt(h.config.n, child(h.configAt, 'n'), 'the number of repeats n (a positive integer)');
      if (d && d.length !== 1) fail(h.configAt, `a vector input (features) for RepeatVector layer "${h.name}"`, `shape ${shapeText(d)} (${flow.from})`, { subject: `layer "${h.name}"` });
      return { layer: { kind: 'repeat_vector', name: h.name, n }, out: out(h, [n, d ? d[0]! : null]), consumed };
    }
    case 'Reshape': {
      const targetShape = ints(h, 'target_shape', 'the target shape (a list of sizes, one may be -1)');
      const known = d && d.every((x) => x !== null) ? d.reduce<number>((a, x) => a * x!, 1) : null;
      const fixed = targetShape.filter((x) => x !== -1).reduce((a, x) => a * x, 1);
      const dims = targetShape.map((x) => (x === -1 ? (known === null ? null : known / fixed) : x));
      return { layer: { kind: 'reshape', name: h.name, targetShape }, out: out(h, dims), consumed };
    }
    case 'Permute': {
      const dims = ints(h, 'dims', 'the axis order (a list of 1-based axes)');
      return { layer: { kind: 'permute', name: h.name, dims }, out: out(h, d ? dims.map((a) => d[a - 1] ?? null) : null), consumed };
    }
    case 'UpSampling1D': {
      const size = readPositiveInt(h.config.size ?? 2, child(h.configAt, 'size'), 'the repeat count size (a positive integer)');
      if (d && d.length !== 2) fail(h.configAt, `a sequence input (time steps, features) for UpSampling1D layer "${h.name}"`, `shape ${shapeText(d)} (${flow.from})`, { subject: `layer "${h.name}"` });
      const t = d?.[0] ?? null;
      return { layer: { kind: 'up_sampling1d', name: h.name, size }, out: out(h, d ? [t === null ? null : t * size, d[1] ?? null] : null), consumed };
    }
    default: {
      const pad = h.className === 'ZeroPadding1D';
      const [left, right] = pairOf(h, pad ? 'padding' : 'cropping', 1);
      const t = d?.[0] ?? null;
      const steps = t === null ? null : pad ? t + left + right : t - left - right;
      return { layer: { kind: pad ? 'zero_padding1d' : 'cropping1d', name: h.name, left, right }, out: out(h, d ? [steps, d[1] ?? null] : null), consumed };
    }
  }
}

export const RESHAPE_CLASSES = ['RepeatVector', 'Reshape', 'Permute', 'ZeroPadding1D', 'Cropping1D', 'UpSampling1D'];
