/**
 * The extension's front door. For now: pick a model file, load it with the formats library and report what it is.
 * The panel with the charts comes later; the commands and their tests are already in place.
 */
import * as vscode from 'vscode';
import { displayName, loadFailureMessage, loadModelSummary } from './load-model';
import { findModelFiles } from './model-files';
import { summaryOneLine, summaryText, type ModelSummaryInfo } from './model-summary';

const loadedAt = Date.now();

export interface CellscopeApi {
  /** Milliseconds spent in activate(). */
  activationMs: number;
  /** From this bundle being evaluated to the end of activate(). */
  activationSinceLoadMs: number;
}

export function activate(context: vscode.ExtensionContext): CellscopeApi {
  const t0 = Date.now();
  const output = vscode.window.createOutputChannel('Cellscope');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('cellscope.openVisualizer', (uri?: vscode.Uri) => openVisualizer(output, uri)),
    // Hidden (not contributed): load a file and return its summary. Used by tests and, later, by the panel.
    vscode.commands.registerCommand('cellscope.loadModelSummary', (uri: vscode.Uri | string) =>
      loadModelSummary(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri),
    ),
  );
  const api = { activationMs: Date.now() - t0, activationSinceLoadMs: Date.now() - loadedAt };
  output.appendLine(`Cellscope activated in ${api.activationMs} ms (${api.activationSinceLoadMs} ms since the bundle loaded)`);
  return api;
}

export function deactivate(): void {}

type Pick = vscode.QuickPickItem & { uri?: vscode.Uri; browse?: true };

async function pickModelFile(): Promise<vscode.Uri | undefined> {
  const qp = vscode.window.createQuickPick<Pick>();
  qp.title = 'Cellscope: Open Visualizer';
  qp.placeholder = 'Pick a model file (Keras JSON, .keras, .h5, TF.js model.json)';
  qp.matchOnDescription = true;
  qp.busy = true;
  const browse: Pick = { label: '$(folder-opened) Browse…', description: 'choose a file anywhere', alwaysShow: true, browse: true };
  qp.items = [browse];
  const cts = new vscode.CancellationTokenSource();
  findModelFiles(cts.token).then(
    (uris) => {
      const items: Pick[] = uris.map((uri) => {
        const rel = displayName(uri);
        const slash = rel.lastIndexOf('/');
        return { label: `$(file) ${rel.slice(slash + 1)}`, description: slash > 0 ? rel.slice(0, slash) : '', uri };
      });
      if (!items.length) browse.detail = 'No model files found in the workspace';
      qp.items = [...items, browse];
      qp.busy = false;
    },
    () => (qp.busy = false),
  );
  const chosen = await new Promise<Pick | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  cts.cancel();
  cts.dispose();
  if (!chosen) return undefined;
  if (chosen.uri) return chosen.uri;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Visualize',
    filters: { 'Keras models': ['json', 'keras', 'h5', 'hdf5'], 'All files': ['*'] },
    ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
  });
  return picked?.[0];
}

async function openVisualizer(output: vscode.OutputChannel, given?: vscode.Uri): Promise<ModelSummaryInfo | undefined> {
  const uri = given instanceof vscode.Uri ? given : await pickModelFile();
  if (!uri) return undefined;
  let summary: ModelSummaryInfo;
  try {
    summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Cellscope: loading ${displayName(uri)}` },
      () => loadModelSummary(uri),
    );
  } catch (e) {
    const message = loadFailureMessage(uri, e);
    output.appendLine(`[error] ${message}`);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
  output.appendLine(summaryText(summary));
  output.appendLine('');
  void vscode.window.showInformationMessage(`Cellscope: ${summaryOneLine(summary)}`, 'Show Details').then((a) => {
    if (a) output.show(true);
  });
  return summary;
}
