/** The user's `cellscope.limits.*` settings as loader limits: every load the extension makes goes through these. */
import * as vscode from 'vscode';
import { limitsFromSettings, type LimitSettings, type LoadLimits } from '../formats/index';

export function currentLimits(): LoadLimits {
  return limitsFromSettings(vscode.workspace.getConfiguration('cellscope').get<LimitSettings>('limits'));
}
