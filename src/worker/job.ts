/**
 * One request, one engine worker: the pattern of the panel's off-thread jobs (explanations, port checks). The worker
 * bundle (dist/host.js, as the engine worker) gets the request (structured clone); its replies are read by the job's `reply`
 * (progress, the answer or an error); `cancel()` terminates the worker at once. Without a worker bundle, or when the
 * worker cannot be created, the work runs in-process on the next turn (synchronously, the same result), so a caller
 * can still cancel first. Engine runs (src/worker/client.ts) follow the same lines with more to do (a fallback when
 * the worker dies before it is online, the diagnosis after the result). No `vscode` import: node tests drive this.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { workerOptions } from '../worker-roles';

/** The rejection of a cancelled run or job. */
export class RunCancelledError extends Error {
  constructor(message = 'the run was cancelled') {
    super(message);
    this.name = 'RunCancelledError';
  }
}

export interface WorkerJob<T> {
  readonly promise: Promise<T>;
  readonly where: 'worker' | 'in-process';
  /** Stops the work (the promise rejects with RunCancelledError); no effect once settled. */
  cancel(): Promise<void>;
}

/** What a reply means: the answer, a failure, or neither (progress: keep waiting). */
export type JobReply<T> = { value: T } | { error: Error } | undefined;

export interface WorkerJobSpec<T, R> {
  workerPath: string | undefined;
  /** Posted to the worker as it is. */
  request: unknown;
  /** The job in words, for its messages: `the explanation` → "the explanation was cancelled". */
  what: string;
  /** The same work on this thread. */
  inProcess: () => T;
  reply: (r: R) => JobReply<T>;
}

/** An error reply of a worker (`{ type: 'error', name, message }`) as an Error of that name. */
export function errorOfReply(r: { name: string; message: string }): Error {
  const e = r.name === 'RangeError' ? new RangeError(r.message) : r.name === 'TypeError' ? new TypeError(r.message) : new Error(r.message);
  if (!['Error', 'RangeError', 'TypeError'].includes(r.name)) e.name = r.name;
  return e;
}

export function startWorkerJob<T, R>(spec: WorkerJobSpec<T, R>): WorkerJob<T> {
  let worker: Worker | undefined;
  try {
    if (spec.workerPath && existsSync(spec.workerPath)) worker = new Worker(spec.workerPath, workerOptions('engine'));
  } catch {
    worker = undefined; // no threads here (a sandbox): the same work in-process
  }
  let settled = false;
  let rejectJob: (e: unknown) => void = () => {};
  const promise = new Promise<T>((resolve, reject) => {
    rejectJob = reject;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker?.terminate();
    };
    if (!worker) {
      setImmediate(() => {
        if (settled) return;
        let value: T;
        try {
          value = spec.inProcess();
        } catch (e) {
          return finish(() => reject(e));
        }
        finish(() => resolve(value));
      });
      return;
    }
    worker.on('message', (r: R) => {
      if (settled) return;
      const out = spec.reply(r);
      if (out) finish(() => ('value' in out ? resolve(out.value) : reject(out.error)));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the engine worker stopped (exit code ${code}) before ${spec.what} was done`))));
    worker.postMessage(spec.request);
  });
  return {
    promise,
    where: worker ? 'worker' : 'in-process',
    async cancel() {
      if (settled) return;
      settled = true;
      rejectJob(new RunCancelledError(`${spec.what} was cancelled`));
      await worker?.terminate();
    },
  };
}
