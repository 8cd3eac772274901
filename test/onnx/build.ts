/** Small ONNX models written in TypeScript (protobufjs encoding with Cellscope's descriptor), for hostile-file tests. */
import protobuf from 'protobufjs/light';
import { ONNX_DESCRIPTOR, DATA_TYPE } from '../../src/onnx/schema';

const root = protobuf.Root.fromJSON(ONNX_DESCRIPTOR);
const ModelProto = root.lookupType('onnx.ModelProto');

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, unknown>[];
}

export function floatTensor(name: string, dims: number[], values?: number[]): Record<string, unknown> {
  const n = dims.reduce((a, b) => a * b, 1);
  return { name, dims, dataType: DATA_TYPE.FLOAT, floatData: values ?? Array.from({ length: n }, (_, i) => ((i % 7) - 3) / 10) };
}

export function valueInfo(name: string, dims: (number | string)[], elemType: number = DATA_TYPE.FLOAT): Record<string, unknown> {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

/** x [T, B, F] → LSTM (hidden H) → Y, with weights as initializers; `patch` edits the plain message before encoding. */
export function lstmModel(opts: { T?: number; B?: number; F?: number; H?: number } = {}, patch?: (m: any) => void): Uint8Array {
  const { T = 3, B = 1, F = 2, H = 2 } = opts;
  const m: any = {
    irVersion: 8,
    producerName: 'cellscope-tests',
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'g',
      node: [{ opType: 'LSTM', name: 'lstm', input: ['x', 'W', 'R'], output: ['Y'], attribute: [{ name: 'hidden_size', type: 2, i: H }] }],
      initializer: [floatTensor('W', [1, 4 * H, F]), floatTensor('R', [1, 4 * H, H])],
      input: [valueInfo('x', [T, B, F])],
      output: [valueInfo('Y', [T, 1, B, H])],
    },
  };
  patch?.(m);
  return encode(m);
}

export function encode(m: Record<string, unknown>): Uint8Array {
  const err = ModelProto.verify(m);
  if (err) throw new Error(err);
  return ModelProto.encode(ModelProto.fromObject(m)).finish();
}
