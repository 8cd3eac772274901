/**
 * Diagnosing a mismatch between the engine and a recording: pure (no vscode, no files), for the CLI's
 * `compare --diagnose` and the panel.
 */
export { diagnose, hypothesesFor, ROUNDING_RELATIVE, type DiagnoseOptions } from './diagnose';
export { describeDiagnosis, lineText, type DiagnosisLine } from './text';
export { HYPOTHESES } from './table';
export type { Concept, DiagnoseContext, Diagnosis, Hypothesis, HypothesisResult, LayerCheck, Trial, Verdict } from './types';
