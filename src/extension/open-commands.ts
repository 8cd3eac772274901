/**
 * The commands that open a model: `Open Visualizer` (a file picked from the workspace's models, or any file),
 * `Open in Cellscope` (the clicked file), `Open Example` (one shipped in the extension's examples/) and the hidden
 * `cellscope.loadModelSummary`. Each loads the file with the formats library, writes its summary to the output
 * channel and opens the visualizer panel on it.
 */
import * as vscode from 'vscode';
import { isGraph, type OpenedModel } from '../formats/loaded-model';
import { displayName, loadFailureMessage, loadModelSummary, modelFileFilters } from './load-model';
import { findModelFiles } from './model-files';
import { graphSummaryText, summarizeGraph, summarizeModel, summaryText, type GraphSummaryInfo, type ModelSummaryInfo } from './model-summary';
import { openPanel } from './panel/index';
import { loadForPanel } from './panel/replay-open';
import { clearUserMessage, tellUser } from './user-messages';

export function registerOpenCommands(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('cellscope.openVisualizer', (uri?: vscode.Uri) => openVisualizer(context, output, uri)),
    // Explorer context menu "Open in Cellscope": Open Visualizer on the clicked file.
    vscode.commands.registerCommand('cellscope.openInCellscope', (uri?: vscode.Uri) => openVisualizer(context, output, uri)),
    vscode.commands.registerCommand('cellscope.openExample', (relPath?: string) => openExample(context, output, relPath)),
    // Hidden (not contributed): load a file and return its summary. Used by tests and, later, by the panel.
    vscode.commands.registerCommand('cellscope.loadModelSummary', (uri: vscode.Uri | string) =>
      loadModelSummary(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri),
    ),
  );
}

type Pick = vscode.QuickPickItem & { uri?: vscode.Uri; browse?: true; example?: string };

/** What a user with no model of their own is offered first: a cell at work over a long sequence. */
const DEFAULT_EXAMPLE = 'sine-wave/model.cellscope.json';

/** A file to open, or (a string) the path of a shipped example when the workspace holds no model. */
async function pickModelFile(): Promise<vscode.Uri | string | undefined> {
  const qp = vscode.window.createQuickPick<Pick>();
  qp.title = vscode.l10n.t('Cellscope: Open Visualizer');
  qp.placeholder = vscode.l10n.t('Pick a model file (Keras JSON, .keras, .h5, TF.js model.json, PyTorch .pt / .safetensors, ONNX)');
  qp.matchOnDescription = true;
  qp.busy = true;
  const browse: Pick = { label: `$(folder-opened) ${vscode.l10n.t('Browse…')}`, description: vscode.l10n.t('choose a file anywhere'), alwaysShow: true, browse: true };
  qp.items = [browse];
  const cts = new vscode.CancellationTokenSource();
  findModelFiles(cts.token).then(
    (uris) => {
      const items: Pick[] = uris.map((uri) => {
        const rel = displayName(uri);
        const slash = rel.lastIndexOf('/');
        return { label: `$(file) ${rel.slice(slash + 1)}`, description: slash > 0 ? rel.slice(0, slash) : '', uri };
      });
      if (!items.length) {
        browse.detail = vscode.l10n.t('No model files found in the workspace');
        items.push({ label: `$(beaker) ${vscode.l10n.t('Open the sine-wave example')}`, description: exampleDetail('sine-wave'), example: DEFAULT_EXAMPLE });
      }
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
  if (chosen.example) return chosen.example;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: vscode.l10n.t('Visualize'),
    filters: modelFileFilters(),
    ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
  });
  return picked?.[0];
}

async function openVisualizer(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
  given?: vscode.Uri,
): Promise<ModelSummaryInfo | GraphSummaryInfo | undefined> {
  const uri = given instanceof vscode.Uri ? given : await pickModelFile();
  if (!uri) return undefined;
  if (typeof uri === 'string') return openExample(context, output, uri);
  return loadAndShow(context, output, uri, displayName(uri));
}

/** Loads `uri`, writes its summary to the output channel and opens the panel; a failed load is an error message. */
export { loadAndShow as openModelUri };
async function loadAndShow(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
  uri: vscode.Uri,
  name: string,
): Promise<ModelSummaryInfo | GraphSummaryInfo | undefined> {
  let loaded: OpenedModel;
  try {
    loaded = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Cellscope: loading {0}', name) },
      // A state dict with several recurrent modules opens the first; the panel offers the others. A model holding
      // Python code opens as layer replay on the recording beside it.
      () => loadForPanel(uri, name, { firstWhenSeveral: true }),
    );
  } catch (e) {
    tellUser('error', loadFailureMessage(uri, e, name));
    return undefined;
  }
  let summary: ModelSummaryInfo | GraphSummaryInfo;
  if (isGraph(loaded)) output.appendLine(graphSummaryText((summary = summarizeGraph(loaded))));
  else output.appendLine(summaryText((summary = summarizeModel(loaded))));
  output.appendLine('');
  clearUserMessage(); // an earlier failure's message is stale now
  openPanel(context, loaded, uri);
  return summary;
}

/** The examples shipped in the extension's `examples/` folder, as paths relative to it. */
async function listExamples(context: vscode.ExtensionContext): Promise<string[]> {
  const root = vscode.Uri.joinPath(context.extensionUri, 'examples');
  const out = [DEFAULT_EXAMPLE, 'char-rnn/model.cellscope.json', 'sine-lstm/model.cellscope.json'];
  for (const folder of ['hand-built', 'custom-cells']) {
    try {
      const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(root, folder));
      out.push(
        ...entries
          .filter(([name, type]) => type === vscode.FileType.File && name.endsWith('.json'))
          .map(([name]) => `${folder}/${name}`)
          .sort(),
      );
    } catch {
      // that folder is not shipped: offer the others
    }
  }
  return out;
}

/** One line per example (by folder, or by file where a folder holds several): what opening it shows, in the display language. */
const exampleDetails = (): Record<string, string> => ({
  'sine-wave': vscode.l10n.t('an LSTM following a sine wave for 300 steps: gates swing each cycle, and the period changes halfway'),
  'char-rnn': vscode.l10n.t('a character LSTM reading a line of text: which units fire on which letters'),
  'sine-lstm': vscode.l10n.t('seed 004: 395 five-step windows of a noisy sine, each predicting the next value'),
  'hand-built': vscode.l10n.t('hand-set cells with exact integer outputs'),
  'hand-built/relu-counter.json': vscode.l10n.t('a single ReLU recurrent neuron that counts 1, 2, 3, …'),
  'hand-built/identity-lstm.json': vscode.l10n.t('an LSTM with ±inf biases that passes its input through unchanged'),
  'hand-built/count-lstm.json': vscode.l10n.t('an LSTM with ±inf biases whose cell state counts the steps'),
  'hand-built/sum-lstm.json': vscode.l10n.t('an LSTM with ±inf biases whose cell state sums its inputs'),
  'hand-built/mean-lstm.json': vscode.l10n.t('a two-unit LSTM keeping a running sum and a count (their ratio is the mean)'),
  'hand-built/tanh-neuron.json': vscode.l10n.t('a scalar tanh neuron with a linear readout'),
  'custom-cells': vscode.l10n.t("the seeds' hand-written cells as custom cell definitions: gates written as equations"),
});
const exampleDetail = (p: string, d = exampleDetails()) => d[p] ?? d[p.slice(0, p.indexOf('/'))] ?? '';

/** `Cellscope: Open Example`: quick pick of the shipped examples (or `relPath` under examples/), opened in the panel. */
async function openExample(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
  relPath?: string,
): Promise<ModelSummaryInfo | GraphSummaryInfo | undefined> {
  let rel = typeof relPath === 'string' ? relPath : undefined;
  if (!rel) {
    const examples = await listExamples(context);
    const chosen = await vscode.window.showQuickPick(
      examples.map((p) => ({ label: p, detail: exampleDetail(p), path: p })),
      { title: vscode.l10n.t('Cellscope: Open Example'), placeHolder: vscode.l10n.t('Pick an example model shipped with Cellscope'), matchOnDetail: true },
    );
    rel = chosen?.path;
  }
  if (!rel) return undefined;
  const uri = vscode.Uri.joinPath(context.extensionUri, 'examples', ...rel.split('/'));
  return loadAndShow(context, output, uri, `examples/${rel}`);
}
