/**
 * The diagnosis in words: the first line is the answer; the rest are the per-layer finding and notes. Each line is
 * a Phrase (src/phrase.ts): the panel shows it in the display language, the CLI in English with its kind as prefix.
 */
import type { Position } from '../compare/compare';
import { english, errorArg, listArg, phrase, verbatim, type Phrase } from '../phrase';
import type { Diagnosis, HypothesisResult } from './types';


export interface DiagnosisLine {
  /** `diagnosis`: the answer; `layers`: the per-layer finding; `note`: what could not be tried, and why. */
  kind: 'diagnosis' | 'layers' | 'note';
  text: Phrase;
}

/** A line as the CLI prints it: `diagnosis: …`, `note: …`, or the per-layer finding as it is. */
export function lineText(l: DiagnosisLine): string {
  return `${l.kind === 'layers' ? '' : `${l.kind}: `}${english(l.text)}`;
}

/** A position in a [batch, step, unit] tensor, worded (compare.ts's Position.text is its English). */
export function positionPhrase(p: Position): Phrase {
  const [a, b, c] = p.indices;
  if (p.indices.length === 3) return phrase('batch {0}, step {1}, unit {2}', a!, b!, c!);
  if (p.indices.length === 2) return phrase('batch {0}, unit {1}', a!, b!);
  if (p.indices.length === 1) return phrase('unit {0}', a!);
  return verbatim(p.text);
}

const tried = (r: HypothesisResult) => phrase('{0} ({1} → {2})', r.title, errorArg(r.before), errorArg(r.after));

export function describeDiagnosis(d: Diagnosis): DiagnosisLine[] {
  const lines: DiagnosisLine[] = [];
  const answer = (text: Phrase) => lines.push({ kind: 'diagnosis', text });
  switch (d.verdict) {
    case 'match':
      answer(phrase('the output matches the recording (max |Δ| {0}); nothing to diagnose', errorArg(d.before)));
      break;
    case 'rounding':
      answer(
        d.best
          ? phrase("rounding-level difference (max |Δ| {0}, {1} of the output's scale): {2} matches, max |Δ| {3} → {4}", errorArg(d.before), errorArg(d.relativeBefore), d.best.title, errorArg(d.best.before), errorArg(d.best.after))
          : phrase("rounding-level difference (max |Δ| {0}, {1} of the output's scale): not a real mismatch; loosen the tolerance or compare in float32", errorArg(d.before), errorArg(d.relativeBefore)),
      );
      break;
    case 'explained':
      answer(phrase('{0} — max |Δ| {1} → {2}', d.best!.title, errorArg(d.best!.before), errorArg(d.best!.after)));
      break;
    case 'unexplained':
      answer(phrase('no single culprit explains it (max |Δ| {0}); closest: {1}', errorArg(d.before), d.top.length ? listArg(d.top.map(tried), '; ') : phrase('nothing could be tried')));
      break;
  }
  if (d.layers.length) {
    const first = d.layers.find((l) => l.layer === d.firstDivergentLayer);
    const from = first?.comparison.firstDivergence;
    lines.push({
      kind: 'layers',
      text: first
        ? from
          ? phrase('first diverging layer: {0} (hidden sequence max |Δ| {1} from {2})', first.layer, errorArg(first.comparison.maxAbs), positionPhrase(from))
          : phrase('first diverging layer: {0} (hidden sequence max |Δ| {1})', first.layer, errorArg(first.comparison.maxAbs))
        : phrase("every recorded layer's hidden sequence matches ({0})", listArg(d.layers.map((l) => l.layer), ', ')),
    });
  }
  for (const n of d.notes) lines.push({ kind: 'note', text: n });
  return lines;
}
