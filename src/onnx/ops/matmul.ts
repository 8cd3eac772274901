/**
 * MatMul (numpy.matmul: batch dims broadcast, 1-D operands promoted and the added axis removed) and Gemm
 * (Y = alpha·A'·B' + beta·C, A' = transA ? Aᵀ : A). Each dot product is summed in double and stored once.
 */
import { make, type OnnxTensor } from '../tensor';
import { broadcastOffsets, broadcastShape } from './shape-util';
import { required, runFailure, type OnnxNode, type OpDef } from './types';

const matMul: OpDef = {
  prepare: (node) => (inputs) => {
    const a = required(node, inputs, 0, 'A');
    const b = required(node, inputs, 1, 'B');
    if (a.dtype !== b.dtype) throw runFailure(node, `inputs of types ${a.dtype} and ${b.dtype}; ONNX requires one type`);
    if (!a.shape.length || !b.shape.length) throw runFailure(node, 'MatMul needs inputs of rank ≥ 1');
    const aShape = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
    const bShape = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
    const [M, K] = aShape.slice(-2) as [number, number];
    const [K2, N] = bShape.slice(-2) as [number, number];
    if (K !== K2) throw runFailure(node, `cannot multiply [${a.shape.join(', ')}] by [${b.shape.join(', ')}] (inner sizes ${K} and ${K2})`);
    const batch = broadcastShape(node, [aShape.slice(0, -2), bShape.slice(0, -2)]);
    const aOff = broadcastOffsets(aShape.slice(0, -2), batch);
    const bOff = broadcastOffsets(bShape.slice(0, -2), batch);
    const count = batch.reduce((n, d) => n * d, 1);
    const out = make(a.dtype, [...batch, M, N]);
    for (let p = 0; p < count; p++) {
      const ao = (aOff ? aOff[p]! : p) * M * K;
      const bo = (bOff ? bOff[p]! : p) * K * N;
      product(a.data, ao, K, 1, b.data, bo, N, 1, out.data, p * M * N, M, N, K, 1, null, 0);
    }
    let shape = [...batch, M, N];
    if (a.shape.length === 1) shape.splice(shape.length - 2, 1);
    if (b.shape.length === 1) shape = shape.slice(0, -1);
    return [{ ...out, shape }];
  },
};

/**
 * out[i, j] = alpha · Σ_k A[i, k]·B[k, j] (+ c(i, j)), with A and B read through (row, column) strides so that
 * transposed operands need no copy.
 */
function product(
  A: ArrayLike<number>,
  aOff: number,
  aRow: number,
  aCol: number,
  B: ArrayLike<number>,
  bOff: number,
  bRow: number,
  bCol: number,
  out: { [i: number]: number; length: number },
  oOff: number,
  M: number,
  N: number,
  K: number,
  alpha: number,
  c: ((i: number, j: number) => number) | null,
  beta: number,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[aOff + i * aRow + k * aCol]! * B[bOff + k * bRow + j * bCol]!;
      out[oOff + i * N + j] = c ? alpha * s + beta * c(i, j) : alpha === 1 ? s : alpha * s;
    }
  }
}

function gemmC(node: OnnxNode, c: OnnxTensor | undefined, M: number, N: number): ((i: number, j: number) => number) | null {
  if (!c) return null;
  const shape = broadcastShape(node, [c.shape, [M, N]]);
  if (shape.length !== 2 || shape[0] !== M || shape[1] !== N) throw runFailure(node, `C of shape [${c.shape.join(', ')}] does not broadcast to [${M}, ${N}]`);
  const off = broadcastOffsets(c.shape, [M, N]);
  return (i, j) => c.data[off ? off[i * N + j]! : i * N + j]!;
}

const gemm: OpDef = {
  prepare: (node) => {
    const transA = node.attrs.int('transA', 0) !== 0;
    const transB = node.attrs.int('transB', 0) !== 0;
    const alpha = node.attrs.float('alpha', 1);
    const beta = node.attrs.float('beta', 1);
    return (inputs) => {
      const a = required(node, inputs, 0, 'A');
      const b = required(node, inputs, 1, 'B');
      if (a.shape.length !== 2 || b.shape.length !== 2) throw runFailure(node, `Gemm needs 2-D A and B; got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
      const [M, K] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
      const [K2, N] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
      if (K !== K2) throw runFailure(node, `cannot multiply A' [${M}, ${K}] by B' [${K2}, ${N}]`);
      const out = make(a.dtype, [M, N]);
      const [aRow, aCol] = transA ? [1, M] : [K, 1];
      const [bRow, bCol] = transB ? [1, K] : [N, 1];
      product(a.data, 0, aRow, aCol, b.data, 0, bRow, bCol, out.data, 0, M, N, K, alpha, gemmC(node, inputs[2], M, N), beta);
      return [out];
    };
  },
};

export const MATMUL_OPS: Record<string, OpDef> = { MatMul: matMul, Gemm: gemm };
