/** numpy broadcasting of two tensors, shared by the mask nodes (NotEqual…) and the keras.ops arithmetic nodes. */
import { RunError } from '../errors';
import { shapeText, type Tensor } from '../tensor';
import { alloc, type LayerContext } from './flow';

/** f(a, b) elementwise with numpy broadcasting (sizes equal or 1, the shorter shape padded in front). */
export function broadcast(a: Tensor, b: Tensor, f: (x: number, y: number) => number, name: string, ctx: LayerContext): Tensor {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pad = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const sa = pad(a.shape);
  const sb = pad(b.shape);
  const shape = sa.map((d, i) => {
    const e = sb[i]!;
    if (d !== e && d !== 1 && e !== 1) throw new RunError(`node "${name}": shapes ${shapeText(a.shape)} and ${shapeText(b.shape)} do not broadcast`);
    return Math.max(d, e);
  });
  const strides = (s: number[]) => s.map((d, i) => (d === 1 ? 0 : s.slice(i + 1).reduce((p, x) => p * x, 1)));
  const ta = strides(sa);
  const tb = strides(sb);
  const n = shape.reduce((p, d) => p * d, 1);
  const out = alloc(n, ctx);
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let ia = 0;
    let ib = 0;
    for (let i = 0; i < rank; i++) {
      ia += idx[i]! * ta[i]!;
      ib += idx[i]! * tb[i]!;
    }
    out[k] = f(a.data[ia]!, b.data[ib]!);
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return { shape, data: out };
}
