/**
 * The host's side of localisation. Host texts go through `vscode.l10n.t` (bundles in l10n/); the panel's page gets
 * the same bundle (webview/l10n.ts), so a string is translated once for both. A LoadError keeps the technical part
 * the loaders wrote (a JSON path, a shape, a type, the file's own names) in English, shared with the CLI, which stays
 * C-locale; its frame (expected / found / hint) is translated here.
 */
import * as vscode from 'vscode';
import { renderLoadError, renderLoadErrorBody, type LoadError, type LoadErrorFrame } from '../formats/load-error';
import type { PanelHtmlOptions } from './panel/html';

/** The page's title, its loading line and the display language with its bundle (panelHtml's options). */
export function pageWords(title: string): Pick<PanelHtmlOptions, 'title' | 'loading' | 'l10n'> {
  return { title, loading: vscode.l10n.t('Loading {0}…', title), l10n: { language: vscode.env.language, bundle: vscode.l10n.bundle } };
}

/** The LoadError frame (expected / found / hint) in the display language. */
const frame = (): LoadErrorFrame => ({
  expected: (x) => vscode.l10n.t('expected {0}', x),
  found: (x) => vscode.l10n.t('; found {0}', x),
  hint: (x) => vscode.l10n.t('. Hint: {0}', x),
});

/** A LoadError's text with its frame in the display language. */
export function loadErrorText(e: LoadError): string {
  return renderLoadError(e.details, frame());
}

/** The same without the leading `file[:line:column]:`, for the Problems panel, which shows the place itself. */
export function loadErrorBodyText(e: LoadError): string {
  return renderLoadErrorBody(e.details, frame());
}
