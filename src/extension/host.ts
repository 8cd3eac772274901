/**
 * The extension's heavy half, bundled on its own as dist/host.js: the loaders, the engine, the panel and the
 * Problems diagnostics. extension.ts requires it on first real use (see lazy-host.ts); from then on everything the
 * extension does is registered here, as one activate() used to do.
 */
import type * as vscode from 'vscode';
import { registerModelDiagnostics } from './diagnostics';
import { registerNotebookCommand } from './notebook';
import { registerOpenCommands } from './open-commands';
import { registerPanelCommands } from './panel/commands';
import { registerPanelSerializer } from './panel/index';
import { registerUserMessages } from './user-messages';

export function startHost(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  registerUserMessages(context, output);
  registerOpenCommands(context, output);
  registerPanelSerializer(context);
  registerPanelCommands(context);
  registerModelDiagnostics(context);
  registerNotebookCommand(context, output);
}
