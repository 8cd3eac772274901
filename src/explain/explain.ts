/**
 * Explain one prediction: which inputs made the model give the target value. Pure (no vscode, no files): the CLI
 * and the panel call `explainPrediction`. For a token model every method works on the embedding vectors; the
 * attribution is then given per token (the sum over its vector's components) and per component in `vectors`.
 */
import type { Model } from '../engine/model';
import { adoptKernelModule, kernelModule } from '../engine/wasm/kernels';
import { reusingArrays, sizeOf } from '../engine/tensor';
import { gradientMethod } from './attribution/gradient';
import { igEnds, igFinish, igGroups, igPartSum, integratedGradients } from './attribution/integrated-gradients';
import { lrp } from './attribution/lrp';
import { occlusion } from './attribution/occlusion';
import type { Baseline, Method, MethodInput, MethodResult } from './attribution/types';
import { inputList, type ForwardOptions, type ModelInput, type Tensor64 } from './backward';
import { unpack } from './inputs';
import { ExplainError } from './layers';
import { spaceOf } from './space';
import { resolveTarget, type Target } from './target';

export interface ExplainOptions extends ForwardOptions {
  method: Method;
  /** Indices into the output (negatives count from the end). */
  target: readonly number[];
  /** Which model output (default 0). */
  output?: number;
  /** Integrated gradients: interpolation steps (default 64) and baseline (default zeros). */
  steps?: number;
  baseline?: Baseline;
  /** Occlusion: window in steps (default 1) and fill value (default 0). */
  window?: number;
  fill?: number;
  /** LRP: ε (default 0.001) and β (default 0: biases keep their share). */
  lrpEpsilon?: number;
  lrpBiasFactor?: number;
  /** Called as the batched methods (integrated gradients, occlusion) finish each chunk: points done of all. */
  onProgress?: (done: number, total: number) => void;
}

export interface Explanation {
  method: Method;
  target: Target;
  /** The target's value at the input. */
  value: number;
  /** `input`, or `embedding` for a token model (attribution per token, `vectors` per component). */
  space: 'input' | 'embedding';
  /** Same shape as the input (a token model: [batch, time]); occlusion: [batch, time]. */
  attribution: Tensor64;
  /** Token models: the attribution per embedding component, [batch, time, dim]. */
  vectors?: Tensor64;
  /**
   * Models of several inputs: one attribution per input, in the model's input order (`attribution` is the first's).
   * A token input's is per token, with its per-component `vectors`.
   */
  attributions?: InputAttribution[];
  completenessError?: number;
  conservationError?: number;
  /** LRP: the value the relevance explains (the pre-activation of a non-linear head; else `value`). */
  explainedValue?: number;
  /** LRP: the relevance the initial states received (part of what the input's relevance lacks). */
  initialStateRelevance?: number;
}

/** One model input's share of a several-input explanation. */
export interface InputAttribution {
  name: string;
  space: 'input' | 'embedding';
  attribution: Tensor64;
  vectors?: Tensor64;
}

export function explainPrediction(model: Model, input: ModelInput, options: ExplainOptions): Explanation {
  const p = prepare(model, input, options);
  return assemble(p, options, input, run(options.method, p.m));
}

/** What every method is given, made once for a request: the space, the resolved target and its value. */
interface Prepared {
  m: MethodInput;
  target: Target;
  value: number;
}

function prepare(model: Model, input: ModelInput, options: ExplainOptions): Prepared {
  const { space, gradientAt } = spaceOf(model, input, options, options.method === 'integrated-gradients' ? [] : undefined);
  const outputs = space.run.run.outputs;
  const target = resolveTarget(outputs, options.target, options.output ?? 0);
  const value = outputs[target.output]!.data[target.flat]!;
  const m: MethodInput = {
    space,
    target,
    gradientAt,
    steps: options.steps ?? 64,
    baseline: options.baseline ?? 'zeros',
    window: options.window ?? 1,
    fill: options.fill ?? 0,
    lrp: { eps: options.lrpEpsilon ?? 0.001, biasFactor: options.lrpBiasFactor ?? 0 },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  return { m, target, value };
}

function assemble({ m, target, value }: Prepared, options: ExplainOptions, given: ModelInput, r: MethodResult): Explanation {
  const input = inputList(given)[0]!;
  const { space } = m;
  const checks = {
    ...(r.completenessError !== undefined ? { completenessError: r.completenessError } : {}),
    ...(r.conservationError !== undefined ? { conservationError: r.conservationError } : {}),
    ...(r.explainedValue !== undefined ? { explainedValue: r.explainedValue } : {}),
    ...(r.initialStateRelevance !== undefined ? { initialStateRelevance: r.initialStateRelevance } : {}),
  };
  const [batch, steps] = space.value.shape as [number, number];
  if (space.parts) {
    const attributions = unpack({ shape: space.value.shape, data: r.data }, space.parts).map((a, k): InputAttribution => {
      const p = space.parts![k]!;
      return p.space === 'embedding' ? { name: p.name, space: p.space, attribution: perToken(a), vectors: a } : { name: p.name, space: p.space, attribution: a };
    });
    const first = attributions[0]!;
    return { method: options.method, target, value, space: first.space, attribution: first.attribution, ...(first.vectors ? { vectors: first.vectors } : {}), attributions, ...checks };
  }
  if (r.perStep) return { method: options.method, target, value, space: space.kind, attribution: { shape: [batch, steps], data: r.data }, ...checks };
  if (space.kind === 'input') return { method: options.method, target, value, space: space.kind, attribution: { shape: [...input.shape], data: r.data }, ...checks };
  const vectors = { shape: [...space.value.shape], data: r.data };
  return { method: options.method, target, value, space: space.kind, attribution: perToken(vectors), vectors, ...checks };
}

/**
 * A second thread's share of integrated gradients: the request (options without the progress callback, which cannot
 * cross threads) and `shared`, which both threads read and write while they work: [0] points the second thread has
 * done, [1] 1 once it has failed, [2] the next group of points (igGroups) for either thread to take.
 */
export interface IgHelpJob {
  model: Model;
  input: ModelInput;
  options: Omit<ExplainOptions, 'onProgress'>;
  shared: Int32Array;
  /** This thread's compiled WebAssembly kernels (engine/wasm/kernels.ts), for the other thread to run too. */
  kernels?: WebAssembly.Module | undefined;
}

/** The groups a thread took (igGroups indices) and their sums, in the same order. */
export interface IgGroupSums {
  groups: number[];
  sums: Float64Array[];
}

/**
 * Starts a job on another thread; null when no thread can be had (this thread then does the work). The promise gives
 * the sums of the groups it took, or rejects with an error that says what went wrong there; `cancel` ends the thread.
 */
export type IgHelper = (job: IgHelpJob) => { promise: Promise<IgGroupSums>; cancel(): void } | null;

const DONE = 0;
const FAILED = 1;
const NEXT = 2;

/**
 * `explainPrediction`, with integrated gradients' groups of points taken by two threads as they come free when
 * `helper` gives a second one (src/explain/threads.ts): the same numbers bit for bit (each group is summed on its
 * own and the groups are added in order, igGroups), in about half the time on two cores. Every other method, and no
 * helper, runs here as `explainPrediction`.
 */
export async function explainPredictionThreaded(model: Model, input: ModelInput, options: ExplainOptions, helper?: IgHelper): Promise<Explanation> {
  const shared = new Int32Array(new SharedArrayBuffer(12));
  const { onProgress: _, ...plain } = options;
  // The other thread starts first: it has its own start to make (and its own forward of the input).
  const job = options.method === 'integrated-gradients' && helper ? helper({ model, input, options: plain, shared, kernels: kernelModule() ?? undefined }) : null;
  let p: Prepared;
  try {
    p = prepare(model, input, options);
    if (job) igEnds(p.m);
  } catch (e) {
    job?.cancel();
    throw e;
  }
  if (!job) return assemble(p, options, input, run(options.method, p.m));
  const { m } = p;
  let mine = 0;
  const report = () => m.onProgress?.(mine + Atomics.load(shared, DONE), m.steps);
  let here: IgGroupSums;
  try {
    // This thread's groups; it stops taking more when the other thread has failed (its error is what the caller gets).
    here = takeGroups(m, shared, (n) => ((mine += n), report()));
  } catch (e) {
    job.cancel();
    throw e;
  }
  // While the other thread finishes its last group, its progress (it counts its points in `shared`).
  const timer = m.onProgress ? setInterval(report, 100) : null;
  try {
    const there = await job.promise;
    report();
    const groups = igGroups(m);
    const sums: (Float64Array | undefined)[] = groups.map(() => undefined);
    for (const t of [here, there]) t.groups.forEach((g, k) => (sums[g] = t.sums[k]));
    if (sums.some((s) => !s)) throw new ExplainError('integrated gradients: a group of points was not done by either thread (please report this)');
    return assemble(p, options, input, igFinish(m, sums as Float64Array[]));
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** Takes the next free group of points until none is left (or the other thread has failed) and sums each. */
function takeGroups(m: MethodInput, shared: Int32Array, onChunk: (n: number) => void): IgGroupSums {
  const groups = igGroups(m);
  const out: IgGroupSums = { groups: [], sums: [] };
  // One pool of arrays for all the groups this thread takes (a group is one chunk: see integratedGradients).
  reusingArrays(() => {
    for (let g = Atomics.add(shared, NEXT, 1); g < groups.length && Atomics.load(shared, FAILED) === 0; g = Atomics.add(shared, NEXT, 1)) {
      out.groups.push(g);
      out.sums.push(igPartSum(m, groups[g]!, onChunk, () => Atomics.load(shared, FAILED) !== 0));
    }
  });
  return out;
}

/** The helper thread's side of `explainPredictionThreaded`: the groups it took, its points counted in `shared`. */
export function igHelpPart(job: IgHelpJob): IgGroupSums {
  try {
    if (job.kernels) adoptKernelModule(job.kernels);
    const { m } = prepare(job.model, job.input, job.options as ExplainOptions);
    return takeGroups(m, job.shared, (n) => Atomics.add(job.shared, DONE, n));
  } catch (e) {
    Atomics.store(job.shared, FAILED, 1);
    throw e;
  }
}

function run(method: Method, m: MethodInput): MethodResult {
  if (m.space.parts && (method === 'occlusion' || method === 'lrp')) {
    throw new ExplainError(`--method ${method} explains one-input models; this model has ${m.space.parts.length} inputs (${m.space.parts.map((p) => p.name).join(', ')})`, 'use --method gradient, grad-input or integrated-gradients (which interpolates all inputs together)');
  }
  if (m.space.parts && typeof m.baseline === 'object') throw new ExplainError('a baseline file is read for one-input models; this model has several inputs', 'use --baseline zeros or mean');
  switch (method) {
    case 'gradient':
      return gradientMethod(m, false);
    case 'grad-input':
      return gradientMethod(m, true);
    case 'integrated-gradients':
      return integratedGradients(m);
    case 'occlusion':
      return occlusion(m);
    case 'lrp':
      return lrp(m);
  }
}

/** [batch, time, dim] → [batch, time] (any token positions: [..., dim] → [...]): each token's attribution is the sum over its vector. */
export function perToken(v: Tensor64): Tensor64 {
  const dim = v.shape.at(-1)!;
  const tokens = v.shape.slice(0, -1);
  const out = new Float64Array(sizeOf(tokens));
  for (let r = 0; r < out.length; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += v.data[r * dim + j]!;
    out[r] = s;
  }
  return { shape: tokens, data: out };
}
