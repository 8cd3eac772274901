/**
 * The W1 LSTM as an ONNX graph (one LSTM node, weights as initializers): Cellscope's ONNX interpreter (src/onnx, the
 * engine's cells underneath) and onnxruntime-node, the peer, run the same file in float32.
 */
import protobuf from 'protobufjs/light';
import { loadOnnx } from '../src/onnx/load';
import { DATA_TYPE, ONNX_DESCRIPTOR } from '../src/onnx/schema';
import type { Workload, WorkloadData } from './workloads';

type Timer = (fn: () => unknown | Promise<unknown>, budgetMs?: number) => Promise<unknown>;
type Add = (w: Workload, engine: string, precision: string, trace: string, t: any, note?: string) => void;

/** Keras gate block k (i, f, c, o) is ONNX block ONNX_BLOCK[k] (ONNX order i, o, f, c). */
const ONNX_BLOCK = [0, 2, 3, 1];

export function onnxLstmBytes(w: Workload, d: WorkloadData): Uint8Array {
  const H = w.units;
  const F = w.features;
  const { kernel, recurrentKernel, bias } = d.layer.weights;
  const toOnnx = (m: ArrayLike<number>, cols: number) => {
    const out = new Float32Array(4 * H * cols);
    for (let k = 0; k < 4; k++) for (let j = 0; j < H; j++) for (let f = 0; f < cols; f++) out[(ONNX_BLOCK[k]! * H + j) * cols + f] = m[f * 4 * H + k * H + j]!;
    return out;
  };
  const B = new Float32Array(8 * H);
  for (let k = 0; k < 4; k++) for (let j = 0; j < H; j++) B[ONNX_BLOCK[k]! * H + j] = bias!.data[k * H + j]!;
  const raw = (a: Float32Array) => new Uint8Array(a.buffer);
  const tensor = (name: string, dims: number[], a: Float32Array) => ({ name, dims, dataType: DATA_TYPE.FLOAT, rawData: raw(a) });
  const info = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: DATA_TYPE.FLOAT, shape: { dim: dims.map((v) => ({ dimValue: v })) } } } });
  const ModelProto = protobuf.Root.fromJSON(ONNX_DESCRIPTOR).lookupType('onnx.ModelProto');
  const message = {
    irVersion: 8,
    producerName: 'cellscope-bench',
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'w1',
      node: [{ opType: 'LSTM', name: 'lstm', input: ['X', 'W', 'R', 'B'], output: ['Y'], attribute: [{ name: 'hidden_size', type: 2, i: H }] }],
      initializer: [tensor('W', [1, 4 * H, F], toOnnx(kernel.data, F)), tensor('R', [1, 4 * H, H], toOnnx(recurrentKernel.data, H)), tensor('B', [1, 8 * H], B)],
      input: [info('X', [w.steps, w.batch, F])],
      output: [info('Y', [w.steps, 1, w.batch, H])],
    },
  };
  return ModelProto.encode(ModelProto.fromObject(message)).finish();
}

/** ONNX rows: Cellscope with the trace on and off, then onnxruntime-node (skipped with a note if it does not load). */
export async function onnxRows(w: Workload, d: WorkloadData, time: Timer, add: Add, peer: boolean): Promise<void> {
  const bytes = onnxLstmBytes(w, d);
  const model = loadOnnx(bytes, 'w1.onnx');
  // X is [steps, batch, features]: for batch 1 the same values in the same order as the engine's input.
  const x = { shape: [w.steps, w.batch, w.features], data: d.input.data };
  for (const record of [true, false]) add(w, 'onnx', 'float32', record ? 'on' : 'off', await time(() => model.run([x], { record })));
  if (!peer) return;
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    console.error(`  onnxruntime-node did not load (${(e as Error).message}); no ONNX peer row`);
    return;
  }
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const feeds = { X: new ort.Tensor('float32', Float32Array.from(d.input.data), x.shape) };
  const ours = model.run([x], { record: false }).output.data;
  const theirs = (await session.run(feeds)).Y!.data as Float32Array;
  let maxDiff = 0;
  for (let i = 0; i < theirs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(theirs[i]! - ours[i]!));
  add(w, 'onnxruntime', 'float32', 'n/a', await time(() => session.run(feeds)), `onnxruntime-node ${ort.env.versions.common}, 1 thread; max |Δ| vs Cellscope ${maxDiff.toExponential(1)}`);
  await session.release();
}
