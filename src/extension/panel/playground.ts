/**
 * The playground's host side: "Save input as…" writes the run's (edited) input to a NEW file. The save dialog asks
 * before replacing a file; a target given without the dialog (the hidden command, tests) must not exist yet.
 */
import * as vscode from 'vscode';
import { inputFileText } from '../../panel/playground';
import { baseName } from './inputs';
import type { PanelSession } from './session';

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** `<model stem>.input-edited.json` beside the model, or -2, -3… when taken: the dialog's proposal never is an existing file. */
async function freeName(fileUri: vscode.Uri): Promise<vscode.Uri> {
  const stem = baseName(fileUri).replace(/\.[^.]*$/, '').replace(/\.cellscope$/, '');
  for (let n = 1; ; n++) {
    const uri = vscode.Uri.joinPath(fileUri, '..', `${stem}.input-edited${n > 1 ? `-${n}` : ''}.json`);
    if (n >= 100 || !(await exists(uri))) return uri;
  }
}

/** Writes the session's input as `{shape, dtype, data}`; the URI written, or undefined when the user cancelled. */
export async function saveInputAs(fileUri: vscode.Uri, s: PanelSession, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (target) {
    if (await exists(target)) throw new Error(`${baseName(target)} exists: Cellscope saves an edited input only to a new file (pick another name)`);
  } else {
    target = await vscode.window.showSaveDialog({ title: vscode.l10n.t('Cellscope: Save Input As'), defaultUri: await freeName(fileUri), filters: { JSON: ['json'] }, saveLabel: vscode.l10n.t('Save input') });
    if (!target) return undefined;
  }
  if (target.toString() === fileUri.toString()) throw new Error(`${baseName(target)} is the model file: Cellscope will not write the input over it`);
  const loaded = s.inputs.loaded;
  const text = inputFileText(s.inputs.input, 'model' in loaded && loaded.model.inputIsTokens);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  return target;
}
