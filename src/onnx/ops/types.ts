/** What an operator is to the interpreter: checked once at load (attributes, arity), then run on tensors. */
import { RunError } from '../../engine/errors';
import type { LayerTrace } from '../../engine/trace';
import type { Attributes, NodeWhere } from '../attributes';
import type { OnnxTensor } from '../tensor';

/** One node as the interpreter runs it. */
export interface OnnxNode {
  index: number;
  /** The node's name, or `OpType_index` when the file left it empty. */
  name: string;
  opType: string;
  /** Value names; '' marks an optional input or output left out. */
  inputs: string[];
  outputs: string[];
  attrs: Attributes;
  where: NodeWhere;
}

export interface RunContext {
  /** Record every gate of every recurrent operator into `traces`. */
  record: boolean;
  traces: LayerTrace[];
  /** Position of the next recurrent operator among the graph's recurrent operators (LayerTrace.layerIndex). */
  recurrentIndex: number;
}

/** The inputs in the node's order, undefined where an optional input is absent. */
export type Kernel = (inputs: readonly (OnnxTensor | undefined)[], ctx: RunContext) => (OnnxTensor | undefined)[];

export interface OpDef {
  /** Reads and checks the attributes (a LoadError naming the node when they are wrong) and returns the kernel. */
  prepare(node: OnnxNode, opset: number): Kernel;
}

/** A run-time failure inside a node: the input does not fit what the graph computes. */
export function runFailure(node: { name: string; opType: string }, message: string, hint?: string): RunError {
  return new RunError(`node "${node.name}" (${node.opType}): ${message}`, hint);
}

/** The input at `i`, which the operator requires. */
export function required(node: OnnxNode, inputs: readonly (OnnxTensor | undefined)[], i: number, what: string): OnnxTensor {
  const t = inputs[i];
  if (!t) throw runFailure(node, `input ${i} (${what}) is required`);
  return t;
}

/** More values than any shape, axes or split list has: a longer tensor in that place is a mistake (or hostile). */
const MAX_SHAPE_VALUES = 1024;

/** A small integer tensor (a shape, axes, starts, split sizes) as numbers. */
export function shapeInts(node: OnnxNode, t: OnnxTensor, what: string): number[] {
  if (t.data.length > MAX_SHAPE_VALUES) throw runFailure(node, `${what} holds ${t.data.length} values; a shape or axis list has at most ${MAX_SHAPE_VALUES}`);
  return Array.from(t.data, (v) => Math.trunc(v));
}
