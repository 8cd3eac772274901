/**
 * The engine in a `worker_threads` Worker (bundled to dist/engine-worker.js): receives an already-loaded model and
 * input (structured clone), runs `runModel`, and posts the result back with every typed array's buffer transferred,
 * not copied. One run per worker: the host terminates it to cancel.
 */
import { parentPort } from 'node:worker_threads';
import { runModel } from '../engine/index';
import { traceRanges } from './ranges';
import { saturationViews } from '../extension/panel/inspect-messages';
import { transferablesOf, type WorkerReply, type WorkerRequest } from './protocol';

const port = parentPort;
if (!port) throw new Error('engine-worker must run in a worker thread');

port.on('message', (req: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const t0 = performance.now();
    const result = runModel(req.model, req.input, req.options);
    const runMs = performance.now() - t0;
    // The chart ranges and the gate saturation scan the whole trace: done here too, off the host's thread.
    const layers = result.trace?.layers ?? [];
    let saturation;
    try {
      saturation = saturationViews(layers);
    } catch {
      saturation = undefined; // the host tries again (and leaves the view out if it fails there too)
    }
    reply = { type: 'result', result, runMs, ranges: layers.map(traceRanges), saturation };
  } catch (e) {
    reply = { type: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
  }
  try {
    port.postMessage(reply, reply.type === 'result' ? transferablesOf(reply.result, [...reply.ranges, ...(reply.saturation ?? []).flatMap((s) => [s.left, s.right])]) : []);
  } catch {
    // A buffer that cannot be transferred (none is expected): send copies instead.
    port.postMessage(reply);
  }
});
