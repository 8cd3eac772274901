/**
 * The engine in a `worker_threads` Worker (bundled to dist/engine-worker.js): receives an already-loaded model and
 * input (structured clone), runs `runModel`, and posts the result back with every typed array's buffer transferred,
 * not copied. One run per worker: the host terminates it to cancel. Asked to, it then diagnoses a mismatch with the
 * recording (diagnose() re-runs the model dozens of times: here, not on the extension host's thread) and posts that.
 */
import { parentPort } from 'node:worker_threads';
import { runModel } from '../engine/index';
import { traceRanges } from './ranges';
import { compareTensors, type Comparison } from '../compare/compare';
import { analysisPayload, diagnosisFor } from '../extension/panel/inspect-messages';
import { transferablesOf, type WorkerReply, type WorkerRequest } from './protocol';
import type { AnalysisPayload } from '../protocol';

/** The typed arrays of the analysis views, to transfer with the result. */
function analysisArrays(a: AnalysisPayload | undefined): ArrayBufferView[] {
  if (!a) return [];
  return [...a.saturation.flatMap((s) => [s.left, s.right]), ...a.weights.flatMap((l) => l.blocks.flatMap((b) => [b.image, b.hist]))];
}

const port = parentPort;
if (!port) throw new Error('engine-worker must run in a worker thread');

port.on('message', (req: WorkerRequest) => {
  let reply: WorkerReply;
  let comparison: Comparison | null = null;
  try {
    const t0 = performance.now();
    const result = runModel(req.model, req.input, req.options);
    const runMs = performance.now() - t0;
    // The chart ranges, gate saturation (whole-trace scans) and weight views (eigenvalues): here, off the host's
    // thread. A failed analysis is undefined: the host tries again and leaves the views out if it fails there too.
    const layers = result.trace?.layers ?? [];
    const analysis = analysisPayload(req.model, layers);
    // Compared before the result's buffers are transferred away; diagnosed after the result is on its way.
    if (req.expected) comparison = compareTensors(result.output, req.expected);
    reply = { type: 'result', result, runMs, ranges: layers.map(traceRanges), analysis, ...(comparison ? { comparison } : {}) };
  } catch (e) {
    reply = { type: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
  }
  try {
    port.postMessage(reply, reply.type === 'result' ? transferablesOf(reply.result, [...reply.ranges, ...analysisArrays(reply.analysis)]) : []);
  } catch {
    // A buffer that cannot be transferred (none is expected): send copies instead.
    port.postMessage(reply);
  }
  if (req.expected && comparison) {
    const { predictCalls, precision } = req.options;
    const lines = diagnosisFor({ loaded: { model: req.model }, input: req.input, expected: req.expected, predictCalls, precision }, comparison);
    port.postMessage({ type: 'diagnosis', lines } satisfies WorkerReply);
  }
});
