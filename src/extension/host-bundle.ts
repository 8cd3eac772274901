/**
 * The entry of dist/host.js, which holds the extension's host and both of its workers in one file: the loaders and
 * the engine are most of each, and the VSIX carried them three times (one bundle per role: ~300 KB zipped more).
 * Every module below is `require`d, not imported, so the bundler evaluates only the one this thread needs: the
 * extension host (the main thread) never runs a worker's top level, and a worker never evaluates the host's modules,
 * the ones that require `vscode` (there is no `vscode` module in a worker thread).
 */
import type * as vscode from 'vscode';
import { isMainThread, workerData } from 'node:worker_threads';
import type * as Host from './host';
import { roleOf } from '../worker-roles';

const role = isMainThread ? undefined : roleOf(workerData);
if (role === 'engine') require('../worker/engine-worker');
else if (role === 'load') require('../worker/load-worker');

/** host.ts's startHost, what lazy-host.ts calls after requiring this bundle. */
export function startHost(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  (require('./host') as typeof Host).startHost(context, output);
}
