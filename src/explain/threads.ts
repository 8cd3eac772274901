/**
 * Integrated gradients on two threads: `igThreadHelper` gives explainPredictionThreaded (src/explain/explain.ts) a
 * second thread, a worker_threads Worker running the engine worker (dist/host.js as 'engine'): both threads take
 * groups of interpolation points as they come free and sum them. The CLI and the panel's explain
 * worker use it (the web build has no nested workers: its panel explains on one thread). `igHelpInWorker` is the
 * worker's side. A thread that fails is reported as such (RunError: what failed there, and the one-thread way out);
 * one that cannot be started at all leaves the whole job to the calling thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RunError } from '../engine/errors';
import { workerOptions } from '../worker-roles';
import { igHelpPart, type IgGroupSums, type IgHelper, type IgHelpJob } from './explain';

/** The engine worker's request: take groups of points until none is left. */
export interface IgHelpRequest {
  igHelp: IgHelpJob;
}

export type IgHelpReply = { type: 'sums'; sums: IgGroupSums } | { type: 'error'; name: string; message: string };

const WAY_OUT = 'cellscope explain --threads 1 computes every point on one thread';

/**
 * A helper for explainPredictionThreaded, or undefined (one thread) without the worker bundle, with `threads` < 2, or
 * on a machine with one core (a second thread would only take turns with the first). The first worker is started
 * here, before it is asked for anything (unref'd: it keeps no process alive), so that it loads its bundle while this
 * thread loads the model; later jobs start their own.
 */
export function igThreadHelper(workerPath: string | undefined, threads = 2): IgHelper | undefined {
  if (threads < 2 || !workerPath || !existsSync(workerPath) || availableParallelism() < 2) return undefined;
  let spare = startThread(workerPath);
  spare?.worker.unref();
  return (job) => {
    const thread = spare ?? startThread(workerPath);
    spare = null;
    if (!thread) return null;
    const { worker } = thread;
    worker.ref();
    try {
      // A model the structured clone cannot copy (none is expected: the panel posts the same models) fails here.
      worker.postMessage({ igHelp: job } satisfies IgHelpRequest);
    } catch {
      void worker.terminate();
      return null;
    }
    let settled = false;
    const promise = new Promise<IgGroupSums>((resolve, reject) => {
      const finish = (f: () => void) => {
        if (settled) return;
        settled = true;
        f();
        void worker.terminate();
      };
      const failed = (what: string) => finish(() => reject(new RunError(`integrated gradients: the second thread ${what}`, WAY_OUT)));
      thread.listen({
        message: (r) => (r.type === 'sums' ? finish(() => resolve(r.sums)) : failed(`failed: ${r.message}`)),
        error: (e) => failed(`failed: ${e.message}`),
        exit: (code) => failed(`stopped (exit code ${code}) before its points were done`),
      });
    });
    // Cancelled (the calling thread failed first), nobody awaits it: its rejection is not news.
    promise.catch(() => {});
    return {
      promise,
      cancel() {
        settled = true;
        void worker.terminate();
      },
    };
  };
}

interface ThreadEvents {
  message(r: IgHelpReply): void;
  error(e: Error): void;
  exit(code: number): void;
}

/**
 * A started worker whose events (an error or exit while it waits for its job, too) reach the job's listeners, given
 * later; null when no thread can be started here (a sandbox): the calling thread then does the work.
 */
function startThread(workerPath: string): { worker: Worker; listen(l: ThreadEvents): void } | null {
  let worker: Worker;
  try {
    worker = new Worker(workerPath, { ...workerOptions('engine'), execArgv: bundleExecArgv(process.execArgv) });
  } catch {
    return null;
  }
  let listeners: ThreadEvents | null = null;
  const missed: (() => void)[] = [];
  const forward = <K extends keyof ThreadEvents>(k: K) => (arg: Parameters<ThreadEvents[K]>[0]) => {
    const call = () => (listeners![k] as (a: typeof arg) => void)(arg);
    if (listeners) call();
    else missed.push(call);
  };
  worker.on('message', forward('message'));
  worker.on('error', forward('error'));
  worker.on('exit', forward('exit'));
  return {
    worker,
    listen(l) {
      listeners = l;
      for (const call of missed.splice(0)) call();
    },
  };
}

/**
 * The parent's Node flags without its module loaders (--import, --require, --loader and the like): the worker runs a
 * bundle that needs none, and a loader such as tsx (the benchmarks and tests run under it) costs each new thread
 * ~0.3 s of CPU hooking every module it loads. Other flags (--cpu-prof, --inspect…) pass as Node passes them.
 */
export function bundleExecArgv(argv: readonly string[]): string[] {
  const loaders = /^--(import|require|loader|experimental-loader)(=|$)|^-r$/;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!loaders.test(a)) out.push(a);
    else if (!a.includes('=')) i++; // its value is the next argument
  }
  return out;
}

/** The worker's side: the sums of the groups it took (their buffers transferred), or the error's name and message. */
export function igHelpInWorker(port: { postMessage(m: unknown, transfer?: ArrayBuffer[]): void }, req: IgHelpRequest): void {
  let reply: IgHelpReply;
  try {
    reply = { type: 'sums', sums: igHelpPart(req.igHelp) };
  } catch (e) {
    reply = { type: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply, reply.type === 'sums' ? reply.sums.sums.map((s) => s.buffer as ArrayBuffer) : []);
}
