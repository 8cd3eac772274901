/**
 * The one route for a message the user must see (a file that is no model, a failed load or run, a worker that
 * stopped, an export written): the Cellscope output channel gets the full text, VS Code shows it as a notification,
 * and a status-bar item repeats it. The status bar matters because VS Code in development mode (and with the smoke-
 * test driver code-server uses) shows no toasts: notifications only go to the notification centre, where a newcomer
 * does not look. The item's tooltip holds the whole message; a click opens the output channel.
 *
 * A panel's own errors also show in its banner (panel/index.ts posts them); this is the place for everything else.
 */
import * as vscode from 'vscode';

export type MessageLevel = 'error' | 'warning' | 'info';

/** How long an information message stays in the status bar; errors and warnings stay until replaced or cleared. */
const INFO_MS = 10_000;
/** Characters of the message shown in the status bar itself (the tooltip and the output channel have all of it). */
const STATUS_CHARS = 90;
export const SHOW_LOG_COMMAND = 'cellscope.showLog';

const ICONS: Record<MessageLevel, string> = { error: '$(error)', warning: '$(warning)', info: '$(info)' };

interface Route {
  output: vscode.OutputChannel;
  item: vscode.StatusBarItem;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The last message shown, for the hidden `cellscope.lastMessage` tests read. */
  last: { level: MessageLevel; text: string } | null;
}

let route: Route | undefined;

/** Sets the route up once the host loads: the status-bar item and the command its click runs. */
export function registerUserMessages(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  const item = vscode.window.createStatusBarItem('cellscope.message', vscode.StatusBarAlignment.Left, 100);
  item.name = vscode.l10n.t('Cellscope messages');
  item.command = SHOW_LOG_COMMAND;
  route = { output, item, timer: undefined, last: null };
  context.subscriptions.push(
    item,
    vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => output.show(true)),
    // Hidden: the message the status bar shows now (tests read it), or null.
    vscode.commands.registerCommand('cellscope.lastMessage', () => (route?.last ? { ...route.last, statusText: route.item.text } : null)),
    { dispose: () => (route = undefined) },
  );
}

/** One line for the status bar: the first line of the message, shortened at a word where it is long. */
export function statusLine(text: string, max = STATUS_CHARS): string {
  const first = text.split('\n')[0]!.trim();
  if (first.length <= max) return first;
  const cut = first.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.—-]+$/, '')}…`;
}

/** Says `text` to the user: output channel, notification and status bar (see the module comment). */
export function tellUser(level: MessageLevel, text: string): void {
  const r = route;
  if (r) {
    r.output.appendLine(`[${level}] ${text}`);
    clearTimeout(r.timer);
    r.last = { level, text };
    r.item.text = `${ICONS[level]} ${statusLine(text)}`;
    const tip = new vscode.MarkdownString();
    tip.appendText(text);
    tip.appendMarkdown(`\n\n---\n\n`);
    tip.appendText(vscode.l10n.t('Click to open the Cellscope output.'));
    r.item.tooltip = tip;
    r.item.backgroundColor = level === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : level === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    r.item.show();
    if (level === 'info') r.timer = setTimeout(() => clearUserMessage(), INFO_MS);
  }
  const show = level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(text);
}

/** Takes the last message out of the status bar (a later success made it stale). */
export function clearUserMessage(): void {
  const r = route;
  if (!r) return;
  clearTimeout(r.timer);
  r.last = null;
  r.item.hide();
}
