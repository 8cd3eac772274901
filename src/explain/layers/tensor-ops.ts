/**
 * keras.ops nodes backwards (src/engine/layers/tensor-ops.ts). Element-wise functions: f'(x)·dy (the kinks as JAX
 * takes them: relu 0 at 0, abs sign(x)). Arithmetic with broadcasting: each operand's partial, summed over the
 * positions it was broadcast to (the map from the forward's own broadcast run on labels). Reductions: sum spreads dy,
 * mean spreads dy/n, max / min split it equally among the elements equal to the result (jnp.max's gradient), prod
 * gives each the product of the others. The shape operations move the gradient back (gather.ts).
 */
import { applyTensorOp, type TensorOpLayer, type UnaryFn } from '../../engine/layers/tensor-ops';
import { broadcast } from '../../engine/layers/broadcast';
import { resolveAxis } from '../../engine/layers/flow';
import type { Tensor } from '../../engine/tensor';
import type { BackwardContext } from '../cells';
import { scalarDerivative } from '../derivatives';
import { gatherBackward } from './gather';
import { ExplainError } from './layer';

const GELU_C = Math.sqrt(2 / Math.PI);

function unaryDerivative(fn: UnaryFn, ctx: BackwardContext): (x: number) => number {
  switch (fn) {
    case 'abs':
      return (x) => Math.sign(x);
    case 'negative':
      return () => -1;
    case 'square':
      return (x) => 2 * x;
    case 'sqrt':
      return (x) => 0.5 / Math.sqrt(x);
    case 'exp':
    case 'expm1':
      return Math.exp;
    case 'log':
      return (x) => 1 / x;
    case 'log1p':
      return (x) => 1 / (1 + x);
    case 'sin':
      return Math.cos;
    case 'cos':
      return (x) => -Math.sin(x);
    case 'sign':
    case 'floor':
    case 'ceil':
      return () => 0;
    case 'reciprocal':
      return (x) => -1 / (x * x);
    case 'gelu_approximate':
      return (x) => {
        const u = GELU_C * (x + 0.044715 * x * x * x);
        const t = Math.tanh(u);
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
      };
    default:
      return scalarDerivative(fn, ctx.hardSigmoid)!;
  }
}

function binaryPartials(fn: string): (a: number, b: number) => [number, number] {
  switch (fn) {
    case 'add':
      return () => [1, 1];
    case 'subtract':
      return () => [1, -1];
    case 'multiply':
      return (a, b) => [b, a];
    case 'divide':
      return (a, b) => [1 / b, -a / (b * b)];
    case 'maximum':
      return (a, b) => (a > b ? [1, 0] : a < b ? [0, 1] : [0.5, 0.5]);
    case 'minimum':
      return (a, b) => (a < b ? [1, 0] : a > b ? [0, 1] : [0.5, 0.5]);
    case 'power':
      return (a, b) => [b * a ** (b - 1), a > 0 ? a ** b * Math.log(a) : 0];
    default:
      throw new ExplainError(`keras.ops.${fn} cannot be differentiated yet`);
  }
}

export function tensorOpBackward(layer: TensorOpLayer, ins: readonly Tensor[], dy: Float64Array, ctx: BackwardContext): (Float64Array | null)[] {
  const lctx = { precision: 'float64' as const, hardSigmoid: ctx.hardSigmoid };
  const x = ins[0]!;
  switch (layer.op) {
    case 'unary': {
      const d = unaryDerivative(layer.fn, ctx);
      return [Float64Array.from(dy, (g, k) => g * d(x.data[k]!))];
    }
    case 'binary': {
      const p = binaryPartials(layer.fn);
      const c = layer.constant;
      if (c !== null) return [Float64Array.from(dy, (g, k) => g * (layer.constantFirst ? p(c, x.data[k]!)[1] : p(x.data[k]!, c)[0]))];
      const y = ins[1]!;
      // Which element of each operand every output position read: broadcast run on labels.
      const label = (t: Tensor) => ({ shape: t.shape, data: Float64Array.from({ length: t.data.length }, (_, k) => k) });
      const ia = broadcast(label(x), label(y), (a) => a, layer.name, lctx).data;
      const ib = broadcast(label(x), label(y), (_, b) => b, layer.name, lctx).data;
      const da = new Float64Array(x.data.length);
      const db = new Float64Array(y.data.length);
      for (let k = 0; k < dy.length; k++) {
        const a = ia[k]!;
        const b = ib[k]!;
        const [pa, pb] = p(x.data[a]!, y.data[b]!);
        da[a] += dy[k]! * pa;
        db[b] += dy[k]! * pb;
      }
      return [da, db];
    }
    case 'reduce':
      return [reduceBackward(layer, x, dy)];
    default:
      // The shape operations (and fold/unfold, whose second input only lends its shape).
      return gatherBackward((labels) => applyTensorOp(layer, labels.map((value) => ({ value, mask: null })), lctx).value, ins.map((t) => t.shape), dy).map((g, k) => (layer.op === 'unfold_time' && k > 0 ? null : g));
  }
}

function reduceBackward(layer: Extract<TensorOpLayer, { op: 'reduce' }>, x: Tensor, dy: Float64Array): Float64Array {
  const rank = x.shape.length;
  const axes = new Set(layer.axes === null ? x.shape.map((_, i) => i) : layer.axes.map((a) => resolveAxis(a, rank, layer.name)));
  const outShape = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const n = x.shape.reduce((p, d, i) => (axes.has(i) ? p * d : p), 1);
  const strides = outShape.map((_, i) => outShape.slice(i + 1).reduce((p, d) => p * d, 1));
  // Each element's output position (as the forward walks it).
  const pos = new Int32Array(x.data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < pos.length; k++) {
    let o = 0;
    for (let i = 0; i < rank; i++) if (!axes.has(i)) o += idx[i]! * strides[i]!;
    pos[k] = o;
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i]! < x.shape[i]!) break;
      idx[i] = 0;
    }
  }
  const size = dy.length;
  const dx = new Float64Array(x.data.length);
  switch (layer.fn) {
    case 'sum':
    case 'mean': {
      const s = layer.fn === 'mean' ? 1 / n : 1;
      for (let k = 0; k < dx.length; k++) dx[k] = dy[pos[k]!]! * s;
      return dx;
    }
    case 'max':
    case 'min': {
      const best = new Float64Array(size).fill(layer.fn === 'max' ? -Infinity : Infinity);
      for (let k = 0; k < dx.length; k++) best[pos[k]!] = layer.fn === 'max' ? Math.max(best[pos[k]!]!, x.data[k]!) : Math.min(best[pos[k]!]!, x.data[k]!);
      const ties = new Float64Array(size);
      for (let k = 0; k < dx.length; k++) if (x.data[k] === best[pos[k]!]) ties[pos[k]!] += 1;
      for (let k = 0; k < dx.length; k++) if (x.data[k] === best[pos[k]!]) dx[k] = dy[pos[k]!]! / ties[pos[k]!]!;
      return dx;
    }
    case 'prod': {
      for (let k = 0; k < dx.length; k++) {
        let p = 1;
        for (let j = 0; j < dx.length; j++) if (j !== k && pos[j] === pos[k]) p *= x.data[j]!;
        dx[k] = dy[pos[k]!]! * p;
      }
      return dx;
    }
  }
}
