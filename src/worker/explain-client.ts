/**
 * Explains one target off the calling thread: one engine worker per request (dist/engine-worker.js, as runs), the
 * run's model and input structured-cloned in, progress posted back, the explanation's arrays transferred.
 * `cancel()` terminates the worker at once. Without a worker bundle the work happens in-process (the next turn,
 * synchronously), with the same result. No `vscode` import: node tests drive this directly.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { explainForPanel, type ExplainAsk, type ExplainPhase, type ExplainRun } from '../panel/explain-view';
import type { ExplanationMessage } from '../protocol';
import { RunCancelledError } from './client';
import type { ExplainWorkerReply, ExplainWorkerRequest } from './protocol';

export interface ExplainJob {
  readonly promise: Promise<ExplanationMessage>;
  readonly where: 'worker' | 'in-process';
  /** Stops the work (the promise rejects with RunCancelledError); no effect once settled. */
  cancel(): Promise<void>;
}

export interface ExplainJobOptions {
  workerPath?: string | undefined;
  onProgress?: ((phase: ExplainPhase, done: number, total: number) => void) | undefined;
}

function inProcess(run: ExplainRun, ask: ExplainAsk, o: ExplainJobOptions): ExplainJob {
  let cancelled = false;
  const promise = new Promise<ExplanationMessage>((resolve, reject) => {
    setImmediate(() => {
      if (cancelled) return reject(new RunCancelledError('the explanation was cancelled'));
      try {
        resolve(explainForPanel(run, ask, o.onProgress));
      } catch (e) {
        reject(e);
      }
    });
  });
  return { promise, where: 'in-process', cancel: async () => void (cancelled = true) };
}

export function startExplain(run: ExplainRun, ask: ExplainAsk, o: ExplainJobOptions = {}): ExplainJob {
  if (!o.workerPath || !existsSync(o.workerPath)) return inProcess(run, ask, o);
  let worker: Worker;
  try {
    worker = new Worker(o.workerPath);
  } catch {
    return inProcess(run, ask, o);
  }
  let settled = false;
  let rejectJob: (e: unknown) => void = () => {};
  const promise = new Promise<ExplanationMessage>((resolve, reject) => {
    rejectJob = reject;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (r: ExplainWorkerReply) => {
      if (r.type === 'progress') return void (settled || o.onProgress?.(r.phase, r.done, r.total));
      if (r.type === 'explanation') return finish(() => resolve(r.message));
      const e = new Error(r.message);
      e.name = r.name;
      finish(() => reject(e));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the engine worker stopped (exit code ${code}) before the explanation was done`))));
    worker.postMessage({ explain: true, run, ask } satisfies ExplainWorkerRequest);
  });
  return {
    promise,
    where: 'worker',
    async cancel() {
      if (settled) return;
      settled = true;
      const stopped = worker.terminate();
      rejectJob(new RunCancelledError('the explanation was cancelled'));
      await stopped;
    },
  };
}
