/**
 * An ONNX graph as a RunnableModel: inputs checked against the graph's declared types and dims, the nodes run in
 * order on tensors (the interpreter), every recurrent operator's gates traced, outputs in the graph's order and
 * layouts. Computes in the element types the graph declares (float32 or float64), as onnxruntime does.
 */
import { RunError } from '../engine/errors';
import type { SourceInfo } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import { ONNX_FORMAT } from '../formats/onnx';
import type { RunnableModel, RunnableOptions, RunnableResult } from '../formats/runnable-model';
import type { GraphValue, OnnxGraph } from './graph';
import type { RunContext } from './ops/types';
import { isFloat, make, type OnnxTensor } from './tensor';

function dimsText(dims: GraphValue['dims']): string {
  return dims ? `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : 'any shape';
}

/** The caller's tensor in the input's declared type, after checking rank, fixed dims and integer values. */
function feed(v: GraphValue, t: Tensor): OnnxTensor {
  const shape = t.shape;
  if (v.dims) {
    const fixed = v.dims.length === shape.length && v.dims.every((d, i) => typeof d !== 'number' || d === shape[i]);
    if (!fixed) throw new RunError(`input "${v.name}" has shape [${shape.join(', ')}]; the graph declares ${dimsText(v.dims)}`, 'symbolic dims (names) take any size; numbers must match');
  }
  if (!isFloat(v.dtype)) {
    const bad = t.data.findIndex((x) => !Number.isInteger(x));
    if (bad >= 0) throw new RunError(`input "${v.name}" is ${v.dtype}, but value ${t.data[bad]} at flat index ${bad} is not a whole number`);
  }
  const out = make(v.dtype, shape);
  out.data.set(t.data);
  return out;
}

export class OnnxModel implements RunnableModel {
  readonly source: SourceInfo;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];

  constructor(readonly graph: OnnxGraph) {
    this.source = { file: graph.file, format: ONNX_FORMAT };
    this.inputNames = graph.inputs.map((v) => v.name);
    this.outputNames = graph.outputs.map((v) => v.name);
  }

  /** Declared inputs and outputs, for usage messages. */
  describe(): string {
    const list = (vs: OnnxGraph['outputs']) => vs.map((v) => `${v.name} ${v.dtype ?? ''} ${dimsText(v.dims)}`.replace('  ', ' ')).join(', ');
    return `inputs: ${list(this.graph.inputs)}; outputs: ${list(this.graph.outputs)}`;
  }

  run(inputs: readonly Tensor[], options: RunnableOptions): RunnableResult {
    const g = this.graph;
    if (inputs.length !== g.inputs.length) {
      throw new RunError(`the graph takes ${g.inputs.length} input(s); got ${inputs.length}`, `pass ${g.inputs.length === 1 ? 'one array' : `a JSON array of ${g.inputs.length} arrays, or an object keyed by input name`} (${this.describe()})`);
    }
    const values = new Map<string, OnnxTensor>(g.initializers);
    g.inputs.forEach((v, i) => values.set(v.name, feed(v, inputs[i]!)));
    const ctx: RunContext = { record: options.record, traces: [], recurrentIndex: 0 };
    for (const node of g.nodes) {
      const args = node.inputs.map((name) => (name ? values.get(name) : undefined));
      const results = node.kernel(args, ctx);
      node.outputs.forEach((name, i) => {
        if (!name) return;
        const t = results[i];
        if (!t) throw new RunError(`node "${node.name}" (${node.opType}) gives no output ${i} ("${name}")`);
        values.set(name, t);
      });
    }
    const outputs = g.outputs.map((v) => {
      const t = values.get(v.name)!;
      return { shape: [...t.shape], data: t.data };
    });
    const precision = ctx.traces.some((t) => t.values[0] instanceof Float64Array) ? 'float64' : 'float32';
    return { output: outputs[0]!, outputs, trace: options.record ? { precision, layers: ctx.traces } : null };
  }
}
