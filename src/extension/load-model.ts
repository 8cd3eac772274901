/** Reads a model file through `vscode.workspace.fs` (so remote and virtual workspaces work) and loads it. */
import * as vscode from 'vscode';
import { loadModelBytes, type ModelChoices } from '../formats/index';
import { isGraph, type OpenedModel } from '../formats/loaded-model';
import { openModelBytes } from '../formats/runnable';
import { LoadError } from '../formats/load-error';
import { loadIsolated } from '../worker/load-client';
import { loadWorkerPath } from './isolation';
import { loadErrorText } from './l10n';
import { currentLimits } from './limits';
import { summarizeGraph, summarizeModel, type GraphSummaryInfo, type ModelSummaryInfo } from './model-summary';

/** How the file is named in messages: workspace-relative when inside the workspace. */
export function displayName(uri: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(uri) ? vscode.workspace.asRelativePath(uri, false) : uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

/**
 * Loads a model in the load worker (heap limit, deadline: a hostile file ends the worker, not the editor), reading
 * a file: URI there with every file check (regular files, shards inside the folder). Other schemes are read here
 * through workspace.fs and loaded in the worker without sibling files. In-process only when the worker bundle is
 * missing (tests on the sources).
 */
export async function loadModel(uri: vscode.Uri, name = displayName(uri), choices: ModelChoices = {}): Promise<OpenedModel> {
  const limits = currentLimits();
  const workerPath = loadWorkerPath();
  if (workerPath) {
    const req = uri.scheme === 'file' ? { type: 'load' as const, fsPath: uri.fsPath, fileName: name, limits, choices } : { type: 'load' as const, bytes: await vscode.workspace.fs.readFile(uri), fileName: name, limits, choices };
    return loadIsolated(req, { workerPath }).promise;
  }
  const bytes = await vscode.workspace.fs.readFile(uri);
  const dir = vscode.Uri.joinPath(uri, '..');
  const readSibling = (relativePath: string) => vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, relativePath));
  return openModelBytes(bytes, name, () => loadModelBytes(bytes, name, readSibling, limits, choices), limits);
}

/** An engine model's summary; an ONNX graph's is its own (nodes, not Keras layers). */
export async function loadModelSummary(uri: vscode.Uri): Promise<ModelSummaryInfo | GraphSummaryInfo> {
  const m = await loadModel(uri);
  return isGraph(m) ? summarizeGraph(m) : summarizeModel(m);
}

/** The message for a failed load: a LoadError's own text (file, JSON path, expected, found), never a stack. */
export function loadFailureMessage(uri: vscode.Uri, e: unknown, name = displayName(uri)): string {
  if (e instanceof LoadError) return loadErrorText(e);
  if (e instanceof Error && e.name === 'LoadError') return e.message;
  if (e instanceof vscode.FileSystemError) return vscode.l10n.t('Cellscope could not read {0}: {1}', name, e.message);
  const msg = e instanceof Error ? e.message : String(e);
  return vscode.l10n.t('Cellscope could not load {0}: {1}', name, msg);
}

/** The file dialogs' filter for model files: every format Cellscope opens. */
export function modelFileFilters(): Record<string, string[]> {
  return { [vscode.l10n.t('Model files')]: ['json', 'keras', 'h5', 'hdf5', 'pt', 'pth', 'safetensors', 'onnx'], [vscode.l10n.t('All files')]: ['*'] };
}
