/**
 * Explain one prediction: which inputs made the model give the target value. Pure (no vscode, no files): the CLI
 * and the panel call `explainPrediction`. For a token model every method works on the embedding vectors; the
 * attribution is then given per token (the sum over its vector's components) and per component in `vectors`.
 */
import type { Model } from '../engine/model';
import { adoptKernelModule, kernelModule } from '../engine/wasm/kernels';
import { sizeOf, type Tensor } from '../engine/tensor';
import { gradientMethod } from './attribution/gradient';
import { igEnds, igFinish, igHalves, igPartSum, integratedGradients, type IgPart } from './attribution/integrated-gradients';
import { lrp } from './attribution/lrp';
import { occlusion } from './attribution/occlusion';
import type { Baseline, Method, MethodInput, MethodResult } from './attribution/types';
import type { ForwardOptions, Tensor64 } from './backward';
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
  completenessError?: number;
  conservationError?: number;
  /** LRP: the value the relevance explains (the pre-activation of a non-linear head; else `value`). */
  explainedValue?: number;
  /** LRP: the relevance the initial states received (part of what the input's relevance lacks). */
  initialStateRelevance?: number;
}

export function explainPrediction(model: Model, input: Tensor, options: ExplainOptions): Explanation {
  const p = prepare(model, input, options);
  return assemble(p, options, input, run(options.method, p.m));
}

/** What every method is given, made once for a request: the space, the resolved target and its value. */
interface Prepared {
  m: MethodInput;
  target: Target;
  value: number;
}

function prepare(model: Model, input: Tensor, options: ExplainOptions): Prepared {
  const { space, gradientAt } = spaceOf(model, input, options);
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

function assemble({ m, target, value }: Prepared, options: ExplainOptions, input: Tensor, r: MethodResult): Explanation {
  const { space } = m;
  const checks = {
    ...(r.completenessError !== undefined ? { completenessError: r.completenessError } : {}),
    ...(r.conservationError !== undefined ? { conservationError: r.conservationError } : {}),
    ...(r.explainedValue !== undefined ? { explainedValue: r.explainedValue } : {}),
    ...(r.initialStateRelevance !== undefined ? { initialStateRelevance: r.initialStateRelevance } : {}),
  };
  const [batch, steps] = space.value.shape as [number, number];
  if (r.perStep) return { method: options.method, target, value, space: space.kind, attribution: { shape: [batch, steps], data: r.data }, ...checks };
  if (space.kind === 'input') return { method: options.method, target, value, space: space.kind, attribution: { shape: [...input.shape], data: r.data }, ...checks };
  const vectors = { shape: [...space.value.shape], data: r.data };
  return { method: options.method, target, value, space: space.kind, attribution: perToken(vectors), vectors, ...checks };
}

/**
 * A second thread's share of integrated gradients: the request (options without the progress callback, which cannot
 * cross threads), the half of the points it sums, and `shared` ([0]: points it has done, [1]: 1 once it has failed),
 * which both threads read while they work.
 */
export interface IgHelpJob {
  model: Model;
  input: Tensor;
  options: Omit<ExplainOptions, 'onProgress'>;
  part: IgPart;
  shared: Int32Array;
  /** This thread's compiled WebAssembly kernels (engine/wasm/kernels.ts), for the other thread to run too. */
  kernels?: WebAssembly.Module | undefined;
}

/**
 * Starts a job on another thread; null when no thread can be had (this thread then does the work). The promise gives
 * the part's sum, or rejects with an error that says what went wrong there; `cancel` ends the thread.
 */
export type IgHelper = (job: IgHelpJob) => { promise: Promise<Float64Array>; cancel(): void } | null;

/**
 * `explainPrediction`, with integrated gradients' second half of the points on another thread when `helper` gives
 * one (src/explain/threads.ts): the same numbers bit for bit (the halves are always summed apart, igHalves), in
 * about half the time on two cores. Every other method, and no helper, runs here as `explainPrediction`.
 */
export async function explainPredictionThreaded(model: Model, input: Tensor, options: ExplainOptions, helper?: IgHelper): Promise<Explanation> {
  const steps = options.steps ?? 64;
  const [h0, h1] = igHalves(Number.isInteger(steps) && steps >= 1 ? steps : 1);
  const threaded = options.method === 'integrated-gradients' && helper && h1.to > h1.from;
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const { onProgress: _, ...plain } = options;
  // The other thread starts first: it has its own start to make (and its own forward of the input).
  const job = threaded ? helper({ model, input, options: plain, part: h1, shared, kernels: kernelModule() ?? undefined }) : null;
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
  const report = () => m.onProgress?.(mine + Atomics.load(shared, 0), m.steps);
  let s0: Float64Array;
  try {
    // This thread's half; it stops early when the other thread has failed (its error is what the caller gets).
    s0 = igPartSum(m, h0, (n) => ((mine += n), report()), () => Atomics.load(shared, 1) !== 0);
  } catch (e) {
    job.cancel();
    throw e;
  }
  // While the other half finishes, its progress (the thread counts its points in `shared`).
  const timer = m.onProgress ? setInterval(report, 100) : null;
  try {
    const s1 = await job.promise;
    report();
    return assemble(p, options, input, igFinish(m, [s0, s1]));
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** The helper thread's side of `explainPredictionThreaded`: the sum of its part, its points counted in `shared`. */
export function igHelpPart(job: IgHelpJob): Float64Array {
  try {
    if (job.kernels) adoptKernelModule(job.kernels);
    const { m } = prepare(job.model, job.input, job.options as ExplainOptions);
    return igPartSum(m, job.part, (n) => Atomics.add(job.shared, 0, n));
  } catch (e) {
    Atomics.store(job.shared, 1, 1);
    throw e;
  }
}

function run(method: Method, m: MethodInput): MethodResult {
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

/** [batch, time, dim] → [batch, time]: each token's attribution is the sum over its vector. */
export function perToken(v: Tensor64): Tensor64 {
  const [batch, steps] = v.shape as [number, number];
  const dim = sizeOf(v.shape.slice(2));
  const out = new Float64Array(batch * steps);
  for (let r = 0; r < batch * steps; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += v.data[r * dim + j]!;
    out[r] = s;
  }
  return { shape: [batch, steps], data: out };
}
