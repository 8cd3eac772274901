/**
 * Softmax and LogSoftmax. Before opset 13 the input is coerced to 2-D at `axis` (default 1) and normalised over
 * everything from that axis on; from 13, over the one axis (default -1).
 */
import { make } from '../tensor';
import { normalizeAxis } from './shape-util';
import { required, type OpDef } from './types';

function softmaxOp(log: boolean): OpDef {
  return {
    prepare: (node, opset) => {
      const axisAttr = node.attrs.int('axis', opset < 13 ? 1 : -1);
      return (inputs) => {
        const x = required(node, inputs, 0, 'input');
        const axis = normalizeAxis(node, axisAttr, x.shape.length);
        let outer = 1;
        for (let i = 0; i < axis; i++) outer *= x.shape[i]!;
        // Old opsets: one row per outer block, spanning every later axis; new: the axis alone, strided by inner.
        const inner = opset < 13 ? 1 : x.shape.slice(axis + 1).reduce((n, d) => n * d, 1);
        const dim = opset < 13 ? x.data.length / (outer || 1) : x.shape[axis]!;
        const out = make(x.dtype, x.shape);
        const [xd, od] = [x.data, out.data];
        for (let b = 0; b < outer; b++) {
          for (let k = 0; k < inner; k++) {
            const at = (j: number) => (b * dim + j) * inner + k;
            let max = -Infinity;
            for (let j = 0; j < dim; j++) max = Math.max(max, xd[at(j)]!);
            let sum = 0;
            for (let j = 0; j < dim; j++) sum += Math.exp(xd[at(j)]! - max);
            const logSum = Math.log(sum);
            for (let j = 0; j < dim; j++) {
              const z = xd[at(j)]! - max;
              od[at(j)] = log ? z - logSum : Math.exp(z) / sum;
            }
          }
        }
        return [out];
      };
    },
  };
}

export const SOFTMAX_OPS: Record<string, OpDef> = { Softmax: softmaxOp(false), LogSoftmax: softmaxOp(true) };
