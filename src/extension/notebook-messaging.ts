/**
 * The notebook renderer's channel to the extension host, opened at activation (`onRenderer:cellscope.notebook`) and kept
 * small: every message goes to the hidden command `cellscope.notebookMessage`, whose stand-in loads the host
 * (lazy-host.ts) on first use; its answer goes back to the output that asked.
 */
import * as vscode from 'vscode';
import { NOTEBOOK_RENDERER_ID } from '../notebook/messages';

export function registerNotebookMessaging(context: vscode.ExtensionContext): void {
  const messaging = vscode.notebooks.createRendererMessaging(NOTEBOOK_RENDERER_ID);
  context.subscriptions.push(
    messaging.onDidReceiveMessage(async ({ editor, message }) => {
      const reply = await vscode.commands.executeCommand('cellscope.notebookMessage', message);
      if (reply !== undefined) void messaging.postMessage(reply, editor);
    }),
  );
}
