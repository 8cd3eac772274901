/**
 * Problems panel: model, input and recording JSON files are checked with the same loaders the panel and CLI use,
 * on the document's text as it is being edited, and a LoadError becomes a Diagnostic at its JSON path's range
 * (source `cellscope`). Diagnostics go away when the file loads again or is closed.
 */
import * as vscode from 'vscode';
import { LoadError } from '../formats/load-error';
import { loadErrorBodyText } from './l10n';
import { currentLimits } from './limits';
import { INPUT_NAME, MAX_CHECKED_CHARS, MODEL_SIBLING_NAME, RECORDING_NAME, baseName, isJsonDocument } from '../formats/cellscope-files';
import { cellscopeKind, checkText, type TextProblem } from '../formats/text-check';
import { checkIsolated, LoadCancelledError, warmLoadWorker, type Isolated } from '../worker/load-client';
import { loadWorkerPath } from './isolation';

export const DIAGNOSTIC_SOURCE = 'cellscope';
const DEBOUNCE_MS = 300;

export function registerModelDiagnostics(context: vscode.ExtensionContext): vscode.DiagnosticCollection {
  const collection = vscode.languages.createDiagnosticCollection('cellscope');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Version of the document each pending or finished check was for (a stale async check must not publish). */
  const checkedVersion = new Map<string, number>();
  /** The check running in the load worker per document: a newer edit terminates it (see load-client.ts). */
  const running = new Map<string, Isolated<unknown>>();
  // The first check (or model load) should not wait ~1 s for a worker to start: one is started now, idle.
  const workerPath = loadWorkerPath();
  if (workerPath) warmLoadWorker(workerPath);

  const cancel = (key: string) => {
    const t = timers.get(key);
    if (t !== undefined) clearTimeout(t);
    timers.delete(key);
    running.get(key)?.cancel();
    running.delete(key);
  };

  const check = async (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    if (!isCandidate(doc)) {
      collection.delete(doc.uri);
      return;
    }
    const version = doc.version;
    checkedVersion.set(key, version);
    const text = doc.getText();
    if (text.length > MAX_CHECKED_CHARS) {
      collection.delete(doc.uri);
      return;
    }
    const kind = cellscopeKind(text, baseName(doc.uri.path), await modelInFolder(doc.uri));
    if (doc.isClosed || checkedVersion.get(key) !== version) return;
    if (!kind) {
      collection.delete(doc.uri);
      return;
    }
    let problem: TextProblem | undefined;
    try {
      const workerPath = loadWorkerPath();
      if (workerPath) {
        // Off the host's thread, with a heap limit and a deadline; a newer edit cancels it (cancel() above).
        running.get(key)?.cancel();
        const job = checkIsolated({ type: 'check', text, kind, fileName: baseName(doc.uri.path), limits: currentLimits() }, { workerPath });
        running.set(key, job);
        try {
          problem = (await job.promise) ?? undefined;
        } finally {
          if (running.get(key) === job) running.delete(key);
        }
        if (doc.isClosed || checkedVersion.get(key) !== version) return;
      } else problem = checkText(text, kind, baseName(doc.uri.path), currentLimits());
    } catch (e) {
      if (e instanceof LoadCancelledError) return;
      if (e instanceof LoadError) {
        // The worker was stopped (time or memory): that is the file's problem, shown on its first line.
        collection.set(doc.uri, [toDiagnostic(doc, { message: e.message, error: e })]);
        return;
      }
      // A loader bug is not the user's problem to fix in this file; the panel reports it when they open it.
      console.error(`[cellscope] diagnostics: checking ${doc.uri.toString()} failed:`, e);
      collection.delete(doc.uri);
      return;
    }
    if (!problem) collection.delete(doc.uri);
    else collection.set(doc.uri, [toDiagnostic(doc, problem)]);
  };

  const schedule = (doc: vscode.TextDocument, delay = DEBOUNCE_MS) => {
    if (!isCandidate(doc)) return;
    const key = doc.uri.toString();
    cancel(key);
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        void check(doc);
      }, delay),
    );
  };

  context.subscriptions.push(
    collection,
    vscode.workspace.onDidOpenTextDocument((doc) => schedule(doc, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length) schedule(e.document);
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => schedule(doc, 0)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      const key = doc.uri.toString();
      cancel(key);
      checkedVersion.delete(key);
      collection.delete(doc.uri);
    }),
    // Closing the last tab of a file does not close its document at once (VS Code keeps it a while): clear then.
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const uri of e.opened.flatMap(tabUris)) {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        if (doc) schedule(doc, 0); // a document kept open after its tab closed, shown again
      }
      if (!e.closed.length) return;
      const shown = new Set(vscode.window.tabGroups.all.flatMap((g) => g.tabs).flatMap(tabUris).map((u) => u.toString()));
      for (const uri of e.closed.flatMap(tabUris)) {
        const key = uri.toString();
        if (shown.has(key)) continue;
        cancel(key);
        checkedVersion.delete(key);
        collection.delete(uri);
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('cellscope.limits')) for (const doc of vscode.workspace.textDocuments) schedule(doc, 0);
    }),
    { dispose: () => [...timers.keys()].forEach(cancel) },
  );
  // Activation is triggered by opening a JSON document: that one (and any other open) is already there.
  for (const doc of vscode.workspace.textDocuments) schedule(doc, 0);
  return collection;
}

/** JSON documents that are files the user edits (not git's or an output channel's). */
function isCandidate(doc: vscode.TextDocument): boolean {
  return isJsonDocument(doc) && !['git', 'output', 'vscode-settings', 'debug'].includes(doc.uri.scheme);
}

function tabUris(tab: vscode.Tab): vscode.Uri[] {
  const input = tab.input;
  if (input instanceof vscode.TabInputText) return [input.uri];
  if (input instanceof vscode.TabInputTextDiff) return [input.original, input.modified];
  return [];
}

/** Whether a model file sits in the document's folder (only asked for input*.json / recording*.json). */
async function modelInFolder(uri: vscode.Uri): Promise<boolean> {
  const name = baseName(uri.path);
  if (!(INPUT_NAME.test(name) || RECORDING_NAME.test(name)) || uri.scheme === 'untitled') return false;
  try {
    const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(uri, '..'));
    return entries.some(([name, type]) => type !== vscode.FileType.Directory && MODEL_SIBLING_NAME.test(name));
  } catch {
    return false;
  }
}

function toDiagnostic(doc: vscode.TextDocument, p: TextProblem): vscode.Diagnostic {
  let range: vscode.Range;
  if (p.offset !== undefined) {
    const start = doc.positionAt(p.offset);
    range = new vscode.Range(start, doc.positionAt(p.offset + Math.max(1, p.length ?? 1)));
  } else if (p.line !== undefined) {
    const start = doc.validatePosition(new vscode.Position(p.line - 1, (p.column ?? 1) - 1));
    range = doc.validateRange(new vscode.Range(start, start.translate(0, 1)));
  } else {
    // The file as a whole: its first line.
    range = doc.lineCount ? doc.lineAt(0).range : new vscode.Range(0, 0, 0, 0);
  }
  const d = new vscode.Diagnostic(range, p.error ? loadErrorBodyText(p.error) : p.message, vscode.DiagnosticSeverity.Error);
  d.source = DIAGNOSTIC_SOURCE;
  return d;
}
