/**
 * When the host (lazy-host.ts) must load without a command having run: an open JSON document may be a Cellscope file
 * (its Problems diagnostics and the editor-title "Open in Cellscope" button live in the host), or a Cellscope panel
 * is waiting to be restored after a reload (its serializer lives in the host; VS Code holds the panel until one is
 * registered). Once the host is loaded these listeners go: the host's own take over.
 */
import * as vscode from 'vscode';
import { baseName, isJsonDocument, mayBeCellscopeJson } from '../formats/cellscope-files';
import type { LazyHost } from './lazy-host';

/** A document being typed into is looked at once typing pauses (the diagnostics wait as long). */
const CHANGE_DEBOUNCE_MS = 300;

export function loadHostWhenNeeded(context: vscode.ExtensionContext, host: LazyHost): void {
  const isPanelTab = panelTabTest(context);
  if (vscode.window.tabGroups.all.some((g) => g.tabs.some(isPanelTab))) {
    loadQuietly(host, 'a Cellscope panel to restore');
    return;
  }
  const listeners: vscode.Disposable[] = [];
  const changed = new Set<vscode.TextDocument>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    clearTimeout(timer);
    changed.clear();
    for (const d of listeners.splice(0)) d.dispose();
  };
  /** True (and the host loaded) when `doc` may be a Cellscope file, or the host got loaded meanwhile. */
  const consider = (doc: vscode.TextDocument) => {
    if (!host.loaded && !doc.isClosed && isJsonDocument(doc) && mayBeCellscopeJson(doc.uri.path, doc.getText())) {
      loadQuietly(host, baseName(doc.uri.path));
    }
    if (host.loaded) stop();
    return host.loaded;
  };
  listeners.push(
    vscode.workspace.onDidOpenTextDocument(consider),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (!e.contentChanges.length || !isJsonDocument(e.document)) return;
      changed.add(e.document);
      clearTimeout(timer);
      timer = setTimeout(() => {
        const docs = [...changed];
        changed.clear();
        docs.some(consider);
      }, CHANGE_DEBOUNCE_MS);
    }),
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      if (e.opened.some(isPanelTab)) loadQuietly(host, 'a Cellscope panel to restore');
      if (host.loaded) stop();
    }),
  );
  context.subscriptions.push({ dispose: stop });
  // Activation comes from opening a JSON document: look at the open ones right after activate() returns.
  setTimeout(() => vscode.workspace.textDocuments.some(consider), 0);
}

/** A load nobody waits for: a failure is in the output channel already (lazy-host.ts), and the next trigger retries. */
function loadQuietly(host: LazyHost, reason: string): void {
  host.load(reason).catch(() => {});
}

/**
 * Is a tab one of the extension's webview panels? Their view types are those of the package's `onWebviewPanel:`
 * activation events; a tab reports the type with VS Code's own prefix (`mainThreadWebview-…`).
 */
function panelTabTest(context: vscode.ExtensionContext): (tab: vscode.Tab) => boolean {
  const events: string[] = context.extension.packageJSON.activationEvents ?? [];
  const types = events.filter((e) => e.startsWith('onWebviewPanel:')).map((e) => e.slice('onWebviewPanel:'.length));
  return (tab) => tab.input instanceof vscode.TabInputWebview && types.some((t) => (tab.input as vscode.TabInputWebview).viewType.endsWith(t));
}
