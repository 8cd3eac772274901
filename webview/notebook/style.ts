/** The notebook output's styles, added once per notebook webview; VS Code's theme variables reach notebook outputs too. */
const CSS = `
.cellscope-nb { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); color: var(--vscode-foreground); padding: 6px 2px; outline: none; }
.cellscope-nb:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.cellscope-nb .nb-head { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline; margin-bottom: 6px; }
.cellscope-nb .nb-title { font-weight: 600; }
.cellscope-nb .nb-muted { color: var(--vscode-descriptionForeground); }
.cellscope-nb .nb-verdict.pass { color: var(--vscode-testing-iconPassed, #73c991); }
.cellscope-nb .nb-verdict.fail { color: var(--vscode-errorForeground, #f14c4c); }
.cellscope-nb .nb-controls { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; margin: 6px 0; }
.cellscope-nb label { display: inline-flex; gap: 4px; align-items: center; }
.cellscope-nb select, .cellscope-nb button, .cellscope-nb input { font: inherit; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, var(--vscode-panel-border, #8884)); border-radius: 2px; padding: 2px 6px; }
.cellscope-nb button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border-color: transparent; cursor: pointer; }
.cellscope-nb button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
.cellscope-nb input[type=range] { width: 220px; padding: 0; }
.cellscope-nb .nb-grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 10px; }
@media (max-width: 700px) { .cellscope-nb .nb-grid { grid-template-columns: minmax(0, 1fr); } }
.cellscope-nb .chart { margin: 0; min-width: 0; }
.cellscope-nb .chart-title { font-size: 0.9em; color: var(--vscode-descriptionForeground); }
.cellscope-nb .chart-box { position: relative; width: 100%; }
.cellscope-nb .chart-box canvas, .cellscope-nb .heatmap-box canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
.cellscope-nb .overlay { pointer-events: none; }
.cellscope-nb .heatmap-box { position: relative; height: 200px; }
.cellscope-nb .heatmap-legend { display: flex; align-items: center; gap: 6px; margin-top: 4px; font-size: 0.9em; flex-wrap: wrap; }
.cellscope-nb .nb-values { overflow-x: auto; }
.cellscope-nb table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.92em; }
.cellscope-nb th, .cellscope-nb td { padding: 1px 8px; text-align: right; border-bottom: 1px solid var(--vscode-panel-border, #8883); }
.cellscope-nb th:first-child, .cellscope-nb td:first-child { text-align: left; }
.cellscope-nb .nb-message { padding: 6px 0; }
`;

export function addStyle(doc: Document): void {
  if (doc.getElementById('cellscope-nb-style')) return;
  const style = doc.createElement('style');
  style.id = 'cellscope-nb-style';
  style.textContent = CSS;
  doc.head.append(style);
}
