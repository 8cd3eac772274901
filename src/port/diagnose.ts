/**
 * `compare A --against B --diagnose`: which conversion mistake makes B differ from A (or A from B). The diagnosis
 * machinery of src/diagnose runs in both directions with the port table (PORT_HYPOTHESES): B's output as the
 * recording of A's model under each mistake, then A's output for B's model. A hypothesis reproduces the mistake on
 * the model it is applied to or undoes it there (see faultySide).
 * Structural differences no weight fix explains (a Keras reset_after=False GRU against PyTorch, a projection on one
 * side only) are said up front.
 */
import type { Tolerance } from '../compare/compare';
import { diagnose, type Diagnosis, type HypothesisResult } from '../diagnose';
import { english, fmtError, phrase, type Phrase } from '../phrase';
import { PORT_HYPOTHESES } from '../diagnose/port-table';
import { recurrentLayersOf, type CellKind } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import type { PortCheck, PortModel } from './check';
import { FRAMEWORK_LABEL, STORED_ORDER } from './frameworks';
import { mappingCode } from './mapping-code';

export interface PortDiagnosis {
  /** Structural reasons an exact port is impossible or incomplete. */
  notes: string[];
  /** The hypothesis that explains the difference, and on which model it was tried. */
  found: { result: HypothesisResult; triedOn: 'A' | 'B'; faulty: 'A' | 'B'; /** As the faulty model's framework says it. */ title: Phrase } | null;
  /** Closest tries when nothing explains it. */
  closest: HypothesisResult[];
  code: { title: string; code: string } | null;
  lines: string[];
}

function structuralNotes(a: PortModel, b: PortModel): string[] {
  const notes: string[] = [];
  if (!a.model || !b.model) return notes;
  const la = recurrentLayersOf(a.model);
  const lb = recurrentLayersOf(b.model);
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    const [x, y] = [la[i]!.layer, lb[i]!.layer];
    for (const [p, q, l, m] of [[a, b, x, y], [b, a, y, x]] as const) {
      if (l.cell === 'gru' && m.cell === 'gru' && !l.config.resetAfter && (q.framework === 'pytorch' || m.config.resetAfter)) {
        notes.push(
          `${p.file}: GRU "${l.name}" has reset_after=False (reset before the recurrent product); ${q.framework === 'pytorch' ? 'PyTorch has no such GRU' : `"${m.name}" in ${q.file} is reset-after (linear_before_reset=1)`}: an exact port is impossible — rebuild the Keras GRU with reset_after=True and retrain (ONNX can express it: linear_before_reset=0)`,
        );
      }
      if (l.weights.projection && !m.weights.projection) {
        notes.push(`${p.file}: LSTM "${l.name}" has a projection (proj_size ${l.weights.projection.shape[1]}) and "${m.name}" in ${q.file} has none: ${q.framework === 'keras' ? 'Keras LSTM has no projection (h = W_hr·(o ⊙ tanh c) feeds back into the gates), so the port misses W_hr: keep the model in PyTorch or ONNX, or retrain without proj_size' : 'add the projection weight_hr'}`);
      }
    }
  }
  return [...new Set(notes)];
}

/**
 * Which model carries the mistake. The table's hypotheses are stated as fixes (applied to the model that has the
 * mistake), except the port mistakes that are simulated on the correct model (SIMULATED); a Keras-only setting
 * (reset_after, hard_sigmoid, activations, go_backwards) flipped on a PyTorch or ONNX model means the other model has it.
 */
const SIMULATED = new Set(['bias-doubled', 'gru-bias-not-split', 'kernel-reshaped', 'recurrentKernel-reshaped', 'bias-zero']);
const KERAS_ONLY: ReadonlySet<string> = new Set(['gru-reset', 'hard-sigmoid', 'activation', 'time-order']);

function faultySide(r: HypothesisResult, triedOn: 'A' | 'B', framework: string, otherIsGraph: boolean): 'A' | 'B' {
  const other = triedOn === 'A' ? 'B' : 'A';
  if (SIMULATED.has(r.id.split('@')[0]!)) return other;
  // Permuted gate blocks read the same from either side. Against an ONNX graph (which cannot be re-run under the
  // table, so only the other side was tried) the graph is the converted file: a state dict or a Keras model holds its
  // framework's own layout, an ONNX file is what a converter wrote.
  if (r.concept === 'gate-order' && otherIsGraph) return other;
  if (KERAS_ONLY.has(r.concept) && (framework === 'pytorch' || framework === 'onnx')) return other;
  return triedOn;
}

/**
 * A gate order found on the engine model, said as the ONNX file holds it: hypothesis `lstm-gate-order:i,o,f,c` on
 * the Keras-layout model means the graph's ONNX slots (i, o, f, c) hold Keras blocks i, f, c, o: the converter wrote
 * Keras's (= PyTorch's) order where ONNX reads its own.
 */
function onnxTitle(r: HypothesisResult): Phrase | null {
  const id = r.id.split('@')[0]!;
  // Keras's reset_after is ONNX's linear_before_reset (PyTorch's GRU: reset after, linear_before_reset=1).
  if (id === 'gru-reset-after') return phrase("GRU linear_before_reset flipped (ONNX linear_before_reset=1 is Keras reset_after=True, what PyTorch's GRU computes; 0 resets before the recurrent product)");
  const m = /^(lstm|gru)-gate-order:([a-z,]+)$/.exec(id);
  if (!m) return null;
  const cell = m[1] as 'lstm' | 'gru';
  const stored = m[2]!.split(',');
  const kerasOrder = STORED_ORDER.keras[cell].split(', ');
  const onnx = STORED_ORDER.onnx[cell].split(', ');
  // ONNX slot g holds the Keras block k whose gate the hypothesis moves to g.
  const held = onnx.map((g) => kerasOrder[stored.indexOf(g)]!);
  const same = (order: string) => order.split(', ').join() === held.join();
  const keras = same(STORED_ORDER.keras[cell]);
  const torch = same(STORED_ORDER.pytorch[cell].replace('g', 'c').replace('n', 'h'));
  const named = keras && torch ? phrase('Keras and PyTorch order') : keras ? phrase('Keras order') : torch ? phrase('PyTorch order') : null;
  return named
    ? phrase('ONNX {0} gate blocks (W, R, B) written in order {1} ({2}), where ONNX reads {3}', cell.toUpperCase(), held.join(','), named, onnx.join(','))
    : phrase('ONNX {0} gate blocks (W, R, B) written in order {1}, where ONNX reads {2}', cell.toUpperCase(), held.join(','), onnx.join(','));
}

function firstCell(m: PortModel): CellKind | undefined {
  return m.model ? recurrentLayersOf(m.model)[0]?.layer.cell : undefined;
}

function explained(d: Diagnosis): HypothesisResult | null {
  return d.verdict === 'explained' || d.verdict === 'rounding' ? d.best : null;
}

export function diagnosePort(check: PortCheck, input: Tensor, tolerance: Tolerance): PortDiagnosis {
  const { a, b } = check;
  const notes = structuralNotes(a, b);
  // Each side with an engine Model (an ONNX graph has none) is re-run under the table with the other's output.
  const run = (m: PortModel, expected: Tensor) => (m.model ? diagnose(m.model, input, expected, { tolerance, hypotheses: PORT_HYPOTHESES }) : null);
  const onA = run(a, check.outputs.b);
  const onB = run(b, check.outputs.a);
  const tried = [
    { d: onA, triedOn: 'A' as const },
    { d: onB, triedOn: 'B' as const },
  ].filter((c): c is { d: Diagnosis; triedOn: 'A' | 'B' } => c.d !== null);
  const candidates = tried
    .map((c) => ({ ...c, r: explained(c.d) }))
    .filter((c) => c.r !== null)
    // B is usually the port (`compare original --against port`): on equal errors (a permutation explains it both
    // ways) B's reading wins, so the mistake is named as B holds it.
    .sort((x, y) => x.r!.after - y.r!.after || (x.triedOn === 'B' ? -1 : 1));
  const best = candidates.find((c) => c.triedOn === 'B' && c.r!.after <= Math.max(candidates[0]!.r!.after, tolerance.atol / 10)) ?? candidates[0];
  const sides = { A: a, B: b };
  let found: PortDiagnosis['found'] = null;
  if (best) {
    const triedOn = best.triedOn;
    const other = sides[triedOn === 'A' ? 'B' : 'A'];
    const faulty = faultySide(best.r!, triedOn, sides[triedOn].framework, other.model === null && other.framework === 'onnx');
    const title = faulty !== triedOn && sides[faulty].framework === 'onnx' ? (onnxTitle(best.r!) ?? best.r!.title) : best.r!.title;
    found = { result: best.r!, triedOn, faulty, title };
  }
  const closest = tried.flatMap((c) => c.d.top).sort((x, y) => x.after - y.after).slice(0, 3);
  let code: PortDiagnosis['code'] = null;
  const lines: string[] = [];
  if (check.output.pass && check.pairs.every((p) => p.pass)) {
    lines.push('diagnosis: the models agree; nothing to diagnose');
  } else if (found) {
    const bad = sides[found.faulty];
    const good = sides[found.faulty === 'A' ? 'B' : 'A'];
    const r = found.result;
    lines.push(`diagnosis: ${english(found.title)} — in ${found.faulty} (${bad.file}, ${FRAMEWORK_LABEL[bad.framework]}); max |Δ| ${fmtError(r.before)} → ${fmtError(r.after)} when ${found.triedOn === found.faulty ? 'undone in' : 'made in'} ${found.triedOn} (${sides[found.triedOn].file})`);
    const cell: CellKind | undefined = firstCell(good) ?? firstCell(bad);
    code = cell ? mappingCode(good.framework, bad.framework, cell) : null;
  } else if (notes.length) {
    // A structural difference no weight mapping fixes (a projection on one side, reset_after=False against PyTorch).
    lines.push(`diagnosis: no weight mapping can make these models agree: ${notes[0]}`);
  } else {
    lines.push(`diagnosis: no single conversion mistake explains it; closest: ${closest.map((r) => `${english(r.title)} (${fmtError(r.before)} → ${fmtError(r.after)})`).join('; ') || 'nothing could be tried'}`);
    const cell = firstCell(a) ?? firstCell(b);
    code = cell ? mappingCode(a.framework, b.framework, cell) : null;
  }
  for (const n of found || !notes.length ? notes : notes.slice(1)) lines.push(`note: ${n}`);
  if (code) lines.push(`correct mapping, ${code.title}:`, ...code.code.split('\n').map((l) => `    ${l}`));
  return { notes, found, closest, code, lines };
}
