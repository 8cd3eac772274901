/**
 * A decoded ModelProto turned into a graph the interpreter can run, with every check done before anything runs:
 * the opset, each initializer (type, dims against the limits), each node's operator (supported, attributes valid),
 * every value a node reads (produced somewhere), no value produced twice, no cycle; nodes in topological order.
 */
import { LoadError } from '../formats/load-error';
import type { LoadLimits } from '../formats/limits';
import { Attributes, nodeError, type NodeWhere } from './attributes';
import { OPERATORS, SUPPORTED_OPS, isSupported } from './ops/index';
import type { Kernel, OnnxNode } from './ops/types';
import type { GraphProto, ModelProto, ValueInfo } from './proto';
import { DTYPE_OF, dataTypeName, tensorFromProto, type DType, type OnnxTensor } from './tensor';

export interface GraphValue {
  name: string;
  dtype: DType;
  /** Declared dims: a size, a symbolic name, or null (unknown); null when the file declares no shape. */
  dims: (number | string | null)[] | null;
}

export interface PreparedNode extends OnnxNode {
  kernel: Kernel;
}

export interface OnnxGraph {
  file: string;
  opset: number;
  producer: string;
  inputs: GraphValue[];
  outputs: (Omit<GraphValue, 'dtype'> & { dtype: DType | null })[];
  initializers: Map<string, OnnxTensor>;
  /** In an order where every node comes after the nodes it reads from. */
  nodes: PreparedNode[];
}

const DEFAULT_DOMAINS = new Set(['', 'ai.onnx']);

function fail(file: string, path: (string | number)[], expected: string, found?: string, hint?: string, subject?: string): never {
  throw new LoadError({ file, path, expected, ...(found !== undefined ? { found } : {}), ...(hint ? { hint } : {}), ...(subject ? { subject } : {}) });
}

function unsupportedHint(): string {
  return `re-export the model without it (torch.onnx.export(..., dynamo=False) of the recurrent part, or constant-fold with onnxsim), or run it in onnxruntime and compare recorded outputs; Cellscope runs: ${SUPPORTED_OPS.join(', ')}`;
}

function graphValue(file: string, v: ValueInfo, i: number, kind: 'input'): GraphValue {
  const dtype = v.elemType === null ? undefined : DTYPE_OF[v.elemType];
  if (!dtype) {
    fail(file, ['graph', kind, i], `a tensor ${kind} of float, double, bool or an integer type`, v.elemType === null ? 'no tensor type' : `element type ${dataTypeName(v.elemType)}`, undefined, `graph ${kind} "${v.name}"`);
  }
  return { name: v.name, dtype: dtype!, dims: v.dims };
}

function opsetOf(file: string, model: ModelProto): number {
  const entry = model.opsetImport.find((o) => DEFAULT_DOMAINS.has(o.domain));
  if (!entry) fail(file, ['opset_import'], 'an opset_import entry for the default domain ("" / ai.onnx)', `[${model.opsetImport.map((o) => `${o.domain || '""'} ${o.version}`).join(', ')}]`);
  if (entry!.version < 7 || entry!.version > 23) {
    fail(file, ['opset_import'], 'ai.onnx opset 7 to 23', `opset ${entry!.version}`, 'export with an opset Cellscope knows (torch.onnx.export(..., opset_version=17))');
  }
  return entry!.version;
}

export function buildGraph(model: ModelProto, file: string, limits: LoadLimits): OnnxGraph {
  const g: GraphProto | null = model.graph;
  if (!g) fail(file, ['graph'], 'a ModelProto with a graph', 'none', 'is this an ONNX model? (a .onnx file written by torch.onnx.export, tf2onnx or onnx.save)');
  const graph = g!;
  const opset = opsetOf(file, model);
  if (graph.sparseInitializerCount) fail(file, ['graph', 'sparse_initializer'], 'dense initializers', `${graph.sparseInitializerCount} sparse initializer(s)`, 'convert them to dense tensors before saving');

  // Unsupported operators first: the error a user most needs, before any detail of tensors or attributes.
  const nodes: OnnxNode[] = graph.node.map((n, index) => {
    const where: NodeWhere = { file, index, name: n.name || `${n.opType}_${index}`, opType: n.opType, limits };
    if (!DEFAULT_DOMAINS.has(n.domain) || !isSupported(n.opType)) {
      throw nodeError(where, 'an operator Cellscope runs', `operator ${n.domain && !DEFAULT_DOMAINS.has(n.domain) ? `${n.domain}::` : ''}${n.opType}`, unsupportedHint());
    }
    return { index, name: where.name, opType: n.opType, inputs: n.input, outputs: n.output, attrs: new Attributes(n.attribute, where), where };
  });

  const initializers = new Map<string, OnnxTensor>();
  graph.initializer.forEach((t, i) => {
    initializers.set(t.name, tensorFromProto(t, { file, path: ['graph', 'initializer', i], subject: `initializer "${t.name}"` }, limits));
  });
  // IR < 4 lists initializers among the inputs too; only the others are fed by the caller.
  const inputs = graph.input.map((v, i) => ({ v, i })).filter(({ v }) => !initializers.has(v.name)).map(({ v, i }) => graphValue(file, v, i, 'input'));
  // Outputs need no declared type: their tensors carry one.
  const outputs = graph.output.map((v) => ({ name: v.name, dtype: v.elemType === null ? null : DTYPE_OF[v.elemType] ?? null, dims: v.dims }));
  if (!outputs.length) fail(file, ['graph', 'output'], 'a graph with at least one output', 'none');

  const order = topologicalOrder(nodes, [...inputs.map((v) => v.name), ...initializers.keys()]);
  // '' marks an optional output left out: it names nothing.
  const produced = new Set([...inputs.map((v) => v.name), ...initializers.keys(), ...nodes.flatMap((n) => n.outputs)].filter((name) => name !== ''));
  outputs.forEach((o, i) => {
    if (!produced.has(o.name)) fail(file, ['graph', 'output', i], 'a graph output that a node, an input or an initializer produces', `"${o.name}", which nothing produces`);
  });
  const prepared = order.map((n) => ({ ...n, kernel: OPERATORS[n.opType]!.prepare(n, opset) }));
  return { file, opset, producer: `${model.producerName} ${model.producerVersion}`.trim(), inputs, outputs, initializers, nodes: prepared };
}

/** Kahn's algorithm. A value read but never produced is a missing input; nodes never ready form a cycle. */
function topologicalOrder(nodes: OnnxNode[], given: string[]): OnnxNode[] {
  const producer = new Map<string, OnnxNode>();
  for (const name of given) producer.set(name, undefined as unknown as OnnxNode);
  for (const n of nodes) {
    for (const o of n.outputs) {
      if (!o) continue;
      if (producer.has(o)) throw nodeError(n.where, 'each value produced once (ONNX graphs are in SSA form)', `output "${o}", which ${producer.get(o) ? `node "${producer.get(o)!.name}"` : 'an input or initializer'} already produces`);
      producer.set(o, n);
    }
  }
  const waiting = new Map<OnnxNode, number>();
  const readers = new Map<string, OnnxNode[]>();
  for (const n of nodes) {
    let pending = 0;
    n.inputs.forEach((name, i) => {
      if (!name) return;
      if (!producer.has(name)) {
        throw nodeError(n.where, `input ${i} "${name}" produced by a graph input, an initializer or another node`, 'nothing produces it', 'the graph is incomplete or was cut badly; re-export it');
      }
      if (producer.get(name)) {
        pending++;
        readers.set(name, [...(readers.get(name) ?? []), n]);
      }
    });
    waiting.set(n, pending);
  }
  const ready = nodes.filter((n) => waiting.get(n) === 0);
  const order: OnnxNode[] = [];
  while (ready.length) {
    const n = ready.shift()!;
    order.push(n);
    for (const o of n.outputs) {
      for (const r of (o && readers.get(o)) || []) {
        const left = waiting.get(r)! - 1;
        waiting.set(r, left);
        if (left === 0) ready.push(r);
      }
    }
  }
  if (order.length < nodes.length) {
    const stuck = nodes.find((n) => waiting.get(n)! > 0)!;
    throw nodeError(stuck.where, 'a graph without cycles (every node after the nodes it reads)', `a cycle through ${stuck.opType} node "${stuck.name}"`, 'the file is corrupt: ONNX graphs are acyclic');
  }
  return order;
}
