/**
 * Runs the engine off the calling thread: one `worker_threads` Worker per run (dist/host.js as the engine worker), the model and
 * input structured-cloned in, the result's typed arrays transferred back. `cancel()` terminates the worker at once.
 * When the worker cannot start (no bundle, a host without worker_threads: VS Code for the Web) the run happens
 * in-process instead, with the same result, a block of batch items at a time (src/panel/run-in-blocks.ts) so that
 * progress, Cancel and the page's requests get their turn between blocks. No `vscode` import: node tests drive this directly.
 */
import type { DiagnosisLine } from '../diagnose/text';
import { phrase, verbatim, type Phrase } from '../phrase';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { PredictOptions, RunResult, Tensor } from '../engine/index';
import { analyseRun, type RunAnalysis } from '../panel/analyse-run';
import { runInBlocks, type ProgressUnit } from '../panel/run-in-blocks';
import type { PanelInput, PanelModel } from '../panel/run-panel-model';
import { errorOfReply, RunCancelledError } from './job';
import type { WorkerReply, WorkerRequest } from './protocol';
import { workerOptions } from '../worker-roles';

export { RunCancelledError };

export interface EngineRunOutcome {
  result: RunResult;
  /** Engine time (inside the worker when `where` is worker). */
  runMs: number;
  where: 'worker' | 'in-process';
  /** What the panel shows besides the run (ranges, weight views, saturation, comparison): `analyseRun`, wherever the run was. */
  analysed: RunAnalysis;
}

export interface EngineRun {
  readonly promise: Promise<EngineRunOutcome>;
  /**
   * Terminates the worker (the promise rejects with RunCancelledError at once); resolves when the worker thread has
   * stopped. No effect once settled.
   */
  cancel(): Promise<void>;
  readonly where: 'worker' | 'in-process';
  /**
   * With `expected` and a worker: what the worker's diagnose() says, after the result (null: the output matched;
   * a line saying why when the worker stopped or was cancelled first). Null, or a promise of undefined when the run
   * fell back in-process: nobody diagnoses here, the caller does.
   */
  readonly diagnosis: Promise<DiagnosisLine[] | null | undefined> | null;
}

export interface EngineRunOptions {
  /** The worker bundle; without it (or when it is missing) the run is in-process. */
  workerPath?: string | undefined;
  /** Called when the worker could not start and the run fell back to in-process. */
  onFallback?: ((reason: string) => void) | undefined;
  /** Keras's recorded output: the worker compares with it and diagnoses a mismatch once the result is sent (see EngineRun.diagnosis). */
  expected?: Tensor | undefined;
  /** An in-process run's progress: batch items done, of total (after each block), or a one-item run's time steps. */
  onProgress?: ((done: number, total: number, unit: ProgressUnit) => void) | undefined;
}

function inProcess(model: PanelModel, input: PanelInput, options: PredictOptions, expected?: Tensor, onProgress?: EngineRunOptions['onProgress']): EngineRun {
  let cancelled = false;
  let rejectRun: (e: unknown) => void = () => {};
  const promise = new Promise<EngineRunOutcome>((resolve, reject) => {
    rejectRun = reject;
    // Next turn, so a caller can still cancel or show progress first; then a block of batch items per turn.
    setImmediate(async () => {
      if (cancelled) return;
      try {
        const t0 = performance.now();
        const result = await runInBlocks(model, input, options, { isCancelled: () => cancelled, ...(onProgress ? { onProgress } : {}) });
        const runMs = performance.now() - t0;
        resolve({ result, runMs, analysed: analyseRun(model, result, expected), where: 'in-process' });
      } catch (e) {
        reject(e);
      }
    });
  });
  return {
    promise,
    where: 'in-process',
    diagnosis: null,
    cancel: async () => {
      // As with the worker: the promise rejects at once; the blocks stop before the next one.
      cancelled = true;
      rejectRun(new RunCancelledError());
    },
  };
}

/** A diagnosis that is one line about itself (failed, cancelled). */
const said = (text: Phrase): DiagnosisLine[] => [{ kind: 'diagnosis', text }];

export function startEngineRun(model: PanelModel, input: PanelInput, options: PredictOptions = {}, o: EngineRunOptions = {}): EngineRun {
  const path = o.workerPath;
  if (!path || !existsSync(path)) {
    if (path) o.onFallback?.(`no worker bundle at ${path}`);
    return inProcess(model, input, options, o.expected, o.onProgress);
  }
  let worker: Worker;
  try {
    worker = new Worker(path, workerOptions('engine'));
  } catch (e) {
    o.onFallback?.(`the engine worker did not start: ${e instanceof Error ? e.message : String(e)}`);
    return inProcess(model, input, options, o.expected, o.onProgress);
  }
  let settled = false;
  let online = false;
  let rejectRun: (e: unknown) => void = () => {};
  let fallback: EngineRun | undefined;
  // The worker outlives the result while it diagnoses; `diagnosed` settles the diagnosis, whatever ends it.
  let settleDiagnosis: (lines: DiagnosisLine[] | null | undefined) => void = () => {};
  const diagnosis = o.expected ? new Promise<DiagnosisLine[] | null | undefined>((r) => (settleDiagnosis = r)) : null;
  let diagnosed = !o.expected;
  const stopDiagnosis = (lines: DiagnosisLine[] | null | undefined) => {
    if (diagnosed) return;
    diagnosed = true;
    settleDiagnosis(lines);
    void worker.terminate();
  };
  const promise = new Promise<EngineRunOutcome>((resolve, reject) => {
    rejectRun = reject;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      if (diagnosed) void worker.terminate();
    };
    worker.once('online', () => (online = true));
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'diagnosis') return stopDiagnosis(reply.lines);
      if (reply.type === 'error') stopDiagnosis(null);
      finish(() => (reply.type === 'result' ? resolve({ result: reply.result, runMs: reply.runMs, analysed: reply.analysed, where: 'worker' }) : reject(errorOfReply(reply))));
    });
    worker.on('error', (e) => {
      stopDiagnosis(online ? said(phrase('the diagnosis failed: {0}', verbatim(e.message))) : undefined);
      finish(() => {
        if (!online) {
          // It never started (a broken bundle, a sandbox without threads): the run still happens, in-process.
          o.onFallback?.(`the engine worker failed to start: ${e.message}`);
          fallback = inProcess(model, input, options, o.expected, o.onProgress);
          fallback.promise.then(resolve, reject);
        } else reject(e);
      });
    });
    worker.on('exit', (code) => {
      stopDiagnosis(said(phrase('the diagnosis failed: the engine worker stopped (exit code {0})', code)));
      finish(() => reject(new Error(`the engine worker stopped (exit code ${code}) before it finished the run`)));
    });
    const req: WorkerRequest = { model, input, options, expected: o.expected };
    worker.postMessage(req);
  });
  return {
    promise,
    where: 'worker',
    diagnosis,
    async cancel() {
      if (fallback) return fallback.cancel();
      if (settled) return stopDiagnosis(said(phrase('diagnosis cancelled')));
      stopDiagnosis(said(phrase('diagnosis cancelled')));
      settled = true;
      const stopped = worker.terminate();
      rejectRun(new RunCancelledError());
      await stopped;
    },
  };
}
