/**
 * `.safetensors` files (Hugging Face): an 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}`, then the raw bytes. The npm package
 * `safetensors` is a 0.0.1 placeholder, so this is read here; it is only a length, JSON and byte ranges.
 */
import type { Tensor } from '../engine/tensor';
import { LoadError } from './load-error';
import { MAX_JSON_MEMBER_BYTES, checkDeclaredSize } from './binary-limits';
import { isObject } from './json-read';
import { decodeUtf8, parseJsonText } from './json-text';
import { elementCount, type LoadLimits } from './limits';
import { FLOAT_ITEMSIZE, decodeTensor } from './pytorch/tensor-data';

/** safetensors dtype names → torch names (FLOAT_ITEMSIZE keys); other dtypes are refused when used. */
const DTYPES: Record<string, string> = { F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16' };

/** The tensors by key; only those `wanted` asks for are decoded (see readTorchStateDict), the others are null. */
export function readSafetensors(bytes: Uint8Array, file: string, limits: LoadLimits, wanted: (key: string) => boolean = () => true): Map<string, Tensor | null> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length >= 8 ? Number(view.getBigUint64(0, true)) : -1;
  checkDeclaredSize(n, 'the safetensors header', { file, path: [] }, Math.min(MAX_JSON_MEMBER_BYTES, Math.max(0, bytes.length - 8)));
  const header = parseJsonText(decodeUtf8(bytes.subarray(8, 8 + n)), file);
  if (!isObject(header)) throw new LoadError({ file, path: [], expected: 'a safetensors header: a JSON object of tensors', found: 'another JSON value' });
  const dataStart = 8 + n;
  const out = new Map<string, Tensor | null>();
  for (const [key, entry] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    if (!wanted(key)) {
      out.set(key, null);
      continue;
    }
    const where = { file, path: [key], subject: `tensor "${key}"` };
    const fail = (expected: string, found: string): never => {
      throw new LoadError({ ...where, expected, found });
    };
    if (!isObject(entry)) fail('{dtype, shape, data_offsets}', 'another value');
    const e = entry as Record<string, unknown>;
    const dtype = typeof e.dtype === 'string' ? DTYPES[e.dtype] : undefined;
    if (!dtype) fail('dtype F32, F64, F16 or BF16', JSON.stringify(e.dtype));
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail('a shape of whole numbers ≥ 0', JSON.stringify(shape));
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0) || offsets[0] > offsets[1]) {
      fail('data_offsets [begin, end]', JSON.stringify(offsets));
    }
    const [begin, end] = offsets as [number, number];
    if (dataStart + end > bytes.length) fail(`data_offsets inside the file (${bytes.length - dataStart} data bytes)`, `[${begin}, ${end}]`);
    const need = elementCount(shape as number[]) * FLOAT_ITEMSIZE[dtype!]!;
    if (end - begin !== need) fail(`${need} bytes for shape [${(shape as number[]).join(', ')}] of ${e.dtype}`, `${end - begin} bytes`);
    out.set(key, decodeTensor(bytes.subarray(dataStart + begin, dataStart + end), { dtype: dtype!, shape: shape as number[] }, where, limits));
  }
  return out;
}
