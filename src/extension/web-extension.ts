/**
 * The VS Code for the Web entry (package.json `browser`, dist/web/extension.js): the same front door, with
 * dist/host.js read and evaluated in the web worker on first use (web-host.ts) instead of required.
 */
import type * as vscode from 'vscode';
import { activateWith, type CellscopeApi } from './front-door';
import { loadHostScript } from './web-host';

export function activate(context: vscode.ExtensionContext): CellscopeApi {
  return activateWith(context, () => loadHostScript(context.extensionUri));
}

export function deactivate(): void {}
