/**
 * The vocabulary of a diagnosis: a trial is one way of running the model (the model itself, the run options and
 * what is done to the output); a hypothesis turns the user's trial into the one a suspected mistake would undo.
 */
import type { Comparison, Tolerance } from '../compare/compare';
import type { HardSigmoidFlavor, Model } from '../engine/model';
import type { Precision, Tensor } from '../engine/tensor';
import type { Phrase } from '../phrase';

/** Everything that decides what a run gives. */
export interface Trial {
  model: Model;
  precision: Precision;
  /** Follow the model's float16 / bfloat16 dtype policies (`Model.layerDtypes`; `precision` is then float32). */
  policies?: boolean;
  hardSigmoid: HardSigmoidFlavor;
  predictCalls: number;
  /** Applied to the model's output before it is compared (e.g. a reversal in time). */
  transformOutput?: (output: Tensor) => Tensor;
}

/** What a hypothesis may look at besides the model. */
export interface DiagnoseContext {
  /** The recorded output. */
  expected: Tensor;
  /** The user's trial, before any hypothesis. */
  base: Trial;
}

/** The family a hypothesis belongs to (one module each). */
export type Concept =
  | 'gate-order'
  | 'kernel-layout'
  | 'gru-reset'
  | 'hard-sigmoid'
  | 'activation'
  | 'time-order'
  | 'state'
  | 'bias'
  | 'precision';

/**
 * One suspected mistake, stated as its fix: `apply` turns the user's trial into the one that would hold if the
 * mistake were made. `applies` answers true, or why the hypothesis cannot be tried on this model (shown as a note
 * when it is worth saying, e.g. "kernel [6, 16] is not square").
 */
export interface Hypothesis {
  id: string;
  /** What the mistake is, worded for the panel (src/phrase.ts) and the CLI. */
  title: Phrase;
  concept: Concept;
  /** A refusal that may be shown (noteWhenInapplicable) is a Phrase; the others are for the logs. */
  applies(model: Model, ctx: DiagnoseContext): true | string | Phrase;
  apply(trial: Trial): Trial;
  /** The applies() refusal is worth telling the user (default: silent). */
  noteWhenInapplicable?: boolean;
}

export interface HypothesisResult {
  id: string;
  title: Phrase;
  concept: Concept;
  /** Max |Δ| before (the user's run) and after the hypothesis; Infinity when shapes differ or the run fails. */
  before: number;
  after: number;
  pass: boolean;
  comparison: Comparison | null;
  /** Why the run failed, when it did. */
  error?: string;
}

/** A recorded recurrent layer's full hidden sequence against the engine's. */
export interface LayerCheck {
  layer: string;
  comparison: Comparison;
}

export type Verdict = 'match' | 'rounding' | 'explained' | 'unexplained';

export interface Diagnosis {
  verdict: Verdict;
  tolerance: Tolerance;
  /** The user's run against the recording. */
  baseline: Comparison;
  /** Max |Δ| of the user's run (Infinity when shapes differ). */
  before: number;
  /** Max |Δ| relative to the largest |expected| value. */
  relativeBefore: number;
  /** The best hypothesis that passes the tolerance (verdict explained or rounding). */
  best: HypothesisResult | null;
  /** Every hypothesis tried, smallest error after first. */
  ranked: HypothesisResult[];
  /** The three closest, for "no single culprit". */
  top: HypothesisResult[];
  /** Hypotheses that could not be tried here, and why. */
  notes: Phrase[];
  /** Per-layer hidden sequences of the user's run, when the recording has them, in model order. */
  layers: LayerCheck[];
  /** First recorded layer whose hidden sequence differs beyond the tolerance. */
  firstDivergentLayer: string | null;
  /** One line: the answer (in English, as the CLI prints it). */
  summary: string;
}
