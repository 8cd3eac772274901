/** Every operator the interpreter runs, by ONNX op_type (default domain "ai.onnx"), one family per file. */
import { CONSTANT_OPS } from './constants';
import { ELEMENTWISE_OPS } from './elementwise';
import { LAYOUT_OPS } from './layout';
import { MATMUL_OPS } from './matmul';
import { PIECE_OPS } from './pieces';
import { RECURRENT_OPS } from './recurrent/index';
import { SOFTMAX_OPS } from './softmax';
import type { OpDef } from './types';

export const OPERATORS: Readonly<Record<string, OpDef>> = {
  ...RECURRENT_OPS,
  ...MATMUL_OPS,
  ...ELEMENTWISE_OPS,
  ...SOFTMAX_OPS,
  ...LAYOUT_OPS,
  ...PIECE_OPS,
  ...CONSTANT_OPS,
};

export const SUPPORTED_OPS: readonly string[] = Object.keys(OPERATORS).sort();

export function isSupported(opType: string): boolean {
  return Object.prototype.hasOwnProperty.call(OPERATORS, opType);
}
