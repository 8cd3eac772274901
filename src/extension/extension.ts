/**
 * The desktop entry (package.json `main`, dist/extension.js): the front door, with dist/host.js required beside it on
 * first use. Kept out of this bundle (scripts/build.mjs marks `./host.js` external).
 */
import type * as vscode from 'vscode';
import { activateWith, type CellscopeApi } from './front-door';
import type * as Host from './host-bundle';

export type { CellscopeApi };

export function activate(context: vscode.ExtensionContext): CellscopeApi {
  return activateWith(context, () => require('./host.js') as typeof Host);
}

export function deactivate(): void {}
