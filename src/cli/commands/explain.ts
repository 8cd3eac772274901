/**
 * `cellscope explain MODEL --input IN --target I [--method M] [--steps N] [--baseline zeros|mean|FILE] [--output K]
 * [--window W] [--fill V] [--dynamics] [--threads N] --out F.json|F.csv`: which inputs made the model give one output value.
 * JSON: {"target", "output", "value", "method", "attribution": {"shape", "data"}, "completeness_error"?,
 * "conservation_error"?, "space", "vectors"? (token models), "attributions"? (several inputs: [{"name", "space", "shape",
 * "data", "vectors"?}] per input), "dynamics"? (--dynamics)}; CSV: one row per attributed
 * element.
 */
import { join } from 'node:path';
import { explainPredictionThreaded, parseTargetText, type Explanation } from '../../explain';
import { dynamicsOf, dynamicsJson } from '../../explain/dynamics';
import type { Baseline } from '../../explain/attribution/types';
import { loadArrayFile } from '../../formats/node-files';
import { igThreadHelper } from '../../explain/threads';
import { UsageError } from '../files';
import type { CliOptions } from '../options';
import { emit, loadModelAndInput, type Print } from './shared';

export async function explainCommand(o: CliOptions, print: Print): Promise<number> {
  if (!o.target) throw new UsageError('explain needs --target b,t,u (indices into the output; negatives count from the end)');
  const method = o.method ?? 'gradient';
  // Integrated gradients' second thread runs the engine worker beside this bundle (dist/host.js started as 'engine'),
  // started before the model loads so that it has its own bundle loaded when its job comes (other methods: one thread).
  const helper = method === 'integrated-gradients' ? igThreadHelper(join(__dirname, 'host.js'), o.threads ?? 2) : undefined;
  const l = await loadModelAndInput(o);
  const loaded = l.runnable.loaded;
  if (!loaded) throw new UsageError(`${o.model}: explain runs Keras-structured models (not a whole ONNX graph)`);
  // A model of several inputs is explained with respect to all of them (JSON: `attributions`, one per input).
  const input = l.inputs.length > 1 ? l.inputs : l.inputs[0]!;
  const baseline: Baseline = o.baseline === undefined || o.baseline === 'zeros' || o.baseline === 'mean' ? (o.baseline ?? 'zeros') : await loadArrayFile(o.baseline);
  const forward = { precision: o.precision, predictCalls: o.predictCalls ?? loaded.predictCalls, ...(o.hardSigmoid ? { hardSigmoid: o.hardSigmoid } : {}) };
  const e = await explainPredictionThreaded(loaded.model, input, {
    ...forward,
    method,
    target: parseTargetText(o.target),
    output: o.output ?? 0,
    ...(o.steps !== undefined ? { steps: o.steps } : {}),
    baseline,
    ...(o.window !== undefined ? { window: o.window } : {}),
    ...(o.fill !== undefined ? { fill: o.fill } : {}),
  }, helper);
  const dynamics = o.dynamics ? dynamicsOf(loaded.model, l.inputs[0]!, { ...forward, target: e.target }) : null;
  const csv = o.out?.toLowerCase().endsWith('.csv');
  await emit(o, csv ? csvOf(e) : JSON.stringify(jsonOf(e, dynamics ? dynamicsJson(dynamics) : null)), print);
  return 0;
}

function jsonOf(e: Explanation, dynamics: unknown): Record<string, unknown> {
  return {
    target: e.target.index,
    output: e.target.output,
    value: e.value,
    method: e.method,
    attribution: { shape: e.attribution.shape, data: Array.from(e.attribution.data) },
    ...(e.completenessError !== undefined ? { completeness_error: e.completenessError } : {}),
    ...(e.conservationError !== undefined ? { conservation_error: e.conservationError } : {}),
    space: e.space,
    ...(e.vectors ? { vectors: { shape: e.vectors.shape, data: Array.from(e.vectors.data) } } : {}),
    ...(e.attributions
      ? {
          attributions: e.attributions.map((a) => ({
            name: a.name,
            space: a.space,
            shape: a.attribution.shape,
            data: Array.from(a.attribution.data),
            ...(a.vectors ? { vectors: { shape: a.vectors.shape, data: Array.from(a.vectors.data) } } : {}),
          })),
        }
      : {}),
    ...(dynamics ? { dynamics } : {}),
  };
}

/** One row per attributed element: its indices (batch, time, feature…) and the attribution. */
function csvOf(e: Explanation): string {
  const shape = e.attribution.shape;
  const names = shape.length === 2 ? ['batch', 'time'] : shape.length === 3 ? ['batch', 'time', 'feature'] : shape.map((_, k) => `axis${k}`);
  const lines = [[...names, 'attribution'].join(',')];
  const idx = shape.map(() => 0);
  for (let k = 0; k < e.attribution.data.length; k++) {
    lines.push([...idx, e.attribution.data[k]!].join(','));
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  return lines.join('\n');
}
