/**
 * dist/host.js in VS Code for the Web's worker extension host, where nothing but `vscode` can be required: the file
 * is read from the extension's folder and evaluated as CommonJS, as VS Code evaluates the entry itself, with its Node
 * modules answered by src/web/node-absent.ts. The package carries one host (loaders, engine, panel) for both
 * extension hosts instead of a copy bundled into the web entry (~265 KB zipped).
 */
import * as vscode from 'vscode';
import { NODE_MODULES } from '../web/node-absent';
import type * as Host from './host-bundle';

/** The bytes of `uri`: a gallery extension on vscode.dev is served over https, one in code-server from its remote file system. */
async function readExtensionFile(uri: vscode.Uri): Promise<Uint8Array> {
  if (uri.scheme !== 'http' && uri.scheme !== 'https') return vscode.workspace.fs.readFile(uri);
  const response = await fetch(uri.toString(true));
  if (!response.ok) throw new Error(`${uri.toString(true)}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

export async function loadHostScript(extensionUri: vscode.Uri): Promise<typeof Host> {
  const uri = vscode.Uri.joinPath(extensionUri, 'dist', 'host.js');
  const text = new TextDecoder().decode(await readExtensionFile(uri));
  const require = (id: string): unknown => {
    const found = id === 'vscode' ? vscode : NODE_MODULES[id];
    if (!found) throw new Error(`Cellscope: dist/host.js asked for ${id}, which VS Code for the Web does not have`);
    return found;
  };
  const module = { exports: {} as typeof Host };
  // As the worker extension host evaluates an extension's entry (its CSP allows it): sourceURL names the file in stack traces.
  new Function('module', 'exports', 'require', '__dirname', `${text}\n//# sourceURL=${uri.toString(true)}`)(module, module.exports, require, '/');
  return module.exports;
}
