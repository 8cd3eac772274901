/**
 * The port check as an engine-worker job (one worker per request, like runs and explanations): the worker's side
 * (`portCheckInWorker`: src/panel/port-view.ts, B's overlay arrays transferred) and the host's (`startPortCheck`:
 * starts it, `cancel()` terminates the worker; without a worker bundle the check runs in-process on the next turn).
 * No `vscode` import: node tests drive this directly.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Tolerance } from '../compare/compare';
import type { Tensor } from '../engine/tensor';
import { portCheckForPanel, portResultArrays, type PortSide } from '../panel/port-view';
import type { PortResult } from '../protocol';
import { RunCancelledError } from './client';
import type { PortWorkerReply, PortWorkerRequest } from './protocol';

export function portCheckInWorker(port: { postMessage(m: unknown, transfer?: ArrayBuffer[]): void }, req: PortWorkerRequest): void {
  let reply: PortWorkerReply;
  try {
    reply = { type: 'portResult', result: portCheckForPanel(req.a, req.b, req.input, req.tolerance) };
  } catch (e) {
    reply = { type: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
  }
  const buffers = reply.type === 'portResult' ? portResultArrays(reply.result).map((a) => a.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer) : [];
  port.postMessage(reply, [...new Set(buffers)]);
}

export interface PortJob {
  readonly promise: Promise<PortResult>;
  readonly where: 'worker' | 'in-process';
  cancel(): Promise<void>;
}

export function startPortCheck(a: PortSide, b: PortSide, input: Tensor, tolerance: Tolerance, workerPath?: string): PortJob {
  let worker: Worker | undefined;
  try {
    if (workerPath && existsSync(workerPath)) worker = new Worker(workerPath);
  } catch {
    worker = undefined;
  }
  let settled = false;
  let rejectJob: (e: unknown) => void = () => {};
  const promise = new Promise<PortResult>((resolve, reject) => {
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
        let result: PortResult;
        try {
          result = portCheckForPanel(a, b, input, tolerance);
        } catch (e) {
          return finish(() => reject(e));
        }
        finish(() => resolve(result));
      });
      return;
    }
    worker.on('message', (r: PortWorkerReply) => {
      if (r.type === 'portResult') return finish(() => resolve(r.result));
      finish(() => reject(Object.assign(new Error(r.message), { name: r.name })));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the engine worker stopped (exit code ${code}) before the comparison was done`))));
    worker.postMessage({ port: true, a, b, input, tolerance } satisfies PortWorkerRequest);
  });
  return {
    promise,
    where: worker ? 'worker' : 'in-process',
    async cancel() {
      if (settled) return;
      settled = true;
      rejectJob(new RunCancelledError('the comparison was cancelled'));
      await worker?.terminate();
    },
  };
}
