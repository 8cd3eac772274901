// In-host probe for bench/activation.mjs: runs inside code-server's real extension host (payload
// extensionTestsPath) on a workspace holding plain.json and model.cellscope.json. Opens plain.json, which activates
// Cellscope (onLanguage:json) if nothing did yet, and logs the extension's own share of activation: the require() of
// dist/extension.js as VS Code's perf marks bracket it (code/extHost/willLoadExtensionCode … didLoadExtensionCode)
// plus the activate() call; and the extensions VS Code loaded back to back just before it, whose time VS Code's own
// "Load Code" figure for Cellscope includes. Then it opens the model, which loads the rest of the extension, and
// logs how long that took. Last it waits for the bench to read VS Code's Running Extensions figure (the bench writes
// .bench-done in the workspace) and resolves.
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

/** Every extension's code loading from VS Code's perf marks: { id, will, did } in load order. */
function codeLoads() {
  const marks = globalThis.MonacoPerformanceMarks?.getMarks() ?? [];
  const byId = new Map();
  for (const m of marks) {
    const r = /^code\/extHost\/(will|did)LoadExtensionCode\/(.+)$/.exec(m.name);
    if (!r) continue;
    const e = byId.get(r[2]) ?? { id: r[2] };
    e[r[1]] = m.startTime;
    byId.set(r[2], e);
  }
  return [...byId.values()].filter((e) => e.will !== undefined && e.did !== undefined).sort((a, b) => a.will - b.will);
}

/** The loads that ran back to back (each starting as the previous ended) up to `id`'s. */
function loadedJustBefore(loads, id) {
  const i = loads.findIndex((e) => e.id === id);
  const chain = [];
  for (let k = i - 1; k >= 0 && loads[k + 1].will - loads[k].did <= 1; k--) chain.unshift(loads[k]);
  return chain.map((e) => ({ id: e.id, ms: e.did - e.will }));
}

async function run() {
  const folder = vscode.workspace.workspaceFolders[0].uri.fsPath;
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const activeBefore = ext.isActive;
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(folder, 'plain.json')));
  await until(() => ext.isActive, 'Cellscope activated by opening plain.json', 30_000);
  const loads = codeLoads();
  const own = loads.find((e) => e.id === EXTENSION_ID);
  const api = ext.exports;
  const result = {
    activeBefore,
    requireMs: own ? own.did - own.will : null,
    activateMs: api.activationMs,
    loadedJustBefore: loadedJustBefore(loads, EXTENSION_ID),
    hostLoadedByPlainJson: api.hostLoaded,
  };
  // (A build from before the split into dist/extension.js + dist/host.js has no host to load: compared as it is.)
  if ('hostLoaded' in api) {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(folder, 'model.cellscope.json')));
    await until(() => api.hostLoaded, 'the rest of the extension loaded for a model file', 30_000);
    result.hostLoadMs = api.hostLoadMs;
  }
  console.log(`${TAG} ${JSON.stringify(result)}`);
  await until(() => fs.existsSync(path.join(folder, '.bench-done')), 'the bench to read Running Extensions', 120_000);
}

module.exports = { run };
