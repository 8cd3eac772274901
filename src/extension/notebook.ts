/**
 * The host's half of the notebook renderer: runs a `cellscope.show()` output's model with the engine and answers with
 * what the renderer draws; `Open in Cellscope panel` writes the output's model, input and recording as files in the
 * extension's storage (never beside the user's notebook) and opens the full panel on them.
 */
import * as vscode from 'vscode';
import { LoadError } from '../formats';
import { bundleFiles, readBundle, runBundle } from '../notebook/bundle';
import { isToHost, type ToRenderer } from '../notebook/messages';
import { toWire } from '../transport';
import { loadErrorText } from './l10n';
import { openModelUri } from './open-commands';
import { tellUser } from './user-messages';

export function registerNotebookCommand(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('cellscope.notebookMessage', async (message: unknown) => {
      if (!isToHost(message)) {
        output.appendLine(`[notebook] dropped a message that is not a Cellscope renderer request`);
        return undefined;
      }
      if (message.type === 'run') {
        let reply: ToRenderer;
        try {
          reply = { type: 'result', requestId: message.requestId, result: runBundle(message.data), l10n: { language: vscode.env.language, bundle: vscode.l10n.bundle ?? {} } };
        } catch (e) {
          const text = e instanceof LoadError ? loadErrorText(e) : e instanceof RangeError ? e.message : vscode.l10n.t('Cellscope could not run this output: {0}', String(e));
          output.appendLine(`[notebook] ${text}`);
          reply = { type: 'error', requestId: message.requestId, message: text };
        }
        return toWire(reply);
      }
      await openInPanel(context, output, message.data);
      return undefined;
    }),
  );
}

async function openInPanel(context: vscode.ExtensionContext, output: vscode.OutputChannel, data: unknown): Promise<void> {
  try {
    const bundle = readBundle(data, 'notebook output');
    const files = bundleFiles(bundle);
    // One folder per distinct output (re-opening the same output reuses its panel), named after the model so the
    // panel's tab reads `<model>/model.cellscope.json`.
    // Web Crypto, not node:crypto: the same code runs in VS Code for the Web's worker extension host.
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(files.map((f) => f.text).join('\0'))));
    const hex = Array.from(digest.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join('');
    const safe = bundle.name.replace(/[^\w.-]+/g, '_').slice(0, 40) || 'model';
    const dir = vscode.Uri.joinPath(context.globalStorageUri, 'notebook', hex, safe);
    await vscode.workspace.fs.createDirectory(dir);
    for (const f of files) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, f.name), new TextEncoder().encode(f.text));
    await openModelUri(context, output, vscode.Uri.joinPath(dir, 'model.cellscope.json'), `notebook: ${bundle.name}`);
  } catch (e) {
    const text = e instanceof LoadError ? loadErrorText(e) : vscode.l10n.t('Cellscope could not open this output in the panel: {0}', String(e));
    tellUser('error', text);
  }
}
