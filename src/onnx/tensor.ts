/**
 * Tensors as the interpreter holds them: an element type, a shape and row-major data. float32 data lives in a
 * Float32Array (every stored value rounded, as onnxruntime's float32 kernels store them), float64 in a
 * Float64Array; integer and bool tensors (token ids, shapes, axes, indices) hold exact integers in a Float64Array.
 */
import type { FloatArray } from '../engine/tensor';
import { LoadError, type JsonPath } from '../formats/load-error';
import { RunError } from '../engine/errors';
import { checkElements, type LoadLimits } from '../formats/limits';
import type { TensorProto } from './proto';
import { DATA_LOCATION, DATA_TYPE } from './schema';

export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint64' | 'uint32' | 'uint16' | 'uint8' | 'bool';

export interface OnnxTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: FloatArray;
}

/** ONNX element type number → DType, for the types Cellscope computes with. */
export const DTYPE_OF: Readonly<Record<number, DType>> = {
  [DATA_TYPE.FLOAT]: 'float32',
  [DATA_TYPE.DOUBLE]: 'float64',
  [DATA_TYPE.INT64]: 'int64',
  [DATA_TYPE.INT32]: 'int32',
  [DATA_TYPE.INT16]: 'int16',
  [DATA_TYPE.INT8]: 'int8',
  [DATA_TYPE.UINT64]: 'uint64',
  [DATA_TYPE.UINT32]: 'uint32',
  [DATA_TYPE.UINT16]: 'uint16',
  [DATA_TYPE.UINT8]: 'uint8',
  [DATA_TYPE.BOOL]: 'bool',
};

const TYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(DATA_TYPE).map(([k, v]) => [v, k.toLowerCase()]));

export function dataTypeName(n: number): string {
  return TYPE_NAMES[n] ?? `unknown type ${n}`;
}

export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function alloc(dtype: DType, n: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/**
 * Most values one tensor made while running may hold: 2^26 (512 MB in float64), beyond any recurrent model's
 * tensors (W4's Y is 6.5 M values). A graph can compute a shape (ConstantOfShape, Expand) far larger than memory,
 * which must end in an error, not an allocation.
 */
export const MAX_RUN_ELEMENTS = 2 ** 26;

export function make(dtype: DType, shape: readonly number[], data?: FloatArray): OnnxTensor {
  if (!data) {
    const n = size(shape);
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new RunError(`the graph asks for a tensor of shape [${shape.join(', ')}], whose dims are not all whole numbers ≥ 0`);
    if (!(n <= MAX_RUN_ELEMENTS)) throw new RunError(`the graph asks for a tensor of shape [${shape.join(', ')}] (${n} values), more than Cellscope's limit of ${MAX_RUN_ELEMENTS} values per tensor`);
    data = alloc(dtype, n);
  }
  return { dtype, shape: [...shape], data };
}

/** Bytes per element in raw_data. */
const RAW_BYTES: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint64: 8, uint32: 4, uint16: 2, uint8: 1, bool: 1 };

function readRaw(dtype: DType, raw: Uint8Array, n: number): FloatArray {
  const out = alloc(dtype, n);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read: (i: number) => number = {
    float32: (i: number) => v.getFloat32(4 * i, true),
    float64: (i: number) => v.getFloat64(8 * i, true),
    int64: (i: number) => Number(v.getBigInt64(8 * i, true)),
    int32: (i: number) => v.getInt32(4 * i, true),
    int16: (i: number) => v.getInt16(2 * i, true),
    int8: (i: number) => v.getInt8(i),
    uint64: (i: number) => Number(v.getBigUint64(8 * i, true)),
    uint32: (i: number) => v.getUint32(4 * i, true),
    uint16: (i: number) => v.getUint16(2 * i, true),
    uint8: (i: number) => v.getUint8(i),
    bool: (i: number) => (v.getUint8(i) ? 1 : 0),
  }[dtype];
  for (let i = 0; i < n; i++) out[i] = read(i);
  return out;
}

/** The typed field onnx.proto stores each element type in when raw_data is not used. */
function typedField(t: TensorProto, dtype: DType): number[] {
  switch (dtype) {
    case 'float32':
      return t.floatData;
    case 'float64':
      return t.doubleData;
    case 'int64':
      return t.int64Data;
    case 'uint64':
    case 'uint32':
      return t.uint64Data;
    default:
      return t.int32Data;
  }
}

export interface TensorWhere {
  file: string;
  path: JsonPath;
  /** e.g. `initializer "lstm.weight_ih_l0"`. */
  subject: string;
}

/**
 * A TensorProto as a tensor: element type, dims and data checked (dims against maxElements, the data's length
 * against the dims) before the typed array is made. External data is refused: Cellscope reads one file.
 */
export function tensorFromProto(t: TensorProto, where: TensorWhere, limits: LoadLimits): OnnxTensor {
  const fail = (expected: string, found: string, hint?: string): never => {
    throw new LoadError({ file: where.file, path: where.path, subject: where.subject, expected, found, ...(hint ? { hint } : {}) });
  };
  // Reached only when no sibling reader was given (src/onnx/external.ts reads them otherwise).
  if (t.dataLocation === DATA_LOCATION.EXTERNAL || t.externalData.length) {
    const location = t.externalData.find((e) => e.key === 'location')?.value;
    fail(
      'tensor data stored inside the .onnx file',
      `data_location EXTERNAL${location ? ` (in "${location}")` : ''}`,
      'open the model from its folder (the data file beside it), or write a single file in Python: onnx.save_model(onnx.load(path), "single.onnx", save_as_external_data=False) (models up to 2 GB)',
    );
  }
  const dtype = DTYPE_OF[t.dataType];
  if (!dtype) {
    fail(
      'a tensor of float, double, bool or an integer type',
      `element type ${dataTypeName(t.dataType)}`,
      t.dataType === DATA_TYPE.FLOAT16 || t.dataType === DATA_TYPE.BFLOAT16 ? 'export the model in float32 (float16 graphs are not computed by Cellscope)' : undefined,
    );
  }
  for (const d of t.dims) if (!Number.isSafeInteger(d) || d < 0) fail('dims that are whole numbers ≥ 0', `dims [${t.dims.join(', ')}]`);
  const n = size(t.dims);
  checkElements(n, where, limits, `tensor ${where.subject}`);
  if (t.rawData) {
    const need = n * RAW_BYTES[dtype!];
    if (t.rawData.length !== need) fail(`raw_data of ${need} bytes for dims [${t.dims.join(', ')}] of ${dtype}`, `${t.rawData.length} bytes`);
    return make(dtype!, t.dims, readRaw(dtype!, t.rawData, n));
  }
  const values = typedField(t, dtype!);
  if (values.length !== n) fail(`${n} values for dims [${t.dims.join(', ')}]`, `${values.length}`);
  const data = alloc(dtype!, n);
  for (let i = 0; i < n; i++) data[i] = dtype === 'bool' ? (values[i] ? 1 : 0) : values[i]!;
  return make(dtype!, t.dims, data);
}
