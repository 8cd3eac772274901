// In-host probe for bench/activation.mjs: runs inside code-server's real extension host (payload
// extensionTestsPath) on a workspace holding plain.json. Opens that file, which activates Cellscope (onLanguage:json),
// and logs the extension's own share of activation: the require() of dist/extension.js as VS Code's perf marks
// bracket it (code/extHost/willLoadExtensionCode … didLoadExtensionCode) plus the activate() call. Then it waits for
// the bench to read VS Code's Running Extensions figure (the bench writes .bench-done in the workspace) and resolves.
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const EXTENSION_ID = 'cellscope.cellscope';
const TAG = '[cellscope-activation]';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(cond, what, ms) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`${what} within ${ms / 1000} s`);
    await sleep(20);
  }
}

async function run() {
  const folder = vscode.workspace.workspaceFolders[0].uri.fsPath;
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const activeBefore = ext.isActive;
  // What was open before this file (a JSON document there would have activated the extension already).
  const openBefore = vscode.workspace.textDocuments.map((d) => `${d.languageId} ${d.uri.toString()}`);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(folder, 'plain.json')));
  await until(() => ext.isActive, 'Cellscope activated by opening plain.json', 30_000);
  const marks = globalThis.MonacoPerformanceMarks?.getMarks() ?? [];
  const at = (name) => marks.find((m) => m.name === `code/extHost/${name}/${EXTENSION_ID}`)?.startTime;
  const willLoad = at('willLoadExtensionCode');
  const didLoad = at('didLoadExtensionCode');
  const api = ext.exports;
  const result = {
    activeBefore,
    openBefore,
    requireMs: willLoad !== undefined && didLoad !== undefined ? didLoad - willLoad : null,
    activateMs: api.activationMs,
    hostLoaded: api.hostLoaded,
  };
  console.log(`${TAG} ${JSON.stringify(result)}`);
  await until(() => fs.existsSync(path.join(folder, '.bench-done')), 'the bench to read Running Extensions', 120_000);
}

module.exports = { run };
