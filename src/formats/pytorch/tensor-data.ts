/**
 * Raw little-endian tensor bytes (a torch storage, a safetensors slice) → the engine's Tensor (float64 values).
 * Sizes, strides and offsets are checked against the bytes before anything is allocated.
 */
import type { Tensor } from '../../engine/tensor';
import { LoadError, type JsonPath } from '../load-error';
import { checkElements, elementCount, type LoadLimits } from '../limits';
import { float16FromBits } from '../half-float';

/** Bytes per element of the floating-point dtypes Cellscope reads (torch names). */
export const FLOAT_ITEMSIZE: Record<string, number> = { float32: 4, float64: 8, float16: 2, bfloat16: 2 };

export interface TensorLayout {
  dtype: string;
  shape: readonly number[];
  /** In elements; row-major when omitted. */
  stride?: readonly number[];
  /** In elements. */
  offset?: number;
}

export interface TensorWhere {
  file: string;
  path: JsonPath;
  subject: string;
}

const f32scratch = new DataView(new ArrayBuffer(4));
function bfloat16ToNumber(b: number): number {
  f32scratch.setUint32(0, b << 16, false);
  return f32scratch.getFloat32(0, false);
}

/** One reader per dtype: element index → value. */
function elementReader(view: DataView, dtype: string): (i: number) => number {
  switch (dtype) {
    case 'float32':
      return (i) => view.getFloat32(4 * i, true);
    case 'float64':
      return (i) => view.getFloat64(8 * i, true);
    case 'float16':
      return (i) => float16FromBits(view.getUint16(2 * i, true));
    default:
      return (i) => bfloat16ToNumber(view.getUint16(2 * i, true));
  }
}

export function decodeTensor(bytes: Uint8Array, layout: TensorLayout, where: TensorWhere, limits: LoadLimits): Tensor {
  const fail = (expected: string, found: string, hint?: string): never => {
    throw new LoadError({ file: where.file, path: where.path, subject: where.subject, expected, found, ...(hint ? { hint } : {}) });
  };
  const itemsize = FLOAT_ITEMSIZE[layout.dtype];
  if (!itemsize) fail('a floating-point tensor (float32, float64, float16 or bfloat16)', `dtype ${layout.dtype}`, 'recurrent weights are floating point; convert with tensor.float() before saving');
  const shape = layout.shape;
  const n = elementCount(shape);
  checkElements(n, { file: where.file, path: where.path, subject: where.subject }, limits, 'a tensor');
  const stride = layout.stride ?? rowMajorStrides(shape);
  const offset = layout.offset ?? 0;
  const available = Math.floor(bytes.length / itemsize!);
  if (n > 0) {
    let last = offset;
    for (let d = 0; d < shape.length; d++) last += (shape[d]! - 1) * stride[d]!;
    if (!Number.isSafeInteger(last) || last >= available) {
      fail(`a tensor inside its storage (${available} elements of ${layout.dtype})`, `size [${shape.join(', ')}], stride [${stride.join(', ')}], offset ${offset}, which reaches element ${last}`);
    }
  }
  const data = new Float64Array(n);
  if (LITTLE_ENDIAN_HOST && (layout.dtype === 'float32' || layout.dtype === 'float64') && isRowMajor(shape, stride)) {
    // Contiguous: one copy into a fresh (aligned) buffer read through a typed-array view, several times the element
    // loop's speed. Not bytes.slice(): a Node Buffer's slice is a view into a shared pool.
    const copy = new Uint8Array(n * itemsize!);
    copy.set(bytes.subarray(offset * itemsize!, (offset + n) * itemsize!));
    const raw = copy.buffer;
    data.set(layout.dtype === 'float32' ? new Float32Array(raw) : new Float64Array(raw));
    return { shape: [...shape], data };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = elementReader(view, layout.dtype);
  // Walk the output in row-major order, carrying the storage index of every dimension.
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let src = offset;
  for (let k = 0; k < n; k++) {
    data[k] = read(src);
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      src += stride[d]!;
      if (index[d]! < shape[d]!) break;
      src -= shape[d]! * stride[d]!;
      index[d] = 0;
    }
  }
  return { shape: [...shape], data };
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isRowMajor(shape: readonly number[], stride: readonly number[]): boolean {
  const want = rowMajorStrides(shape);
  // A dimension of size 1 may carry any stride.
  return shape.every((d, i) => d === 1 || stride[i] === want[i]);
}

export function rowMajorStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = s;
    s *= shape[d]!;
  }
  return out;
}
