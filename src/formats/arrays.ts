/**
 * Numeric arrays as files write them: nested lists (numpy `.tolist()`) or `{"shape", "data", "dtype"?}` with flat
 * row-major data. Everything becomes a float64 Tensor; integer dtypes are checked to hold integers (token ids).
 */
import { shapeText, sizeOf, tensor, type Tensor } from '../engine/tensor';
import { describeValue } from './load-error';
import { child, fail, isObject, keysText, readArray, readDims, type At } from './json-read';
import { preparsedTensor } from './json-weights';

export interface ArrayValue {
  tensor: Tensor;
  /** As written in the file, if it said. */
  dtype?: string;
}

const INT_DTYPES = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'int']);
const FLOAT_DTYPES = new Set(['float16', 'bfloat16', 'float32', 'float64', 'float', 'double']);

/** Deeper nesting is no array a recurrent network reads (and would recurse without bound). */
const MAX_RANK = 32;

/** Nested lists of numbers → Tensor; a ragged or non-numeric spot fails at its exact path. */
export function tensorFromNested(v: unknown, where: At): Tensor {
  const shape: number[] = [];
  let probe: unknown = v;
  while (Array.isArray(probe)) {
    if (shape.length === MAX_RANK) fail(where, `an array of at most ${MAX_RANK} dimensions`, `an array nested deeper than ${MAX_RANK} levels`);
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const data = new Float64Array(sizeOf(shape));
  let k = 0;
  const walk = (node: unknown, depth: number, path: (string | number)[]): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') {
        fail(child(where, ...path), Array.isArray(node) ? `a number (the first entries give shape ${shapeText(shape)})` : 'a number', describeValue(node));
      }
      data[k++] = node;
      return;
    }
    if (!Array.isArray(node)) {
      fail(child(where, ...path), `an array of ${shape[depth]} (the first entries give shape ${shapeText(shape)}; the array is ragged)`, describeValue(node));
    }
    if (node.length !== shape[depth]) {
      fail(child(where, ...path), `an array of ${shape[depth]} like its siblings (the first entries give shape ${shapeText(shape)}; the array is ragged)`, describeValue(node));
    }
    if (depth === shape.length - 1) {
      // Innermost level, where nearly all the numbers are. A row of finite numbers is checked and copied by builtins,
      // which are fast from the first call (a CLI run is over before V8 optimises a JS loop: that loop cost ~10 ms
      // on a 6 MB export); any other row takes the loop, which accepts NaN and ±Infinity and names what is wrong.
      if (node.every(Number.isFinite)) {
        data.set(node as number[], k);
        k += node.length;
        return;
      }
      for (let i = 0; i < node.length; i++) {
        const x = node[i];
        if (typeof x !== 'number') {
          fail(child(where, ...path, i), Array.isArray(x) ? `a number (the first entries give shape ${shapeText(shape)}; the array is ragged)` : 'a number', describeValue(x));
        }
        data[k++] = x;
      }
      return;
    }
    for (let i = 0; i < node.length; i++) walk(node[i], depth + 1, [...path, i]);
  };
  if (!Array.isArray(v)) fail(where, 'an array of numbers (nested lists)', describeValue(v));
  walk(v, 0, []);
  return tensor(shape, data);
}

/** A nested list, or `{shape, data, dtype?}` where data is flat row-major (nested data with the same shape is accepted too). */
export function readArrayValue(v: unknown, where: At): ArrayValue {
  if (Array.isArray(v)) return { tensor: tensorFromNested(v, where) };
  const preparsed = preparsedTensor(v);
  if (preparsed) return { tensor: preparsed };
  if (!isObject(v)) fail(where, 'an array: nested lists of numbers, or {"shape": [...], "data": [...]}', describeValue(v));
  if (!('data' in v)) fail(where, 'an array: nested lists of numbers, or {"shape": [...], "data": [...]}', keysText(v));
  const dtype = readDtype(v.dtype, child(where, 'dtype'));
  if (v.layout !== undefined && v.layout !== 'row-major') {
    fail(child(where, 'layout'), '"row-major" (C order, as numpy\'s ravel()); no other layout is supported', describeValue(v.layout));
  }
  readArray(v.data, child(where, 'data'), 'a list of numbers');
  const flat = tensorFromNested(v.data, child(where, 'data'));
  let t = flat;
  if (v.shape !== undefined) {
    const dims = readDims(v.shape, child(where, 'shape'));
    if (dims.some((d) => d === null)) fail(child(where, 'shape'), 'concrete sizes (no null)', shapeText(dims));
    const shape = dims as number[];
    const sameNested = flat.shape.length === shape.length && flat.shape.every((d, i) => d === shape[i]);
    if (!sameNested && (flat.shape.length !== 1 || flat.data.length !== sizeOf(shape))) {
      fail(child(where, 'data'), `${sizeOf(shape)} numbers for shape ${shapeText(shape)}`, flat.shape.length === 1 ? `${flat.data.length}` : `nested data of shape ${shapeText(flat.shape)}`);
    }
    t = tensor(shape, flat.data);
  }
  if (dtype && INT_DTYPES.has(dtype)) {
    const bad = t.data.findIndex((x) => !Number.isInteger(x));
    if (bad >= 0) fail(child(where, 'data', bad), `an integer (dtype is ${dtype})`, `number ${t.data[bad]}`);
  }
  return dtype ? { tensor: t, dtype } : { tensor: t };
}

function readDtype(v: unknown, where: At): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(INT_DTYPES.has(v) || FLOAT_DTYPES.has(v) || v === 'bool')) {
    fail(where, `a dtype name (${[...FLOAT_DTYPES, ...INT_DTYPES].join(', ')})`, describeValue(v));
  }
  return v;
}
