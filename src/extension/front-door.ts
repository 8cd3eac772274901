/**
 * The extension's front door, kept small: activation (which any JSON file triggers) registers stand-ins for the
 * commands and watches for a reason to load the rest of the extension (dist/host.js, loaded by lazy-host.ts). Both
 * entries run it: extension.ts (desktop: requires dist/host.js) and web-extension.ts (VS Code for the Web: reads and
 * evaluates the same file).
 */
import * as vscode from 'vscode';
import { loadHostWhenNeeded } from './host-triggers';
import { lazyHost, type HostSource } from './lazy-host';
import { registerNotebookMessaging } from './notebook-messaging';

const loadedAt = performance.now();

export interface CellscopeApi {
  /** Milliseconds spent in activate() (to 0.1 ms). */
  activationMs: number;
  /** From this bundle being evaluated to the end of activate(). */
  activationSinceLoadMs: number;
  /** Whether the rest of the extension (dist/host.js) has been loaded yet. */
  readonly hostLoaded: boolean;
  /** How long loading it took, in ms (undefined until then). */
  readonly hostLoadMs: number | undefined;
}

export function activateWith(context: vscode.ExtensionContext, source: HostSource): CellscopeApi {
  const t0 = performance.now();
  const output = vscode.window.createOutputChannel('Cellscope');
  context.subscriptions.push(output);
  const host = lazyHost(context, output, source);
  loadHostWhenNeeded(context, host);
  registerNotebookMessaging(context);
  const ms = (since: number) => Math.round((performance.now() - since) * 10) / 10;
  const activationMs = ms(t0);
  const activationSinceLoadMs = ms(loadedAt);
  output.appendLine(`Cellscope activated in ${activationMs} ms (${activationSinceLoadMs} ms since the bundle loaded)`);
  return {
    activationMs,
    activationSinceLoadMs,
    get hostLoaded() {
      return host.loaded;
    },
    get hostLoadMs() {
      return host.loadMs;
    },
  };
}
