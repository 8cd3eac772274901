/**
 * The port check as an engine-worker job (src/worker/job.ts: one worker per request, like explanations): the worker's
 * side (`portCheckInWorker`: src/panel/port-view.ts, B's overlay arrays transferred) and the host's (`startPortCheck`;
 * without a worker bundle the check runs in-process). No `vscode` import: node tests drive this directly.
 */
import type { Tolerance } from '../compare/compare';
import type { Tensor } from '../engine/tensor';
import { portCheckForPanel, portResultArrays, type PortSide } from '../panel/port-view';
import type { PortResult } from '../protocol';
import { errorOfReply, startWorkerJob, type WorkerJob } from './job';
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

export type PortJob = WorkerJob<PortResult>;

export function startPortCheck(a: PortSide, b: PortSide, input: Tensor, tolerance: Tolerance, workerPath?: string): PortJob {
  return startWorkerJob<PortResult, PortWorkerReply>({
    workerPath,
    request: { port: true, a, b, input, tolerance } satisfies PortWorkerRequest,
    what: 'the comparison',
    inProcess: () => portCheckForPanel(a, b, input, tolerance),
    reply: (r) => (r.type === 'portResult' ? { value: r.result } : { error: errorOfReply(r) }),
  });
}
