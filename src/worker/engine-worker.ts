/**
 * The engine in a `worker_threads` Worker (dist/host.js started as the 'engine' worker: src/extension/host-bundle.ts):
 * receives an already-loaded model and input (structured clone), runs `runModel`, and posts the result back with every
 * typed array's buffer transferred, not copied. One run per worker: the host terminates it to cancel. Asked to, it then diagnoses a mismatch with the
 * recording (diagnose() re-runs the model dozens of times: here, not on the extension host's thread) and posts that.
 */
import { parentPort } from 'node:worker_threads';
import { phrase } from '../phrase';
import { analyseRun, analysisArrays, type RunAnalysis } from '../panel/analyse-run';
import { diagnosisFor } from '../panel/analysis';
import { engineModel, runPanelModel } from '../panel/run-panel-model';
import { explainInWorker } from './explain-worker';
import { igHelpInWorker, type IgHelpRequest } from '../explain/threads';
import { portCheckInWorker } from './port-job';
import { transferablesOf, type ExplainWorkerRequest, type PortWorkerRequest, type WorkerReply, type WorkerRequest } from './protocol';

const port = parentPort;
if (!port) throw new Error('engine-worker must run in a worker thread');

port.on('message', (req: WorkerRequest | ExplainWorkerRequest | PortWorkerRequest | IgHelpRequest) => {
  // This bundle is also the second thread of integrated gradients (a .ts source run by a test has no bundle).
  if ('explain' in req) return void explainInWorker(port, req, __filename.endsWith('.js') ? __filename : undefined);
  if ('igHelp' in req) return igHelpInWorker(port, req);
  if ('port' in req) return portCheckInWorker(port, req);
  let reply: WorkerReply;
  let analysed: RunAnalysis | null = null;
  try {
    const t0 = performance.now();
    const result = runPanelModel(req.model, req.input, req.options);
    const runMs = performance.now() - t0;
    // Ranges, saturation (whole-trace scans), weight views (eigenvalues) and the comparison: here, off the host's
    // thread, before the result's buffers are transferred away; a mismatch is diagnosed after the result is on its way.
    analysed = analyseRun(req.model, result, req.expected);
    reply = { type: 'result', result, runMs, analysed };
  } catch (e) {
    reply = { type: 'error', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
  }
  try {
    port.postMessage(reply, reply.type === 'result' ? transferablesOf(reply.result, analysisArrays(reply.analysed)) : []);
  } catch {
    // A buffer that cannot be transferred (none is expected): send copies instead.
    port.postMessage(reply);
  }
  const comparison = analysed?.comparison;
  if (req.expected && comparison) {
    const { predictCalls, precision } = req.options;
    const model = engineModel(req.model);
    // diagnose() re-runs a layer chain under each hypothesis; an ONNX graph is checked against another model instead.
    const lines = model
      ? diagnosisFor({ loaded: { model }, input: req.input, expected: req.expected, predictCalls, precision }, comparison)
      : comparison.pass
        ? null
        : [{ kind: 'note' as const, text: phrase('an ONNX graph is not diagnosed against a recording; "Compare with another model…" against the Keras or PyTorch model it came from names the conversion mistake') }];
    port.postMessage({ type: 'diagnosis', lines } satisfies WorkerReply);
  }
});
