/**
 * Loads dist/host.js (host.ts) on first real use. Every JSON file in any workspace activates the extension (for the
 * Problems diagnostics and the "Open in Cellscope" button), so activation evaluates only the small dist/extension.js;
 * the loaders, engine, panel and their libraries wait until a command runs, an open document may be a Cellscope
 * file, or a Cellscope panel is to be restored.
 *
 * Until then each of the extension's commands is a stand-in: it loads the host, which registers the real command
 * under the same id (the stand-ins are disposed first), and runs it with the same arguments.
 *
 * Where the host comes from is the entry's business (HostSource): the desktop requires dist/host.js (at once); VS Code
 * for the Web reads and evaluates it (a promise: until it settles, commands and triggers wait on the same load).
 */
import * as vscode from 'vscode';
import type * as Host from './host-bundle';

/** Commands the host registers that package.json does not contribute (tests call them before anything else). */
const HIDDEN_COMMANDS = ['cellscope.loadModelSummary', 'cellscope.panelState', 'cellscope.cancelRun', 'cellscope.panelRunInfo', 'cellscope.saveInputAs', 'cellscope.notebookMessage', 'cellscope.showLog', 'cellscope.lastMessage'];

/** dist/host.js's exports, now or once read. */
export type HostSource = () => typeof Host | Promise<typeof Host>;

export interface LazyHost {
  readonly loaded: boolean;
  /** Milliseconds the load took (require of dist/host.js and its registrations); undefined until loaded. */
  readonly loadMs: number | undefined;
  /**
   * Loads and starts the host once; `reason` goes to the output channel. Settles when the host has started (at once
   * on the desktop); a later call while it loads gets the same promise.
   */
  load(reason: string): Promise<void>;
}

export function lazyHost(context: vscode.ExtensionContext, output: vscode.OutputChannel, source: HostSource): LazyHost {
  let loaded = false;
  let loadMs: number | undefined;
  let pending: Promise<void> | undefined;
  const contributed: string[] = (context.extension.packageJSON.contributes?.commands ?? []).map((c: { command: string }) => c.command);
  const start = (host: typeof Host, t0: number, reason: string) => {
    loaded = true;
    for (const d of standIns) d.dispose();
    host.startHost(context, output);
    loadMs = Math.round((performance.now() - t0) * 10) / 10;
    output.appendLine(`Cellscope: loaded the rest of the extension for ${reason} in ${loadMs} ms`);
  };
  const load = (reason: string): Promise<void> => {
    if (loaded) return Promise.resolve();
    if (pending) return pending;
    const t0 = performance.now();
    const host = source();
    if (!(host instanceof Promise)) {
      start(host, t0, reason);
      return Promise.resolve();
    }
    pending = host.then(
      (h) => start(h, t0, reason),
      (e: unknown) => {
        pending = undefined;
        output.appendLine(`Cellscope: could not load the rest of the extension (for ${reason}): ${e instanceof Error ? e.message : String(e)}`);
        throw e;
      },
    );
    return pending;
  };
  const standIns = [...new Set([...contributed, ...HIDDEN_COMMANDS])].map((id) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      await load(`command ${id}`);
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
