/**
 * Loads and checks of user files, off the extension host's thread (dist/host.js started as the 'load' worker:
 * src/extension/host-bundle.ts): the host starts one worker per request with a heap limit and a deadline (src/worker/load-client.ts), so a file that asks for too
 * much memory or time ends this worker, never the editor. Reading from disk happens here too, through node-files.ts
 * (regular files only, shards inside the model's folder).
 */
import { parentPort } from 'node:worker_threads';
import { LoadError, loadArrayBytes, loadExpectedBytes, loadModelBytes } from '../formats/index';
import { readChecked, siblingReader } from '../formats/node-files';
import { checkText } from '../formats/text-check';
import { openModelBytes } from '../formats/runnable';
import type { LoadReply, LoadRequest } from './load-protocol';

const port = parentPort;
if (!port) throw new Error('load-worker must run in a worker thread');

async function answer(req: LoadRequest): Promise<LoadReply> {
  try {
    if (req.type === 'check') {
      const p = checkText(req.text, req.kind, req.fileName, req.limits);
      if (!p) return { type: 'checked', problem: null };
      const { error, ...rest } = p;
      return { type: 'checked', problem: { ...rest, details: error.details } };
    }
    if (req.type === 'array') return { type: 'array', tensor: loadArrayBytes(req.bytes, req.fileName, req.limits) };
    if (req.type === 'expected') return { type: 'expected', recording: loadExpectedBytes(req.bytes, req.fileName, req.limits) };
    const bytes = req.fsPath ? await readChecked(req.fsPath, req.fileName, req.limits) : (req.bytes ?? new Uint8Array());
    const siblings = req.fsPath ? siblingReader(req.fsPath, req.limits) : undefined;
    const loaded = await openModelBytes(bytes, req.fileName, () => loadModelBytes(bytes, req.fileName, siblings, req.limits, req.choices), req.limits);
    return { type: 'loaded', loaded };
  } catch (e) {
    if (e instanceof LoadError) return { type: 'load-error', details: e.details };
    return { type: 'failed', name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
  }
}

port.on('message', (req: LoadRequest) => {
  void answer(req).then((reply) => {
    try {
      port.postMessage(reply);
    } catch (e) {
      port.postMessage({ type: 'failed', name: 'DataCloneError', message: e instanceof Error ? e.message : String(e) } satisfies LoadReply);
    }
  });
});
