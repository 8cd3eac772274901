/**
 * "Compare with another model…" on the host: the file picker (any model format), the load of B in the load worker
 * (a LoadError is the answer's error, shown in the panel), and the port check in the engine worker on the panel's
 * own run input (the panel's model is A). The answer is one `portCheck` message for the webview.
 */
import * as vscode from 'vscode';
import { DEFAULT_TOLERANCE } from '../../compare/compare';
import { panelModelOf } from '../../panel/run-panel-model';
import type { PortCheckMessage } from '../../protocol';
import { RunCancelledError } from '../../worker/client';
import { startPortCheck, type PortJob } from '../../worker/port-job';
import { loadFailureMessage, loadModel, modelFileFilters } from '../load-model';
import { baseName } from './inputs';
import type { PanelSession } from './session';

async function pickModel(near: vscode.Uri): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('Cellscope: Compare with Another Model'),
    openLabel: vscode.l10n.t('Compare'),
    canSelectMany: false,
    defaultUri: vscode.Uri.joinPath(near, '..'),
    filters: modelFileFilters(),
  });
  return picked?.[0];
}

/** One comparison at a time per panel: a new one stops the one under way. */
export class PortCompare {
  private job: PortJob | null = null;

  constructor(private readonly workerPath: string | undefined, private readonly log: (line: string) => void) {}

  /**
   * Compares the panel's model (`s`, file `fileUri`) with `other` (or a file the user picks); `re` answers a request.
   * `shown`: the panel's session now; when the model was re-run meanwhile (another module, input, edit), the answer
   * would be about a run no longer shown: it is dropped, and the panel says so.
   */
  async run(s: PanelSession, fileUri: vscode.Uri, other: vscode.Uri | undefined, re: number, shown: () => PanelSession | undefined = () => s): Promise<PortCheckMessage> {
    const m = await this.compare(s, fileUri, other, re);
    if (shown() === s) return m;
    return { type: 'portCheck', re, result: null, error: { message: vscode.l10n.t('The model was re-run while comparing: that comparison was dropped. Compare again to compare this run.'), cancelled: true } };
  }

  private async compare(s: PanelSession, fileUri: vscode.Uri, other: vscode.Uri | undefined, re: number): Promise<PortCheckMessage> {
    const fail = (message: string, cancelled = false): PortCheckMessage => ({ type: 'portCheck', re, result: null, error: { message, cancelled } });
    const uri = other ?? (await pickModel(fileUri));
    if (!uri) return fail(vscode.l10n.t('No file chosen.'), true);
    let b;
    try {
      b = await loadModel(uri, baseName(uri), { firstWhenSeveral: true });
    } catch (e) {
      return fail(loadFailureMessage(uri, e, baseName(uri)));
    }
    void this.job?.cancel();
    const job = startPortCheck({ model: panelModelOf(s.inputs.loaded), file: baseName(fileUri) }, { model: panelModelOf(b), file: baseName(uri) }, s.inputs.input, DEFAULT_TOLERANCE, this.workerPath);
    this.job = job;
    const t0 = Date.now();
    try {
      const result = await job.promise;
      this.log(`[panel] compared ${baseName(fileUri)} with ${baseName(uri)} (${job.where}) in ${Date.now() - t0} ms`);
      return { type: 'portCheck', re, result, error: null };
    } catch (e) {
      return fail(e instanceof RunCancelledError ? vscode.l10n.t('The comparison was cancelled.') : e instanceof Error ? e.message : String(e), e instanceof RunCancelledError);
    } finally {
      if (this.job === job) this.job = null;
    }
  }

  stop(): void {
    void this.job?.cancel();
    this.job = null;
  }
}
