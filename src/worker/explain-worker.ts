/**
 * The engine worker's second job: explain one prediction (`explainForPanel`: attribution, gradient flow, step
 * Jacobians, trajectories) for the panel, posting progress on the way. One request per worker, like runs: the host
 * terminates the worker to cancel (which ends the second thread integrated gradients starts from here too:
 * `workerPath`, this worker's own bundle, takes groups of its points too; src/explain/threads.ts).
 */
import { explainForPanelThreaded, explanationArrays } from '../panel/explain-view';
import { igThreadHelper } from '../explain/threads';
import type { ExplainWorkerReply, ExplainWorkerRequest } from './protocol';

export async function explainInWorker(port: { postMessage(m: unknown, transfer?: ArrayBuffer[]): void }, req: ExplainWorkerRequest, workerPath?: string): Promise<void> {
  const send = (m: ExplainWorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  try {
    const m = await explainForPanelThreaded(req.run, req.ask, (phase, done, total) => send({ type: 'progress', phase, done, total }), igThreadHelper(workerPath));
    const buffers = [...new Set(explanationArrays(m).map((a) => a.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
    send({ type: 'explanation', message: m }, buffers);
  } catch (e) {
    send({ type: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) });
  }
}
