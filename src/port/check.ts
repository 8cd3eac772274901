/**
 * The port checker: two models that should compute the same function, run on the same input. Outputs are compared,
 * then their recurrent layers are paired in order (Bidirectional unpacked: forward, backward) and every recorded
 * quantity of each pair is compared, to name the first layer, gate, step and unit where they part.
 */
import { compareTensors, type Comparison, type Tolerance } from '../compare/compare';
import type { Model } from '../engine/model';
import type { RunnableModel } from '../formats/runnable';
import type { Tensor } from '../engine/tensor';
import type { LayerTrace } from '../engine/trace';
import { FRAMEWORK_LABEL, frameworkOf, gatePair, type Framework } from './frameworks';

/**
 * One side of the comparison: anything runnable (an engine Model from any loader, or an ONNX graph). `model` is the
 * engine Model when there is one: the diagnosis re-runs it under each hypothesis.
 */
export interface PortModel {
  /** File name as shown. */
  file: string;
  runnable: RunnableModel;
  model: Model | null;
  framework: Framework;
}

export function portModel(file: string, runnable: RunnableModel): PortModel {
  const model = runnable.loaded?.model ?? null;
  return { file, runnable, model, framework: frameworkOf(runnable.source, model) };
}

export interface GateDelta {
  /** Engine quantity key (Keras naming). */
  key: string;
  /** As both frameworks call it. */
  name: string;
  maxAbs: number;
}

export interface Divergence {
  /** Input time step, batch item, unit. */
  step: number;
  batch: number;
  unit: number;
  gate: string;
  a: number;
  b: number;
}

export interface LayerPair {
  /** 1-based position among recurrent layer-directions. */
  index: number;
  a: LayerTrace;
  b: LayerTrace;
  /** Why the pair cannot be compared value by value (cell kinds or sizes differ). */
  mismatch: string | null;
  gates: GateDelta[];
  pass: boolean;
  first: Divergence | null;
}

export interface PortCheck {
  a: PortModel;
  b: PortModel;
  tolerance: Tolerance;
  output: Comparison;
  /** Set when the outputs' shapes differed and the last time step of the sequence output was compared instead. */
  outputNote: string | null;
  pairs: LayerPair[];
  /** Layers left without a partner. */
  unpaired: string | null;
  outputs: { a: Tensor; b: Tensor };
  /** Recurrent layer-directions each side traced. */
  counts: { a: number; b: number };
}

const CELL_LABEL = { lstm: 'LSTM', gru: 'GRU', simple_rnn: 'RNN', conv_lstm: 'ConvLSTM', custom: 'custom cell' } as const;

function lastStep(t: Tensor): Tensor {
  const [batch, steps, units] = t.shape as [number, number, number];
  const data = new Float64Array(batch * units);
  for (let b = 0; b < batch; b++) for (let j = 0; j < units; j++) data[b * units + j] = t.data[(b * steps + steps - 1) * units + j]!;
  return { shape: [batch, units], data };
}

/** A sequence output against a last-step output ([b, t, u] vs [b, u]): compare the last step. */
function comparable(a: Tensor, b: Tensor): { a: Tensor; b: Tensor; note: string | null } {
  const seqVsLast = (s: Tensor, l: Tensor) => s.shape.length === 3 && l.shape.length === 2 && s.shape[0] === l.shape[0] && s.shape[2] === l.shape[1];
  if (seqVsLast(a, b)) return { a: lastStep(a), b, note: 'A returns the whole sequence, B its last step: the last step is compared' };
  if (seqVsLast(b, a)) return { a, b: lastStep(b), note: 'B returns the whole sequence, A its last step: the last step is compared' };
  return { a, b, note: null };
}

function comparePair(index: number, a: LayerTrace, b: LayerTrace, fa: Framework, fb: Framework, tol: Tolerance): LayerPair {
  const base = { index, a, b, gates: [] as GateDelta[], first: null as Divergence | null };
  if (a.cell !== b.cell) return { ...base, mismatch: `${CELL_LABEL[a.cell]} vs ${CELL_LABEL[b.cell]}`, pass: false };
  if (a.units !== b.units || a.steps !== b.steps || a.batch !== b.batch) {
    return { ...base, mismatch: `${a.units} units × ${a.steps} steps vs ${b.units} units × ${b.steps} steps`, pass: false };
  }
  const keys = a.quantities.map((q) => q.key).filter((k) => b.quantities.some((q) => q.key === k));
  const qa = keys.map((k) => a.values[a.quantities.findIndex((q) => q.key === k)]!);
  const qb = keys.map((k) => b.values[b.quantities.findIndex((q) => q.key === k)]!);
  const gates = keys.map((key, i) => {
    let m = 0;
    const x = qa[i]!;
    const y = qb[i]!;
    for (let n = 0; n < x.length; n++) {
      const d = Math.abs(x[n]! - y[n]!);
      if (d > m || Number.isNaN(d)) m = Number.isNaN(d) ? (Number.isNaN(x[n]!) && Number.isNaN(y[n]!) ? m : Infinity) : d;
    }
    return { key, name: gatePair(fa, fb, a.cell, key), maxAbs: m };
  });
  // First divergence in input time, then batch item, then the quantities in the cell's order, then unit.
  let first: Divergence | null = null;
  const U = a.units;
  search: for (let t = 0; t < a.steps; t++) {
    const sa = a.stepOfInputTime[t]!;
    const sb = b.stepOfInputTime[t]!;
    for (let bi = 0; bi < a.batch; bi++) {
      for (let i = 0; i < keys.length; i++) {
        for (let j = 0; j < U; j++) {
          const x = qa[i]![(bi * a.steps + sa) * U + j]!;
          const y = qb[i]![(bi * b.steps + sb) * U + j]!;
          if (Number.isNaN(x) && Number.isNaN(y)) continue;
          if (!(Math.abs(x - y) <= tol.atol + tol.rtol * Math.abs(y))) {
            first = { step: t, batch: bi, unit: j, gate: gates[i]!.name, a: x, b: y };
            break search;
          }
        }
      }
    }
  }
  return { ...base, mismatch: null, gates, pass: first === null, first };
}

export function checkPort(a: PortModel, b: PortModel, input: Tensor, tolerance: Tolerance): PortCheck {
  const ra = a.runnable.run([input], { precision: 'float64', record: true });
  const rb = b.runnable.run([input], { precision: 'float64', record: true });
  const c = comparable(ra.output, rb.output);
  const output = compareTensors(c.a, c.b, tolerance);
  const la = ra.trace?.layers ?? [];
  const lb = rb.trace?.layers ?? [];
  const n = Math.min(la.length, lb.length);
  const pairs: LayerPair[] = [];
  for (let i = 0; i < n; i++) pairs.push(comparePair(i + 1, la[i]!, lb[i]!, a.framework, b.framework, tolerance));
  const unpaired =
    la.length === lb.length ? null : `A has ${la.length} recurrent layer-directions, B ${lb.length}: the ${la.length > lb.length ? 'A' : 'B'} ones after #${n} have no partner`;
  return { a, b, tolerance, output, outputNote: c.note, pairs, unpaired, outputs: { a: c.a, b: c.b }, counts: { a: la.length, b: lb.length } };
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));
const layerLabel = (t: LayerTrace) => `${t.layerName}${t.direction === 'backward' ? ' (backward)' : ''}`;

export function describePortCheck(r: PortCheck): string[] {
  const side = (p: PortModel, n: number) => `${p.file} (${FRAMEWORK_LABEL[p.framework]}, ${n} recurrent layer-direction${n === 1 ? '' : 's'})`;
  const lines = [`A: ${side(r.a, r.counts.a)}`, `B: ${side(r.b, r.counts.b)}`];
  const o = r.output;
  if (o.shapeMismatch) lines.push(`output: shapes differ (${o.shapeMismatch})`);
  else lines.push(`output: max |Δ| ${fmt(o.maxAbs)} over ${o.count} values — ${o.pass ? 'the models agree' : `they differ (atol ${o.tolerance.atol}, rtol ${o.tolerance.rtol}); first divergence ${o.firstDivergence?.text ?? '-'}`}`);
  if (r.outputNote) lines.push(`note: ${r.outputNote}`);
  for (const p of r.pairs) {
    const head = `layer ${p.index}: ${layerLabel(p.a)} (A) ↔ ${layerLabel(p.b)} (B)`;
    if (p.mismatch) {
      lines.push(`${head}: not comparable (${p.mismatch})`);
      continue;
    }
    lines.push(`${head}: ${p.pass ? 'agree' : 'differ'}; max |Δ| ${p.gates.filter((g) => !g.key.startsWith('pre_')).map((g) => `${g.name} ${fmt(g.maxAbs)}`).join(', ')}`);
  }
  if (r.unpaired) lines.push(`note: ${r.unpaired}`);
  const first = r.pairs.find((p) => !p.pass);
  if (first?.first) {
    const d = first.first;
    lines.push(`first divergence: layer ${first.index} (${layerLabel(first.a)} ↔ ${layerLabel(first.b)}), gate ${d.gate}, step ${d.step}, unit ${d.unit}, batch ${d.batch}: A ${d.a} vs B ${d.b}`);
  } else if (first) lines.push(`first divergence: layer ${first.index} (${layerLabel(first.a)} ↔ ${layerLabel(first.b)}): ${first.mismatch}`);
  else if (!o.pass) lines.push('first divergence: every paired recurrent layer agrees; the difference is in the layers around them');
  return lines;
}
