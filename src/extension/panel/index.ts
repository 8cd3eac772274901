/**
 * The Cellscope visualizer panel, host side: one WebviewPanel per model file (opening it again reveals it), the engine
 * run once in the host, init + comparison sent when the webview says `ready`, trace slices sent on request.
 * A WebviewPanelSerializer brings the panel back after a window reload by re-loading the model from the URI saved in
 * the webview's state.
 */
import * as vscode from 'vscode';
import type { Tensor } from '../../engine/index';
import { traceToCsv, traceToJson } from '../../engine/trace-export';
import { loadArrayBytes, loadExpectedBytes, loadModelBytes, type LoadedModel } from '../../formats/index';
import { describeMessage, isFromWebview, isPanelState, type FromWebview, type ToWebview } from '../../protocol';
import { makeNonce, panelHtml } from './html';
import { PanelSession, type SessionFiles } from './session';

export const PANEL_VIEW_TYPE = 'cellscope.visualizer';

const panels = new Map<string, vscode.WebviewPanel>();
let log: vscode.OutputChannel | undefined;

function logLine(text: string): void {
  log ??= vscode.window.createOutputChannel('Cellscope Panel');
  log.appendLine(text);
}

function panelOptions(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
  };
}

function baseName(uri: vscode.Uri): string {
  const p = uri.path;
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Tab title: `Cellscope: sine-lstm/model.cellscope.json` (with the folder: many models share a file name). */
function panelTitle(uri: vscode.Uri): string {
  const parts = uri.path.split('/').filter(Boolean);
  return `Cellscope: ${parts.slice(-2).join('/')}`;
}

async function tryRead(uri: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch {
    return undefined;
  }
}

interface RunInputs {
  input: Tensor;
  expected?: Tensor | undefined;
  predictCalls: number;
  inputName: string | null;
  recordingName: string | null;
}

/**
 * Input and expected output: the file's own (fixtures), else `recording.json` / `input.json` next to the model (the
 * layout of the examples: a recording carries its input).
 */
async function findInputs(loaded: LoadedModel, fileUri: vscode.Uri): Promise<RunInputs> {
  if (loaded.input) {
    return { input: loaded.input, expected: loaded.expectedOutput, predictCalls: loaded.predictCalls, inputName: baseName(fileUri), recordingName: loaded.expectedOutput ? baseName(fileUri) : null };
  }
  const dir = vscode.Uri.joinPath(fileUri, '..');
  const recUri = vscode.Uri.joinPath(dir, 'recording.json');
  const recBytes = await tryRead(recUri);
  const rec = recBytes ? loadExpectedBytes(recBytes, baseName(recUri)) : undefined;
  if (rec?.input) return { input: rec.input, expected: rec.output, predictCalls: rec.predictCalls, inputName: 'recording.json', recordingName: 'recording.json' };
  const inUri = vscode.Uri.joinPath(dir, 'input.json');
  const inBytes = await tryRead(inUri);
  if (inBytes) {
    return { input: loadArrayBytes(inBytes, 'input.json'), expected: rec?.output, predictCalls: rec?.predictCalls ?? loaded.predictCalls, inputName: 'input.json', recordingName: rec ? 'recording.json' : null };
  }
  throw new Error(`${baseName(fileUri)} carries no input, and there is no input.json or recording.json next to it`);
}

function post(panel: vscode.WebviewPanel, m: ToWebview): void {
  void panel.webview.postMessage(m);
}

/** Fills a panel: HTML, message handling, engine run. Used for new panels and for deserialized ones. */
function attach(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, fileUri: vscode.Uri, loaded: Promise<LoadedModel>): void {
  const key = fileUri.toString();
  panels.set(key, panel);
  const webview = panel.webview;
  webview.options = panelOptions(context);
  const asWeb = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, ...p)).toString();
  webview.html = panelHtml({
    cspSource: webview.cspSource,
    scriptUri: asWeb('dist', 'webview.js'),
    styleUri: asWeb('media', 'panel.css'),
    nonce: makeNonce(),
    title: `Cellscope: ${baseName(fileUri)}`,
  });
  panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'cellscope.svg');

  const session: Promise<PanelSession> = loaded.then(async (lm) => {
    const found = await findInputs(lm, fileUri);
    const files: SessionFiles = { fileUri: key, model: baseName(fileUri), input: found.inputName, recording: found.recordingName };
    return new PanelSession({ loaded: lm, input: found.input, expected: found.expected, predictCalls: found.predictCalls, files });
  });
  session.catch(() => undefined);

  const fail = (e: unknown) => post(panel, { type: 'error', message: e instanceof Error ? e.message : String(e) });

  const onMessage = async (raw: unknown): Promise<void> => {
    if (!isFromWebview(raw)) {
      logLine(`[panel] dropped a malformed message from the webview: ${describeMessage(raw)}`);
      return;
    }
    const m: FromWebview = raw;
    switch (m.type) {
      case 'ready': {
        const s = await session;
        post(panel, s.initMessage());
        const c = s.comparisonMessage();
        if (c) post(panel, c);
        return;
      }
      case 'requestTrace': {
        const s = await session;
        post(panel, s.traceMessage(m.layer, m.batch));
        return;
      }
      case 'stepChanged':
        return;
      case 'exportTrace': {
        const s = await session;
        const trace = s.result.trace;
        if (!trace) return;
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.joinPath(fileUri, '..', `${baseName(fileUri).replace(/\.[^.]*$/, '')}.trace.${m.format}`),
          filters: m.format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
        });
        if (!target) return;
        const text = m.format === 'csv' ? traceToCsv(trace) : JSON.stringify(traceToJson(trace));
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
        void vscode.window.showInformationMessage(`Cellscope: trace written to ${baseName(target)}`);
        return;
      }
      case 'log':
        logLine(`[webview ${m.level}] ${m.message}`);
        return;
    }
  };
  const sub = webview.onDidReceiveMessage((raw) => onMessage(raw).catch(fail));
  panel.onDidDispose(() => {
    sub.dispose();
    if (panels.get(key) === panel) panels.delete(key);
  });
}

/** Opens (or reveals) the visualizer for a loaded model file. */
export function openPanel(context: vscode.ExtensionContext, model: LoadedModel, fileUri: vscode.Uri): vscode.WebviewPanel {
  const existing = panels.get(fileUri.toString());
  if (existing) {
    existing.reveal();
    return existing;
  }
  const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, panelTitle(fileUri), vscode.ViewColumn.Active, panelOptions(context));
  attach(context, panel, fileUri, Promise.resolve(model));
  return panel;
}

async function loadFromUri(fileUri: vscode.Uri): Promise<LoadedModel> {
  const bytes = await vscode.workspace.fs.readFile(fileUri);
  const dir = vscode.Uri.joinPath(fileUri, '..');
  return loadModelBytes(bytes, baseName(fileUri), (rel) => vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, rel)));
}

/** Restores panels after a window reload from the model URI in their saved state. */
export function registerPanelSerializer(context: vscode.ExtensionContext): vscode.Disposable {
  const d = vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
      if (!isPanelState(state)) {
        panel.dispose();
        return;
      }
      const uri = vscode.Uri.parse(state.fileUri);
      attach(context, panel, uri, loadFromUri(uri));
    },
  });
  context.subscriptions.push(d);
  return d;
}
