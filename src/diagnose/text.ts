/** The diagnosis in words: the first line is the answer; the rest are the per-layer finding and notes. */
import type { Diagnosis, HypothesisResult } from './types';

export function fmtError(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : 'shapes differ / run failed';
}

const beforeAfter = (r: HypothesisResult) => `max |Δ| ${fmtError(r.before)} → ${fmtError(r.after)}`;

export function describeDiagnosis(d: Diagnosis): string[] {
  const lines: string[] = [];
  switch (d.verdict) {
    case 'match':
      lines.push(`diagnosis: the output matches the recording (max |Δ| ${fmtError(d.before)}); nothing to diagnose`);
      break;
    case 'rounding':
      lines.push(
        `diagnosis: rounding-level difference (max |Δ| ${fmtError(d.before)}, ${fmtError(d.relativeBefore)} of the output's scale)` +
          (d.best ? `: ${d.best.title} matches, ${beforeAfter(d.best)}` : ': not a real mismatch; loosen the tolerance or compare in float32'),
      );
      break;
    case 'explained':
      lines.push(`diagnosis: ${d.best!.title} — ${beforeAfter(d.best!)}`);
      break;
    case 'unexplained':
      lines.push(
        `diagnosis: no single culprit explains it (max |Δ| ${fmtError(d.before)}); closest: ` +
          (d.top.length ? d.top.map((r) => `${r.title} (${fmtError(r.before)} → ${fmtError(r.after)})`).join('; ') : 'nothing could be tried'),
      );
      break;
  }
  if (d.layers.length) {
    const first = d.layers.find((l) => l.layer === d.firstDivergentLayer);
    lines.push(
      first
        ? `first diverging layer: ${first.layer} (hidden sequence max |Δ| ${fmtError(first.comparison.maxAbs)}${first.comparison.firstDivergence ? ` from ${first.comparison.firstDivergence.text}` : ''})`
        : `every recorded layer's hidden sequence matches (${d.layers.map((l) => l.layer).join(', ')})`,
    );
  }
  for (const n of d.notes) lines.push(`note: ${n}`);
  return lines;
}
