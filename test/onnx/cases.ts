/**
 * The generated ONNX cases (test/onnx/make_onnx_cases.py): each model with its inputs and onnxruntime's outputs, and
 * how far Cellscope's outputs are from them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../../src/engine/tensor';
import { loadOnnxWithSiblings } from '../../src/onnx/load';
import type { OnnxModel } from '../../src/onnx/model';
import { FIXTURES } from '../fixtures-path';

export const ONNX_FIXTURES = join(FIXTURES, 'onnx');

interface JsonTensor {
  shape: number[];
  dtype: string;
  data: number[];
}

export interface OnnxCase {
  name: string;
  bytes: Uint8Array;
  inputs: Tensor[];
  expected: (Tensor & { dtype: string })[];
  /** Files beside the model (torch's dynamo exporter keeps weights in NAME.onnx.data). */
  readSibling: (relativePath: string) => Promise<Uint8Array>;
}

const tensorOf = (j: JsonTensor) => ({ shape: j.shape, data: Float64Array.from(j.data), dtype: j.dtype });

export function caseNames(dir = ONNX_FIXTURES): string[] {
  return JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
}

export function readCase(name: string, dir = ONNX_FIXTURES): OnnxCase {
  const input = JSON.parse(readFileSync(join(dir, `${name}.input.json`), 'utf8'));
  return {
    name,
    bytes: new Uint8Array(readFileSync(join(dir, `${name}.onnx`))),
    inputs: (Array.isArray(input) ? input : [input]).map(tensorOf),
    expected: JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8')).map(tensorOf),
    readSibling: async (rel) => new Uint8Array(readFileSync(join(dir, rel))),
  };
}

/** Largest |a − b| over every output (Infinity when a shape differs or a value is NaN on one side only). */
export function maxError(outputs: readonly Tensor[], expected: readonly Tensor[]): number {
  let max = 0;
  expected.forEach((e, i) => {
    const o = outputs[i];
    if (!o || o.shape.length !== e.shape.length || o.shape.some((d, k) => d !== e.shape[k])) {
      max = Infinity;
      return;
    }
    for (let k = 0; k < e.data.length; k++) {
      const d = Math.abs(o.data[k]! - e.data[k]!);
      max = Math.max(max, Number.isNaN(d) ? Infinity : d);
    }
  });
  return max;
}

/** float64 graphs are held to a float64 tolerance; float32 ones to the 1e-5. */
export function toleranceOf(c: OnnxCase): number {
  return c.expected.every((e) => e.dtype === 'float64') ? 1e-12 : 1e-5;
}

export function loadCase(c: OnnxCase): Promise<OnnxModel> {
  return loadOnnxWithSiblings(c.bytes, `${c.name}.onnx`, c.readSibling);
}
