/**
 * Add, Sub, Mul, Div (numpy broadcasting) and the element-wise activations Relu, Tanh, Sigmoid. Values are
 * computed in double and stored in the output's array, so float32 results are rounded once per operation, as
 * onnxruntime's float32 kernels do.
 */
import { make } from '../tensor';
import { broadcastOffsets, broadcastShape } from './shape-util';
import { required, runFailure, type OpDef } from './types';

type Binary = (a: number, b: number) => number;

function binary(f: Binary, integerF: Binary = f): OpDef {
  return {
    prepare: (node) => (inputs) => {
      const a = required(node, inputs, 0, 'A');
      const b = required(node, inputs, 1, 'B');
      if (a.dtype !== b.dtype) throw runFailure(node, `inputs of types ${a.dtype} and ${b.dtype}; ONNX requires one type`);
      const shape = broadcastShape(node, [a.shape, b.shape]);
      const out = make(a.dtype, shape);
      const ao = broadcastOffsets(a.shape, shape);
      const bo = broadcastOffsets(b.shape, shape);
      const op = a.dtype === 'float32' || a.dtype === 'float64' ? f : integerF;
      const [ad, bd, od] = [a.data, b.data, out.data];
      for (let i = 0; i < od.length; i++) od[i] = op(ad[ao ? ao[i]! : i]!, bd[bo ? bo[i]! : i]!);
      return [out];
    },
  };
}

function unary(f: (x: number) => number): OpDef {
  return {
    prepare: (node) => (inputs) => {
      const x = required(node, inputs, 0, 'X');
      const out = make(x.dtype, x.shape);
      for (let i = 0; i < x.data.length; i++) out.data[i] = f(x.data[i]!);
      return [out];
    },
  };
}

export const ELEMENTWISE_OPS: Record<string, OpDef> = {
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  // Integer division truncates toward zero, as C++ (onnxruntime) does.
  Div: binary(
    (a, b) => a / b,
    (a, b) => Math.trunc(a / b),
  ),
  Relu: unary((x) => (x > 0 ? x : 0)),
  Tanh: unary(Math.tanh),
  Sigmoid: unary((x) => 1 / (1 + Math.exp(-x))),
};
