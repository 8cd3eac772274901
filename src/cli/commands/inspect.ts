/** `cellscope inspect`: summary, weight statistics with spectral radii, and with --input gate saturation. */
import { layerSaturation, radiusHint, spectralRadii, type GateRadius, type LayerSaturation } from '../../analysis/index';
import { summarizeModel, summaryText } from '../../engine/summary';
import { weightBlocks, weightStats, type BlockStats } from '../../engine/weight-stats';
import { CELL_KINDS, BUILTIN_CELL_KINDS, storedGateNames } from '../../engine/cells/kinds';
import { recurrentLayersOf, type Model } from '../../engine/model';
import { frameworkOf } from '../../port/frameworks';
import { displayCopy } from '../output';
import { loadInputsFile, loadModelFile } from '../../formats/node-files';
import { runnableFromLoaded } from '../../formats/runnable';
import type { CliOptions } from '../options';
import { emit, run, type Print } from './shared';

function statsTable(stats: BlockStats[], radii: GateRadius[]): string {
  const g = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));
  // Spectral radius ρ of each recurrent gate block, on its recurrent_kernel row; '-' elsewhere.
  const rho = (s: BlockStats) => {
    const r = radii.find((x) => x.layer === s.layer && x.weight === s.weight && x.gate === s.gate);
    return r ? g(r.radius) : '-';
  };
  const rows = stats.map((s) => [s.layer, s.weight, s.gate, `[${s.shape.join('×')}]`, g(s.min), g(s.max), g(s.mean), g(s.std), String(s.nan), String(s.inf), rho(s)]);
  const head = ['layer', 'weight', 'gate', 'shape', 'min', 'max', 'mean', 'std', 'NaN', 'Inf', 'ρ'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/** Per layer direction and gate: mean left-/right-saturated shares, the most saturated units, and the dead units. */
function saturationText(sat: LayerSaturation[]): string[] {
  const lines = ['', 'gate saturation over the input (share of steps < 0.1 / > 0.9, mean over units):'];
  for (const l of sat) {
    const name = `${l.layerName}${l.direction === 'backward' ? ' (backward)' : ''}`;
    if (!l.gates.length) lines.push(`  ${name}: no gates`);
    for (const g of l.gates) {
      const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / (a.length || 1);
      lines.push(`  ${name} gate ${g.label}: left ${pct(mean(g.left))}, right ${pct(mean(g.right))}`);
    }
    lines.push(l.dead.length ? `  ${name}: ${l.dead.length} dead unit(s)` : `  ${name}: no dead units`);
    for (const d of l.dead.slice(0, 20)) lines.push(`    unit ${d.unit}: ${d.reason}`);
    if (l.dead.length > 20) lines.push(`    … and ${l.dead.length - 20} more`);
    if (l.stuck.length) lines.push(`  ${name}: ${l.stuck.length} unit(s) with a gate saturated at every step whose state still changes (not dead)`);
    for (const d of l.stuck.slice(0, 20)) lines.push(`    unit ${d.unit}: ${d.reason}`);
  }
  return lines;
}

/**
 * The eigenvalues of a u × u block cost ~u³ (a 2,048-unit LSTM took over 300 s), so inspect computes spectral radii
 * only while Σ u³ over the recurrent blocks stays within four 256-unit gates (~2 s); beyond, it says it skipped them.
 */
const SPECTRAL_BUDGET = 4 * 256 ** 3;

function spectralSkipped(model: Model): string | undefined {
  const sizes = weightBlocks(model)
    .filter((b) => b.recurrent)
    .map((b) => b.c1 - b.c0);
  const cost = sizes.reduce((a, u) => a + u ** 3, 0);
  if (cost <= SPECTRAL_BUDGET) return undefined;
  return `spectral radius skipped: ${sizes.length} recurrent gate blocks up to ${Math.max(...sizes)}×${Math.max(...sizes)} (eigenvalues cost units³; inspect computes them up to four 256×256 blocks, about 2 s)`;
}

/** The tables use Keras's gate names; a PyTorch model's own names are said once above them. */
function frameworkGateNames(model: Model): string[] {
  if (frameworkOf(model.source, model) !== 'pytorch') return [];
  const cells = new Set(recurrentLayersOf(model).map((r) => r.layer.cell));
  // Every kind whose PyTorch gate names or block order differ from Keras's (CELL_KINDS: LSTM's g, GRU's r, z, n).
  return BUILTIN_CELL_KINDS.filter((k) => cells.has(k) && storedGateNames(k, 'pytorch').join() !== storedGateNames(k, 'keras').join()).map((k) => {
    const { title, layout } = CELL_KINDS[k];
    const torch = storedGateNames(k, 'pytorch').join(', ');
    const keras = storedGateNames(k, 'keras').join(', ');
    const stored = layout.pytorch.join() === layout.keras.join() ? '' : `blocks stored ${torch} in PyTorch, ${keras} in Keras; `;
    return `gate names: PyTorch ${title} ${torch} = Keras ${layout.pytorch.join(', ')} (${stored}the tables use Keras's)`;
  });
}

export async function inspectCommand(o: CliOptions, print: Print): Promise<number> {
  const loaded = await loadModelFile(o.model, undefined, { module: o.module, nonlinearity: o.nonlinearity });
  const { model } = loaded;
  const summary = summarizeModel(model);
  const stats = weightStats(model);
  const skipped = spectralSkipped(model);
  const radii = skipped ? [] : spectralRadii(model);
  // Saturation needs a run: only with --input.
  const runnable = runnableFromLoaded(loaded);
  const sat = o.input ? (run(o, { runnable, inputs: await loadInputsFile(o.input, runnable.inputNames) }, true).trace?.layers ?? []).map((lt) => layerSaturation(lt)) : null;
  if (o.json) {
    const saturation = sat?.map((l) => ({ ...l, gates: l.gates.map((g) => ({ ...g, left: Array.from(g.left), right: Array.from(g.right) })) }));
    await emit(o, JSON.stringify({ summary, weights: stats, spectralRadii: radii, ...(skipped ? { spectralRadiiSkipped: skipped } : {}), ...(saturation ? { saturation } : {}) }, null, 1), print);
  } else {
    const flagged = stats.filter((s) => s.nan || s.inf);
    const alerts = displayCopy(flagged).map((s) => `warning: ${s.layer} ${s.weight} (gate ${s.gate}) holds ${s.nan} NaN and ${s.inf} ±Inf values`);
    const big = radii.filter((r) => r.radius > 1 || !Number.isFinite(r.radius));
    const notes = displayCopy(big).map((r) => `note: ${r.layer} ${r.weight} gate ${r.gate}: spectral radius ${r.radius.toPrecision(4)} ${radiusHint(r.radius)}`);
    // Names from the file (layers, weights) are shown with their control characters escaped, each on its own line.
    const text = [summaryText(displayCopy(summary)), ...frameworkGateNames(model), '', statsTable(displayCopy(stats), displayCopy(radii)), ...alerts, ...notes, ...(skipped ? [`note: ${skipped}`] : []), ...(sat ? saturationText(displayCopy(sat)) : [])];
    await emit(o, text.join('\n'), print);
  }
  return 0;
}
