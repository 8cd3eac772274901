/** Operators that make tensors from attributes or shapes: Constant, ConstantOfShape, Shape, Cast. */
import { nodeError } from '../attributes';
import { DTYPE_OF, dataTypeName, make, type DType, type OnnxTensor } from '../tensor';
import { required, runFailure, shapeInts, type OpDef } from './types';

const constant: OpDef = {
  prepare: (node) => {
    const a = node.attrs;
    let value: OnnxTensor | undefined = a.tensor('value');
    if (!value && a.has('value_float')) value = make('float32', [], Float32Array.of(a.float('value_float', 0)));
    if (!value && a.has('value_floats')) value = make('float32', [a.floats('value_floats')!.length], Float32Array.from(a.floats('value_floats')!));
    if (!value && a.has('value_int')) value = make('int64', [], Float64Array.of(a.int('value_int', 0)));
    if (!value && a.has('value_ints')) value = make('int64', [a.ints('value_ints')!.length], Float64Array.from(a.ints('value_ints')!));
    if (!value) {
      throw nodeError(node.where, 'a Constant with value, value_float(s) or value_int(s)', `attributes [${a.names().join(', ')}]`, 'string and sparse constants are not supported; export the model so that they are folded away');
    }
    const v = value;
    return () => [v];
  },
};

const constantOfShape: OpDef = {
  prepare: (node) => {
    const value = node.attrs.tensor('value') ?? make('float32', [1], new Float32Array(1));
    if (value.data.length !== 1) throw nodeError(node.where, 'a value attribute of one element', `${value.data.length} elements`, undefined, 'value');
    return (inputs) => {
      const shape = shapeInts(node, required(node, inputs, 0, 'input'), 'the shape');
      if (shape.some((d) => d < 0)) throw runFailure(node, `a negative dimension in [${shape.join(', ')}]`);
      const out = make(value.dtype, shape);
      out.data.fill(value.data[0]!);
      return [out];
    };
  },
};

const shapeOp: OpDef = {
  prepare: (node) => {
    const start = node.attrs.int('start', 0);
    const end = node.attrs.has('end') ? node.attrs.int('end', 0) : undefined;
    return (inputs) => {
      const x = required(node, inputs, 0, 'data');
      const dims = x.shape.slice(start, end);
      return [make('int64', [dims.length], Float64Array.from(dims))];
    };
  },
};

/** Cast: float → integer truncates toward zero (C++ static_cast, as onnxruntime), anything → bool is `!= 0`. */
const cast: OpDef = {
  prepare: (node) => {
    const to = node.attrs.int('to', 0);
    const dtype: DType | undefined = DTYPE_OF[to];
    if (!dtype) throw nodeError(node.where, 'a cast to float, double, bool or an integer type', dataTypeName(to), undefined, 'to');
    return (inputs) => {
      const x = required(node, inputs, 0, 'input');
      const out = make(dtype, x.shape);
      const convert = dtype === 'bool' ? (v: number) => (v !== 0 ? 1 : 0) : dtype === 'float32' || dtype === 'float64' ? (v: number) => v : Math.trunc;
      for (let i = 0; i < x.data.length; i++) out.data[i] = convert(x.data[i]!);
      return [out];
    };
  },
};

export const CONSTANT_OPS: Record<string, OpDef> = { Constant: constant, ConstantOfShape: constantOfShape, Shape: shapeOp, Cast: cast };
