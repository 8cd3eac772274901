/**
 * The files a panel's run read: the model, and the input and recording (chosen, or input.json / recording.json beside
 * the model). Any of them changing on disk calls `onChange` once, debounced: editors often write a file in several
 * steps.
 */
import * as vscode from 'vscode';
import { baseName } from './inputs';

const DEBOUNCE_MS = 300;

export class RunFilesWatch implements vscode.Disposable {
  private watchers: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The URIs watched (the panel's state query reports them). */
  watched: string[] = [];

  constructor(
    private readonly onChange: () => void,
    private readonly log: (line: string) => void,
  ) {}

  /** Watches `model` and the input and recording it reads (given ones, else the names looked for beside it). */
  watch(model: vscode.Uri, input: vscode.Uri | undefined, recording: vscode.Uri | undefined): void {
    this.disposeWatchers();
    const dir = vscode.Uri.joinPath(model, '..');
    const targets = [model, input ?? vscode.Uri.joinPath(dir, 'input.json'), recording ?? vscode.Uri.joinPath(dir, 'recording.json')];
    if (!input) targets.push(vscode.Uri.joinPath(dir, 'recording.json'));
    const seen = new Set<string>();
    this.watched = [];
    for (const uri of targets) {
      if (seen.has(uri.toString())) continue;
      seen.add(uri.toString());
      this.watched.push(uri.toString());
      try {
        const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), baseName(uri)));
        const changed = () => this.schedule();
        w.onDidChange(changed);
        w.onDidCreate(changed);
        w.onDidDelete(changed);
        this.watchers.push(w);
      } catch (e) {
        this.log(`[panel] cannot watch ${uri.toString()}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onChange(), DEBOUNCE_MS);
  }

  private disposeWatchers(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.disposeWatchers();
  }
}
