/**
 * Loads dist/host.js (host.ts) on first real use. Every JSON file in any workspace activates the extension (for the
 * Problems diagnostics and the "Open in Cellscope" button), so activation evaluates only the small dist/extension.js;
 * the loaders, engine, panel and their libraries wait until a command runs, an open document may be a Cellscope
 * file, or a Cellscope panel is to be restored.
 *
 * Until then each of the extension's commands is a stand-in: it loads the host, which registers the real command
 * under the same id (the stand-ins are disposed first), and runs it with the same arguments.
 */
import * as vscode from 'vscode';
import type * as Host from './host-bundle';

/** Commands the host registers that package.json does not contribute (tests call them before anything else). */
const HIDDEN_COMMANDS = ['cellscope.loadModelSummary', 'cellscope.panelState', 'cellscope.cancelRun', 'cellscope.panelRunInfo', 'cellscope.saveInputAs', 'cellscope.notebookMessage', 'cellscope.showLog', 'cellscope.lastMessage'];

export interface LazyHost {
  readonly loaded: boolean;
  /** Milliseconds the load took (require of dist/host.js and its registrations); undefined until loaded. */
  readonly loadMs: number | undefined;
  /** Loads and starts the host once; `reason` goes to the output channel. */
  load(reason: string): void;
}

export function lazyHost(context: vscode.ExtensionContext, output: vscode.OutputChannel): LazyHost {
  let loaded = false;
  let loadMs: number | undefined;
  const contributed: string[] = (context.extension.packageJSON.contributes?.commands ?? []).map((c: { command: string }) => c.command);
  const load = (reason: string) => {
    if (loaded) return;
    const t0 = performance.now();
    // Kept out of this bundle (scripts/build.mjs marks it external): dist/host.js sits beside dist/extension.js.
    const host = require('./host.js') as typeof Host;
    loaded = true;
    for (const d of standIns) d.dispose();
    host.startHost(context, output);
    loadMs = Math.round((performance.now() - t0) * 10) / 10;
    output.appendLine(`Cellscope: loaded the rest of the extension for ${reason} in ${loadMs} ms`);
  };
  const standIns = [...new Set([...contributed, ...HIDDEN_COMMANDS])].map((id) =>
    vscode.commands.registerCommand(id, (...args: unknown[]) => {
      load(`command ${id}`);
      return vscode.commands.executeCommand(id, ...args);
    }),
  );
  context.subscriptions.push({ dispose: () => standIns.forEach((d) => d.dispose()) });
  return {
    get loaded() {
      return loaded;
    },
    get loadMs() {
      return loadMs;
    },
    load,
  };
}
