/**
 * The panel's HTML: strict CSP, one nonce'd script, one stylesheet, no inline script or style, no remote content.
 * The script is an ES module: it imports what it shares with the notebook renderer (dist/shared-*.js, beside it), and
 * a module's imports carry its nonce, so the CSP names no other source.
 * The nonce is allowed for style elements too and published in a `csp-nonce` meta tag: the UI toolkit's FAST
 * foundation probes `:focus-visible` support with a <style> element it stamps with that nonce (without it the CSP
 * blocked the probe, a console error on every panel). Nothing of ours writes a style element or attribute.
 */

export interface PanelHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  /** URI (as the webview sees it) of dist/webview.js */
  scriptUri: string;
  /** URI of media/panel.css */
  styleUri: string;
  nonce: string;
  title: string;
  /**
   * VS Code's display language and its bundle (`vscode.l10n.bundle`, undefined in English): the page translates its
   * own strings with it (webview/l10n.ts). Left out: English.
   */
  /** The text shown until the first run arrives, in the display language (default `Loading <title>…`). */
  loading?: string;
  l10n?: { language: string; bundle: Record<string, unknown> | undefined };
}

export function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += chars[b % chars.length];
  return s;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function panelHtml(o: PanelHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="${escapeHtml(o.l10n?.language ?? 'en')}">
<head>
<meta charset="UTF-8">
<meta name="cellscope-l10n" content="${escapeHtml(JSON.stringify(o.l10n?.bundle ?? {}))}">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(panelCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta property="csp-nonce" content="${o.nonce}">
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">
<title>${escapeHtml(o.title)}</title>
</head>
<body>
<div id="app" class="app" aria-busy="true"><p class="loading">${escapeHtml(o.loading ?? `Loading ${o.title}…`)}</p></div>
<script type="module" nonce="${o.nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}
