/**
 * The commands that act on the active Cellscope panel (Load Input Sequence, Load Recorded Outputs, Export Trace,
 * Step Forward / Back, Play/Pause), the hidden `cellscope.panelState` query tests use, and the context key that
 * shows the editor-title "Open in Cellscope" button on JSON model files.
 */
import * as vscode from 'vscode';
import type { StepAction } from '../../protocol';
import { looksLikeModelJson } from '../model-files';
import { tellUser } from '../user-messages';
import { activePanel, type CellscopePanel, type PanelStateInfo } from './index';

const noPanel = () => vscode.l10n.t('Cellscope: no visualizer panel is active. Open one with "{0}" first.', vscode.l10n.t('Cellscope: Open Visualizer'));

function withPanel<T>(fn: (p: CellscopePanel) => Promise<T> | T): Promise<T | undefined> | T | undefined {
  const p = activePanel();
  if (!p) {
    tellUser('warning', noPanel());
    return undefined;
  }
  return fn(p);
}

const asUri = (v: unknown): vscode.Uri | undefined => (v instanceof vscode.Uri ? v : typeof v === 'string' && v ? vscode.Uri.parse(v) : undefined);

async function pickJson(p: CellscopePanel, title: string, openLabel: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title,
    openLabel,
    canSelectMany: false,
    defaultUri: vscode.Uri.joinPath(p.fileUri, '..'),
    filters: { JSON: ['json'], 'All files': ['*'] },
  });
  return picked?.[0];
}

/** Re-runs with a newly chosen file; a failure is told to the user by the panel (banner and status bar). */
async function loadInto(p: CellscopePanel, choice: { input?: vscode.Uri; recording?: vscode.Uri }): Promise<PanelStateInfo> {
  await p.rerun(choice);
  return p.state();
}

export function registerPanelCommands(context: vscode.ExtensionContext): void {
  const step = (action: StepAction) => () => withPanel((p) => p.step(action));
  context.subscriptions.push(
    // (uri?) — a .json array, recording or fixture carrying an input; without one, a file dialog.
    vscode.commands.registerCommand('cellscope.loadInputSequence', (arg?: unknown) =>
      withPanel(async (p) => {
        const uri = asUri(arg) ?? (await pickJson(p, vscode.l10n.t('Cellscope: Load Input Sequence'), vscode.l10n.t('Load input')));
        return uri ? loadInto(p, { input: uri }) : undefined;
      }),
    ),
    // (uri?) — a recording, a fixture with expected_output, or a bare array to compare the engine's output with.
    vscode.commands.registerCommand('cellscope.loadRecordedOutputs', (arg?: unknown) =>
      withPanel(async (p) => {
        const uri = asUri(arg) ?? (await pickJson(p, vscode.l10n.t('Cellscope: Load Recorded Outputs'), vscode.l10n.t('Compare')));
        return uri ? loadInto(p, { recording: uri }) : undefined;
      }),
    ),
    // (target?, format?) — tests pass the target so no dialog opens; otherwise the save dialog (asks before replacing).
    vscode.commands.registerCommand('cellscope.exportTrace', (target?: unknown, format?: unknown) =>
      withPanel(async (p) => {
        try {
          return await p.exportTrace(format === 'csv' || format === 'json' ? format : undefined, asUri(target));
        } catch (e) {
          tellUser('error', vscode.l10n.t('Cellscope: export failed: {0}', e instanceof Error ? e.message : String(e)));
          return undefined;
        }
      }),
    ),
    // (uri?) — a second model file of any format; without one, a file dialog. Returns the `portCheck` answer (tests read it).
    vscode.commands.registerCommand('cellscope.compareWithModel', (arg?: unknown) => withPanel((p) => p.compareWith(asUri(arg)))),
    vscode.commands.registerCommand('cellscope.stepForward', step('forward')),
    vscode.commands.registerCommand('cellscope.stepBack', step('back')),
    vscode.commands.registerCommand('cellscope.togglePlay', step('togglePlay')),
    // Hidden (not contributed): what the active panel shows. Used by tests.
    vscode.commands.registerCommand('cellscope.panelState', () => activePanel()?.state()),
  );
  registerModelContextKey(context);
}

const CONTEXT_KEY = 'cellscope.activeEditorIsModel';
const HEAD_CHARS = 4096;
const MAX_SCAN_CHARS = 4 * 1024 * 1024;

/** Is the document a JSON model file? The head, or for smaller files the whole text, is checked — no parsing. */
function isModelDocument(doc: vscode.TextDocument): boolean {
  if (!/\.json$/i.test(doc.uri.path)) return false;
  if (/(^|\/)model\.json$/.test(doc.uri.path)) return true;
  const text = doc.getText();
  const head = text.slice(0, HEAD_CHARS);
  if (looksLikeModelJson(head)) return true;
  return text.length > HEAD_CHARS && text.length <= MAX_SCAN_CHARS && looksLikeModelJson(head, text);
}

function registerModelContextKey(context: vscode.ExtensionContext): void {
  let last: boolean | undefined;
  const update = (editor: vscode.TextEditor | undefined) => {
    const is = !!editor && isModelDocument(editor.document);
    if (is === last) return;
    last = is;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, is);
  };
  update(vscode.window.activeTextEditor);
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(update));
}
