/**
 * The debugging views' payloads, built in the host (no vscode import): weights per layer and gate (stats, image,
 * histogram, spectral radius), gate saturation per traced layer, and the diagnosis of a mismatching recording.
 * PanelSession attaches them to its init and comparison messages.
 */
import { blockImage, columnBlock, histogram, layerSaturation, spectralRadius } from '../analysis/index';
import type { Comparison } from '../compare/compare';
import { describeDiagnosis, diagnose, type DiagnosisLine } from '../diagnose/index';
import { phrase, verbatim } from '../phrase';
import type { LayerTrace, Model, Tensor } from '../engine/index';
import { blockStats, weightBlocks } from '../engine/weight-stats';
import { inputList, type PanelInput } from './run-panel-model';
import type { AnalysisPayload, SaturationView, WeightBlockView, WeightLayerView } from '../protocol';

/**
 * Eigenvalues of a [u, u] block cost O(u³) on the host thread (ml-matrix: ~1 s at u = 256): the panel computes ρ
 * for blocks up to this size and within a total time budget; larger ones are left to `cellscope inspect`.
 */
export const PANEL_RADIUS_MAX_UNITS = 128;
export const PANEL_RADIUS_BUDGET_MS = 1500;

export function weightViews(model: Model, bins = 24): WeightLayerView[] {
  const t0 = performance.now();
  const out: WeightLayerView[] = [];
  for (const b of weightBlocks(model)) {
    const s = blockStats(b);
    const img = blockImage(b.data, b.cols, b.c0, b.c1);
    const hst = histogram(b.data, b.cols, b.c0, b.c1, bins);
    // ρ of a recurrent gate block U_g ([units, units]); skipped (NaN-free null + note) when too big.
    const width = b.c1 - b.c0;
    let radius: number | null = null;
    let radiusNote: string | undefined;
    if (b.recurrent) {
      if (width <= PANEL_RADIUS_MAX_UNITS && performance.now() - t0 < PANEL_RADIUS_BUDGET_MS) radius = spectralRadius(columnBlock(b.data, width, b.cols, b.c0));
      else radiusNote = `ρ not computed in the panel (${width} units); \`cellscope inspect\` prints it`;
    }
    const view: WeightBlockView = {
      weight: s.weight, gate: s.gate, part: b.part, label: b.label, shape: s.shape,
      min: s.min, max: s.max, mean: s.mean, std: s.std, nan: s.nan, inf: s.inf,
      imageRows: img.rows, imageCols: img.cols, image: img.values,
      histLo: hst.lo, histHi: hst.hi, hist: hst.counts,
      radius,
      ...(radiusNote ? { radiusNote } : {}),
    };
    let lv = out.find((l) => l.layer === b.layer);
    if (!lv) out.push((lv = { layer: b.layer, blocks: [] }));
    lv.blocks.push(view);
  }
  return out;
}

export function saturationViews(layers: readonly LayerTrace[]): SaturationView[] {
  return layers.map((lt, id) => {
    const s = layerSaturation(lt);
    const U = s.units;
    const left = new Float32Array(s.gates.length * U);
    const right = new Float32Array(s.gates.length * U);
    s.gates.forEach((g, k) => {
      left.set(g.left, k * U);
      right.set(g.right, k * U);
    });
    return { layer: id, units: U, counted: s.counted, gates: s.gates.map((g) => ({ key: g.key, label: g.label })), left, right, dead: s.dead, stuck: s.stuck };
  });
}

const analysed = new WeakMap<readonly LayerTrace[], AnalysisPayload>();

/** Computed once per run (by the engine worker, or here); never lets an analysis failure break the panel: the views are extras. */
export function analysisPayload(model: Model | null, layers: readonly LayerTrace[]): AnalysisPayload | undefined {
  try {
    const hit = analysed.get(layers);
    if (hit) return hit;
    // An ONNX graph has no engine Model: its weights are not shown (yet); saturation reads the trace alone.
    const a = { weights: model ? weightViews(model) : [], saturation: saturationViews(layers) };
    analysed.set(layers, a);
    return a;
  } catch (e) {
    console.warn('cellscope: analysis failed', e);
    return undefined;
  }
}

const diagnosed = new WeakMap<Comparison, DiagnosisLine[] | null>();

/** What diagnose() says about a mismatch (computed once per comparison); null when the output matched. */
export function diagnosisLines(model: Model, input: Tensor, expected: Tensor, c: Comparison, predictCalls?: number, precision?: 'float64' | 'float32'): DiagnosisLine[] | null {
  if (c.pass || c.shapeMismatch) return null;
  if (diagnosed.has(c)) return diagnosed.get(c)!;
  let lines: DiagnosisLine[] | null;
  try {
    lines = describeDiagnosis(diagnose(model, input, expected, { tolerance: c.tolerance, ...(predictCalls ? { predictCalls } : {}), ...(precision ? { precision } : {}) }));
  } catch (e) {
    lines = [{ kind: 'diagnosis', text: phrase('the diagnosis failed: {0}', verbatim(e instanceof Error ? e.message : String(e))) }];
  }
  diagnosed.set(c, lines);
  return lines;
}

/** Weights × batch × steps above which the panel does not diagnose (about a second of engine work per trial). */
export const DIAGNOSE_BUDGET = 2e8;

/** diagnosisLines for a PanelSession's inputs (what its comparison message carries). */
export function diagnosisFor(s: { loaded: { model: Model; predictCalls?: number }; input: PanelInput; expected?: Tensor | undefined; predictCalls?: number | undefined; precision?: 'float64' | 'float32' | undefined }, c: Comparison): DiagnosisLine[] | null {
  if (!s.expected || c.pass || c.shapeMismatch) return null;
  // Every hypothesis re-runs the model on one input: a multi-input graph is compared per output, not diagnosed.
  const given = inputList(s.input);
  if (given.length > 1) return [{ kind: 'note', text: phrase('a model with several inputs is not diagnosed in the panel yet (its hypotheses re-run a model fed one input)') }];
  const input = given[0]!;
  // diagnose() re-runs the model a few dozen times (in the engine worker; on the host only when the run fell back
  // in-process): past a budget the panel would wait too long for it, so it points to the CLI instead.
  const params = weightBlocks(s.loaded.model).reduce((n, b) => n + b.rows * (b.c1 - b.c0), 0);
  const work = params * (input.shape[0] ?? 1) * (input.shape[1] ?? 1);
  if (work > DIAGNOSE_BUDGET) return [{ kind: 'diagnosis', text: phrase('diagnosis skipped in the panel (a large run); `cellscope compare MODEL --input IN --expected EXP --diagnose` runs it') }];
  return diagnosisLines(s.loaded.model, input, s.expected, c, s.predictCalls ?? s.loaded.predictCalls, s.precision);
}
