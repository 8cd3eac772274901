// In-host suite for the Problems panel diagnostics (src/extension/diagnostics.ts): runs inside code-server's real
// extension host (payload extensionTestsPath), started by test/e2e/problems.test.mjs. Same contract as ../suite:
// run() resolving = pass, rejecting = fail.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');

const EXTENSION_ID = 'cellscope.cellscope';
const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const log = (m) => console.log(`[cellscope-diagnostics-suite] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellscope-diag-suite-'));

/** A SimpleRNN model with a typo'd activation and a kernel of the wrong shape ([3, 2] for 2 input features). */
function brokenModel() {
  return {
    format: 'keras-model-fixture/v1',
    layers: [
      { class_name: 'InputLayer', config: { batch_shape: [null, 3, 2] } },
      {
        class_name: 'SimpleRNN',
        config: { units: 2, activation: 'tahn' },
        weights: [
          { name: 'kernel', shape: [3, 2], data: [1, 2, 3, 4, 5, 6] },
          { name: 'recurrent_kernel', shape: [2, 2], data: [1, 2, 3, 4] },
          { name: 'bias', shape: [2], data: [0, 0] },
        ],
      },
    ],
  };
}

const cellscopeDiagnostics = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'cellscope');
const describe = (ds) => JSON.stringify(ds.map((d) => ({ message: d.message, range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character] })));

/** Polls until the cellscope diagnostics of `uri` satisfy `pred`; returns them. */
async function diagnosticsWhere(uri, pred, what, ms = 10_000) {
  const t0 = Date.now();
  for (;;) {
    const ds = cellscopeDiagnostics(uri);
    if (pred(ds)) return ds;
    if (Date.now() - t0 > ms) assert.fail(`${what} within ${ms / 1000} s; diagnostics now: ${describe(ds)}`);
    await sleep(50);
  }
}

/** Range of the first occurrence of `needle` in the document (what the loader should underline). */
function rangeOf(doc, needle, from = 0) {
  const offset = doc.getText().indexOf(needle, from);
  assert.ok(offset >= 0, `${needle} is not in the document`);
  return new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + needle.length));
}

async function replaceText(doc, needle, replacement) {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, rangeOf(doc, needle), replacement);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the edit applied');
}

test('the extension activates when a JSON document opens (onLanguage:json)', async () => {
  const file = path.join(dir, 'plain.json');
  fs.writeFileSync(file, '{"name": "x"}\n');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded`);
  const t0 = Date.now();
  while (!ext.isActive && Date.now() - t0 < 10_000) await sleep(50);
  assert.ok(ext.isActive, 'opening a JSON document activates Cellscope');
  await sleep(500);
  assert.strictEqual(ext.exports.hostLoaded, false, 'a JSON file that is not Cellscope\'s leaves the rest of the extension unloaded');
});

test('a broken model shows a diagnostic at the JSON path; editing it moves to the next error, then clears it', async () => {
  const file = path.join(dir, 'broken-model.json');
  fs.writeFileSync(file, JSON.stringify(brokenModel(), null, 2));
  const doc = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(doc);

  // 1. The typo'd activation, underlined exactly ("tahn" with its quotes), message without the file name.
  let [d] = await diagnosticsWhere(doc.uri, (ds) => ds.length === 1, 'one cellscope diagnostic for the broken model');
  assert.strictEqual(vscode.extensions.getExtension(EXTENSION_ID).exports.hostLoaded, true, 'the model-looking document loaded the rest of the extension');
  assert.deepStrictEqual(d.range, rangeOf(doc, '"tahn"'), `range of "tahn": ${describe([d])}`);
  assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
  assert.ok(d.message.startsWith('`layers[1].config.activation`'), d.message);
  assert.ok(/expected one of the known activations: tanh/.test(d.message), d.message);
  assert.ok(d.message.includes('found the string "tahn"'), d.message);
  assert.ok(!d.message.includes('broken-model.json'), `no file prefix: ${d.message}`);

  // 2. Fix it: the next error is the kernel's shape, on the kernel's weight entry.
  await replaceText(doc, '"tahn"', '"tanh"');
  [d] = await diagnosticsWhere(doc.uri, (ds) => ds.length === 1 && ds[0].message.includes('weights[0]'), 'the kernel shape error after fixing the activation');
  assert.ok(d.message.startsWith('`layers[1].weights[0]` (kernel of layer "simple_rnn") expected shape [2, 2]'), d.message);
  assert.ok(d.message.includes('found shape [3, 2]'), d.message);
  const kernelStart = doc.getText().indexOf('"name": "kernel"');
  assert.ok(d.range.contains(doc.positionAt(kernelStart)), `the range covers the kernel entry: ${describe([d])}`);
  assert.ok(!d.range.contains(rangeOf(doc, '"recurrent_kernel"').start), `…and not the next weight: ${describe([d])}`);

  // 3. Fix the kernel (shape [2, 2], four numbers): the file loads, the diagnostic goes.
  await replaceText(doc, doc.getText(d.range), JSON.stringify({ name: 'kernel', shape: [2, 2], data: [1, 2, 3, 4] }));
  await diagnosticsWhere(doc.uri, (ds) => ds.length === 0, 'no diagnostic once the model loads');

  // 4. A JSON syntax error while typing is reported at its place too.
  await replaceText(doc, '"units": 2', '"units": 2,,');
  [d] = await diagnosticsWhere(doc.uri, (ds) => ds.length === 1, 'a diagnostic for the syntax error');
  assert.ok(/JSON syntax error/.test(d.message), d.message);
  assert.strictEqual(d.range.start.line, rangeOf(doc, ',,').start.line, describe([d]));
  await vscode.commands.executeCommand('workbench.action.files.revert');
});

test('a recording with a bad value is flagged, and closing it clears the diagnostic', async () => {
  const file = path.join(dir, 'recording-bad.json');
  fs.writeFileSync(file, JSON.stringify({ format: 'cellscope-recording/v1', output: [[0.5, 'x']] }, null, 1));
  const doc = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(doc);
  const [d] = await diagnosticsWhere(doc.uri, (ds) => ds.length === 1, 'a diagnostic for the recording');
  assert.deepStrictEqual(d.range, rangeOf(doc, '"x"'), describe([d]));
  assert.ok(d.message.startsWith('`output[0][1]` expected a number; found the string "x"'), d.message);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  await diagnosticsWhere(doc.uri, (ds) => ds.length === 0, 'diagnostics cleared when the file is closed', 15_000);
});

test('input.json next to a model is checked as an input array; unrelated JSON is left alone', async () => {
  const modelDir = path.join(dir, 'with-model');
  fs.mkdirSync(modelDir);
  fs.writeFileSync(path.join(modelDir, 'model.h5'), '');
  const input = path.join(modelDir, 'input.json');
  fs.writeFileSync(input, '[[1, 2], [3, "a"]]');
  const inputDoc = await vscode.workspace.openTextDocument(input);
  await vscode.window.showTextDocument(inputDoc);
  const [d] = await diagnosticsWhere(inputDoc.uri, (ds) => ds.length === 1, 'a diagnostic for input.json');
  assert.deepStrictEqual(d.range, rangeOf(inputDoc, '"a"'), describe([d]));
  assert.ok(d.message.startsWith('`[1][1]` expected a number'), d.message);

  // No model beside it: an input-looking name alone is not enough. Neither is JSON with other keys.
  const lone = path.join(dir, 'input-lone.json');
  fs.writeFileSync(lone, '[[1, "a"]]');
  const other = path.join(dir, 'settings-not-a-model.json');
  fs.writeFileSync(other, JSON.stringify({ name: 'x', weights: 3 }));
  const docs = [await vscode.workspace.openTextDocument(lone), await vscode.workspace.openTextDocument(other)];
  for (const doc of docs) await vscode.window.showTextDocument(doc);
  await sleep(700);
  for (const doc of docs) assert.deepStrictEqual(cellscopeDiagnostics(doc.uri), [], `${path.basename(doc.uri.fsPath)} is not Cellscope's`);
});

test('jsonValidation maps hand-written fixtures to the shipped schema', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const jv = ext.packageJSON.contributes.jsonValidation;
  assert.ok(Array.isArray(jv) && jv.length === 1, JSON.stringify(jv));
  assert.strictEqual(jv[0].url, './schemas/cellscope-model.schema.json');
  assert.ok(jv[0].fileMatch.includes('*.cellscope-fixture.json'), JSON.stringify(jv[0].fileMatch));
  assert.ok(!jv[0].fileMatch.some((p) => p === '*.json' || p === '**/*.json' || p === '*.cellscope.json'), 'no pattern hijacks unrelated JSON (or keras-export files)');
  const schema = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'schemas', 'cellscope-model.schema.json'), 'utf8'));
  assert.ok(schema.definitions && schema.definitions.modelFixture, 'the schema file is in the extension');
});

test('VS Code validates a *.cellscope-fixture.json against the schema (JSON language features)', async () => {
  const file = path.join(dir, 'hand.cellscope-fixture.json');
  // units must be a positive integer: the schema says so (and so does the loader).
  fs.writeFileSync(file, JSON.stringify({ format: 'keras-model-fixture/v1', layers: [{ class_name: 'SimpleRNN', config: { units: 'two' } }] }, null, 2));
  const doc = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(doc);
  const t0 = Date.now();
  let schemaDs = [];
  while (Date.now() - t0 < 20_000) {
    schemaDs = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source !== 'cellscope');
    if (schemaDs.length) break;
    await sleep(100);
  }
  const all = vscode.languages.getDiagnostics(doc.uri);
  log(`schema diagnostics: ${JSON.stringify(all.map((d) => `${d.source}: ${d.message} @${d.range.start.line}:${d.range.start.character}`))}`);
  assert.ok(schemaDs.length > 0, `the JSON language server reported nothing for a schema violation: ${describe(all)}`);
  assert.ok(schemaDs.some((d) => /integer/i.test(d.message) && d.range.start.isEqual(rangeOf(doc, '"two"').start)), `the schema flags units "two": ${describe(all)}`);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

async function run() {
  let failed = 0;
  try {
    for (const t of tests) {
      const t0 = Date.now();
      try {
        await t.fn();
        log(`PASS ${t.name} (${Date.now() - t0} ms)`);
      } catch (e) {
        failed++;
        log(`FAIL ${t.name}: ${e && e.stack ? e.stack : e}`);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  log(`DONE ${tests.length - failed}/${tests.length} passed`);
  if (failed) throw new Error(`${failed} of ${tests.length} in-host diagnostics tests failed`);
}

module.exports = { run };
