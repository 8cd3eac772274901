/**
 * LSTM, GRU and RNN operators: inputs read and checked against each other (X, W, R, B, sequence_lens, initial_h,
 * initial_c, P), each direction run on the engine's cells when they express it exactly (engine-path.ts) and on the
 * reference cells otherwise (reference.ts), every gate traced, and Y, Y_h, Y_c written in the op's layout.
 */
import type { FloatArray } from '../../../engine/tensor';
import { alloc, make, type OnnxTensor } from '../../tensor';
import { transpose } from '../layout';
import { required, runFailure, type OnnxNode, type OpDef, type RunContext } from '../types';
import type { DirectionJob, DirectionResult } from './direction';
import { engineRuns, runOnEngine } from './engine-path';
import { runReference } from './reference';
import { GATES, readRecurrentSpec, type RecurrentKind, type RecurrentSpec } from './spec';

export type RecurrentRunner = 'auto' | 'reference';
let runner: RecurrentRunner = 'auto';

/**
 * 'auto' (default): the engine's cells where they express the op exactly, the reference cells elsewhere;
 * 'reference': the reference cells everywhere (tests hold the two together).
 */
export function setRecurrentRunner(r: RecurrentRunner): void {
  runner = r;
}

function shapeIs(t: OnnxTensor, dims: readonly number[]): boolean {
  return t.shape.length === dims.length && t.shape.every((d, i) => d === dims[i]);
}

function expectShape(node: OnnxNode, t: OnnxTensor | undefined, name: string, dims: readonly number[]): void {
  if (t && !shapeIs(t, dims)) throw runFailure(node, `${name} has shape [${t.shape.join(', ')}]; expected [${dims.join(', ')}]`);
}

/** A [dirs, batch, H] (layout 0) or [batch, dirs, H] (layout 1) state as one [batch·H] array per direction. */
function statePerDirection(t: OnnxTensor | undefined, layout: 0 | 1, dirs: number, batch: number, H: number, dtype: OnnxTensor['dtype']): (FloatArray | null)[] {
  if (!t) return Array.from({ length: dirs }, () => null);
  const src = layout === 0 ? t : transpose(t, [1, 0, 2]);
  return Array.from({ length: dirs }, (_, d) => {
    const a = alloc(dtype, batch * H);
    a.set(src.data.subarray(d * batch * H, (d + 1) * batch * H));
    return a;
  });
}

function recurrentOp(kind: RecurrentKind): OpDef {
  return {
    prepare: (node) => {
      const spec = readRecurrentSpec(node, kind);
      return (inputs, ctx) => run(node, spec, inputs, ctx);
    },
  };
}

function run(node: OnnxNode, spec: RecurrentSpec, inputs: readonly (OnnxTensor | undefined)[], ctx: RunContext): (OnnxTensor | undefined)[] {
  const X = required(node, inputs, 0, 'X');
  const W = required(node, inputs, 1, 'W');
  const R = required(node, inputs, 2, 'R');
  const [B, lensT, h0, c0] = [inputs[3], inputs[4], inputs[5], spec.kind === 'LSTM' ? inputs[6] : undefined];
  const P = spec.kind === 'LSTM' ? inputs[7] : undefined;
  const dtype = X.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') throw runFailure(node, `X of type ${dtype}; expected float or double`);
  for (const [name, t] of [['W', W], ['R', R], ['B', B], ['initial_h', h0], ['initial_c', c0], ['P', P]] as const) {
    if (t && t.dtype !== dtype) throw runFailure(node, `${name} of type ${t.dtype} with X of type ${dtype}`);
  }
  if (X.shape.length !== 3) throw runFailure(node, `X has shape [${X.shape.join(', ')}]; expected 3 dims (${spec.layout === 0 ? '[seq_length, batch_size, input_size]' : '[batch_size, seq_length, input_size]'})`);
  const [steps, batch] = spec.layout === 0 ? [X.shape[0]!, X.shape[1]!] : [X.shape[1]!, X.shape[0]!];
  const features = X.shape[2]!;
  const dirs = spec.directions.length;
  const G = GATES[spec.kind];
  if (W.shape.length !== 3 || W.shape[0] !== dirs || W.shape[2] !== features || W.shape[1]! % G !== 0) {
    throw runFailure(node, `W has shape [${W.shape.join(', ')}]; expected [${dirs}, ${G}·hidden_size, ${features}]`);
  }
  const H = W.shape[1]! / G;
  if (spec.hiddenSize !== undefined && spec.hiddenSize !== H) throw runFailure(node, `hidden_size ${spec.hiddenSize} but W holds ${H} units per gate`);
  expectShape(node, R, 'R', [dirs, G * H, H]);
  expectShape(node, B, 'B', [dirs, 2 * G * H]);
  const stateDims = spec.layout === 0 ? [dirs, batch, H] : [batch, dirs, H];
  expectShape(node, h0, 'initial_h', stateDims);
  expectShape(node, c0, 'initial_c', stateDims);
  expectShape(node, P, 'P', [dirs, 3 * H]);
  let lens: Int32Array | null = null;
  if (lensT) {
    expectShape(node, lensT, 'sequence_lens', [batch]);
    lens = Int32Array.from(lensT.data);
    for (const [b, l] of lens.entries()) if (l < 0 || l > steps || l !== lensT.data[b]) throw runFailure(node, `sequence_lens[${b}] = ${lensT.data[b]} is outside [0, ${steps}]`);
  }
  // Batch-major [batch, steps, features], the engine's layout.
  const x = spec.layout === 0 ? transpose(X, [1, 0, 2]).data : X.data;
  const hs = statePerDirection(h0, spec.layout, dirs, batch, H, dtype);
  const cs = statePerDirection(c0, spec.layout, dirs, batch, H, dtype);
  const layerIndex = ctx.recurrentIndex++;

  const results: DirectionResult[] = spec.directions.map((direction, d) => {
    const view = (t: OnnxTensor | undefined, n: number, at = 0) => (t ? t.data.subarray(d * t.data.length / dirs + at, d * t.data.length / dirs + at + n) : null);
    const job: DirectionJob = {
      spec,
      acts: spec.activations[d]!,
      reverse: direction === 'reverse',
      hidden: H,
      features,
      batch,
      steps,
      x,
      W: view(W, G * H * features)!,
      R: view(R, G * H * H)!,
      Wb: view(B, G * H),
      Rb: view(B, G * H, G * H),
      P: view(P, 3 * H),
      lens,
      initialH: hs[d]!,
      initialC: cs[d]!,
      dtype,
      record: ctx.record,
      layerIndex,
      layerName: node.name,
      traceDirection: d === 1 ? 'backward' : 'forward',
    };
    return runner === 'auto' && engineRuns(job) ? runOnEngine(job) : runReference(job);
  });
  for (const r of results) if (r.trace) ctx.traces.push(r.trace);
  return outputs(spec, results, dtype, batch, steps, H);
}

/** Y [seq, dirs, batch, H] / [batch, seq, dirs, H]; Y_h and Y_c [dirs, batch, H] / [batch, dirs, H]. */
function outputs(spec: RecurrentSpec, results: DirectionResult[], dtype: 'float32' | 'float64', batch: number, steps: number, H: number): OnnxTensor[] {
  const dirs = results.length;
  const Y = make(dtype, spec.layout === 0 ? [steps, dirs, batch, H] : [batch, steps, dirs, H]);
  const Yh = make(dtype, spec.layout === 0 ? [dirs, batch, H] : [batch, dirs, H]);
  const Yc = make(dtype, Yh.shape);
  results.forEach((r, d) => {
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < steps; t++) {
        const at = spec.layout === 0 ? ((t * dirs + d) * batch + b) * H : ((b * steps + t) * dirs + d) * H;
        Y.data.set(r.sequence.subarray((b * steps + t) * H, (b * steps + t + 1) * H), at);
      }
      const at = spec.layout === 0 ? (d * batch + b) * H : (b * dirs + d) * H;
      Yh.data.set(r.h.subarray(b * H, (b + 1) * H), at);
      if (r.c) Yc.data.set(r.c.subarray(b * H, (b + 1) * H), at);
    }
  });
  return spec.kind === 'LSTM' ? [Y, Yh, Yc] : [Y, Yh];
}

export const RECURRENT_OPS: Record<string, OpDef> = { LSTM: recurrentOp('LSTM'), GRU: recurrentOp('GRU'), RNN: recurrentOp('RNN') };
