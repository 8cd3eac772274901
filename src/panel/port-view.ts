/**
 * "Compare with another model…" for the panel: the port checker (src/port: checkPort, diagnosePort — what
 * `cellscope compare A --against B --diagnose` prints) run on the panel's model (A) and the file picked (B), on the
 * panel's input, turned into the `portCheck` result the webview draws: per layer pair the max |Δ| of every gate under
 * both frameworks' names, the first divergence, B's values for the gate charts' overlay, and the diagnosis with
 * before → after and the corrected weight-mapping code. The engine worker calls this (it re-runs both models dozens
 * of times), or the host in-process when no worker starts.
 */
import type { Tolerance } from '../compare/compare';
import type { Tensor } from '../engine/tensor';
import type { LayerTrace } from '../engine/trace';
import { runnableFromLoaded, type RunnableModel } from '../formats/runnable';
import type { PortResult } from '../protocol';
import { checkPort, describePortCheck, portModel } from '../port/check';
import { diagnosePort } from '../port/diagnose';
import { FRAMEWORK_LABEL } from '../port/frameworks';
import { WHOLE_TRACE_VALUES } from './overview';
import { isGraphModel, onnxReader, type PanelModel } from './run-panel-model';

/** One side: what runs, and how the file is named in the views. */
export interface PortSide {
  model: PanelModel;
  file: string;
}

function runnableOf(m: PanelModel): RunnableModel {
  return isGraphModel(m) ? onnxReader().loadOnnx(m.bytes, m.file) : runnableFromLoaded({ model: m, predictCalls: 1 });
}

/** B's recorded quantities that A has too, in input-time order, when they are small enough to send. */
function overlayOf(a: LayerTrace, b: LayerTrace): PortResult['pairs'][number]['overlay'] {
  if (b.batch !== a.batch || b.steps !== a.steps || b.units !== a.units) return null;
  const keys = a.quantities.map((q) => q.key).filter((k) => b.quantities.some((q) => q.key === k));
  if (keys.length * b.batch * b.steps * b.units > WHOLE_TRACE_VALUES) return null;
  const { batch: B, steps: T, units: U } = b;
  const values = keys.map((k) => {
    const src = b.values[b.quantities.findIndex((q) => q.key === k)]!;
    const out = new Float64Array(B * T * U);
    for (let bi = 0; bi < B; bi++) {
      for (let t = 0; t < T; t++) {
        const s = b.stepOfInputTime[t]!;
        out.set(src.subarray((bi * T + s) * U, (bi * T + s + 1) * U), (bi * T + t) * U);
      }
    }
    return out;
  });
  return { batch: B, steps: T, units: U, keys, values };
}

export function portCheckForPanel(a: PortSide, b: PortSide, input: Tensor, tolerance: Tolerance): PortResult {
  const pa = portModel(a.file, runnableOf(a.model));
  const pb = portModel(b.file, runnableOf(b.model));
  const check = checkPort(pa, pb, input, tolerance);
  const d = diagnosePort(check, input, tolerance);
  const o = check.output;
  const found = d.found;
  return {
    a: { file: a.file, framework: FRAMEWORK_LABEL[pa.framework] },
    b: { file: b.file, framework: FRAMEWORK_LABEL[pb.framework] },
    atol: tolerance.atol,
    output: { pass: o.pass, maxAbs: o.shapeMismatch ? NaN : o.maxAbs, text: describePortCheck(check).find((l) => l.startsWith('output:')) ?? '' },
    pairs: check.pairs.map((p) => ({
      layer: p.index - 1,
      a: `${p.a.layerName}${p.a.direction === 'backward' ? ' (backward)' : ''}`,
      b: `${p.b.layerName}${p.b.direction === 'backward' ? ' (backward)' : ''}`,
      mismatch: p.mismatch,
      pass: p.pass,
      gates: p.gates.map((g) => ({ ...g })),
      first: p.first ? { ...p.first } : null,
      overlay: p.mismatch ? null : overlayOf(p.a, p.b),
    })),
    lines: describePortCheck(check),
    diagnosis: {
      lines: d.lines,
      found: found ? { title: found.title, faulty: found.faulty, file: found.faulty === 'A' ? a.file : b.file, before: found.result.before, after: found.result.after } : null,
      notes: d.notes,
      code: d.code,
    },
  };
}

/** The typed arrays of a result (transferred from the worker, not copied). */
export function portResultArrays(r: PortResult): ArrayBufferView[] {
  return r.pairs.flatMap((p) => p.overlay?.values ?? []);
}
