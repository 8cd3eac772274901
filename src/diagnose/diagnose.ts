/**
 * `diagnose`: the engine's output differs from a recording; which usual mistake explains it? Every hypothesis of
 * the table is applied to a copy of the user's trial, the model is rerun and compared with the recording, and the
 * hypotheses are ranked by the error that remains.
 */
import { compareTensors, DEFAULT_TOLERANCE, type Comparison, type Tolerance } from '../compare/compare';
import { runModel } from '../engine';
import type { HardSigmoidFlavor, Model } from '../engine/model';
import type { Precision, Tensor } from '../engine/tensor';
import type { Recording } from '../formats/recording';
import { HYPOTHESES } from './table';
import { recurrentLayerNames, restrictToLayer, type LayerHypothesis } from './layers';
import { checkLayers } from './per-layer';
import { describeDiagnosis, lineText } from './text';
import { listArg, phrase, type Phrase } from '../phrase';
import type { DiagnoseContext, Diagnosis, Hypothesis, HypothesisResult, Trial } from './types';

export interface DiagnoseOptions {
  /** How many predict calls the recording was made with (default: the recording's, else 1). */
  predictCalls?: number;
  tolerance?: Tolerance;
  /** The user's precision; unset: the model's float16 / bfloat16 dtype policies when it declares any, else float64. */
  precision?: Precision;
  /** The user's hard_sigmoid formula (default: the model's). */
  hardSigmoid?: HardSigmoidFlavor;
  /** Replaces the built-in table. */
  hypotheses?: readonly Hypothesis[];
}

/** Below this max |Δ| relative to the output's scale a difference is rounding, whatever the tolerance. */
export const ROUNDING_RELATIVE = 1e-6;

const errorOf = (c: Comparison | null) => (!c || c.shapeMismatch || Number.isNaN(c.maxAbs) ? Infinity : c.maxAbs);

function isRecording(x: Tensor | Recording): x is Recording {
  return 'output' in x && 'layers' in x;
}

function runTrial(trial: Trial, input: Tensor, expected: Tensor, tolerance: Tolerance): Comparison {
  const r = runModel(trial.model, input, { precision: trial.precision, policies: trial.policies ?? false, hardSigmoid: trial.hardSigmoid, predictCalls: trial.predictCalls, record: false });
  return compareTensors(trial.transformOutput ? trial.transformOutput(r.output) : r.output, expected, tolerance);
}

/** The table for this model: layer rules also once per recurrent layer when there are several. */
export function hypothesesFor(model: Model, table: readonly Hypothesis[] = HYPOTHESES): Hypothesis[] {
  const names = recurrentLayerNames(model);
  return table.flatMap((h) => {
    const lh = h as LayerHypothesis;
    return lh.rule && lh.only === undefined && names.length > 1 ? [h, ...names.map((n) => restrictToLayer(lh, n))] : [h];
  });
}

export function diagnose(model: Model, input: Tensor, expectedOrRecording: Tensor | Recording, options: DiagnoseOptions = {}): Diagnosis {
  const recording = isRecording(expectedOrRecording) ? expectedOrRecording : null;
  const expected = recording ? recording.output : (expectedOrRecording as Tensor);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  // As runModel decides: no precision given and half-precision layers declared → those layers' policies.
  const policies = options.precision === undefined && model.layerDtypes !== undefined;
  const base: Trial = {
    model,
    precision: options.precision ?? (policies ? 'float32' : 'float64'),
    policies,
    hardSigmoid: options.hardSigmoid ?? model.semantics.hardSigmoid,
    predictCalls: options.predictCalls ?? recording?.predictCalls ?? 1,
  };
  const baseline = runTrial(base, input, expected, tolerance);
  const before = errorOf(baseline);
  let scale = 0;
  for (const v of expected.data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  const relativeBefore = scale > 0 ? before / scale : before;
  const layers = recording?.layers.length ? checkLayers(base, input, recording.layers, tolerance) : [];
  const firstDivergentLayer = layers.find((l) => !l.comparison.pass)?.layer ?? null;

  const ranked: HypothesisResult[] = [];
  const notes: Phrase[] = [];
  /** Hypotheses the weights' shapes rule out, said once in one note (not one line each). */
  const ruledOut = new Map<string, Phrase>();
  if (!baseline.pass && policies) {
    notes.push(phrase("the run already reproduces the model's dtype policy ({0}): Keras's float16 / bfloat16 rounding (JAX / XLA on CPU) is not what differs", model.dtypePolicies ?? ''));
  }
  if (!baseline.pass) {
    const ctx: DiagnoseContext = { expected, base };
    for (const h of hypothesesFor(model, options.hypotheses ?? HYPOTHESES)) {
      const ok = h.applies(model, ctx);
      if (ok !== true) {
        if (h.noteWhenInapplicable) {
          const p = phrase('{0} ({1})', h.title, ok);
          ruledOut.set(JSON.stringify(p), p);
        }
        continue;
      }
      const result: HypothesisResult = { id: h.id, title: h.title, concept: h.concept, before, after: Infinity, pass: false, comparison: null };
      try {
        const c = runTrial(h.apply(base), input, expected, tolerance);
        Object.assign(result, { comparison: c, after: errorOf(c), pass: c.pass });
      } catch (e) {
        result.error = (e as Error).message;
      }
      ranked.push(result);
    }
    // Stable: equal errors keep the table's order.
    ranked.sort((a, b) => a.after - b.after);
    const out = [...ruledOut.values()];
    if (out.length) notes.push(out.length > 1 ? phrase('not tried, the shapes rule them out: {0}', listArg(out, '; ')) : phrase('not tried, the shapes rule it out: {0}', out[0]!));
  }

  const precisionFix = ranked.find((r) => r.concept === 'precision' && r.pass) ?? null;
  const verdict = baseline.pass
    ? 'match'
    : precisionFix || (Number.isFinite(relativeBefore) && relativeBefore < ROUNDING_RELATIVE)
      ? 'rounding'
      : ranked[0]?.pass
        ? 'explained'
        : 'unexplained';
  const best = verdict === 'rounding' ? precisionFix : verdict === 'explained' ? ranked[0]! : null;
  const d: Diagnosis = {
    verdict,
    tolerance,
    baseline,
    before,
    relativeBefore,
    best,
    ranked,
    top: ranked.slice(0, 3),
    notes,
    layers,
    firstDivergentLayer,
    summary: '',
  };
  d.summary = lineText(describeDiagnosis(d)[0]!);
  return d;
}
