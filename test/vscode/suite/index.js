// In-host suite: runs inside code-server's real extension host (payload extensionTestsPath). VS Code calls run();
// a rejection means failure (window.codeAutomationExit(1)), resolving means success (0).
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SHARED = process.env.CELLSCOPE_SHARED || path.resolve(REPO_ROOT, '..', 'shared');
const EXTENSION_ID = 'cellscope.cellscope';

const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const log = (m) => console.log(`[cellscope-suite] ${m}`);

/** What the fixture file itself says: Keras class (wrapped class for Bidirectional) and units of every layer. */
function layersOfFixture(file) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  return doc.layers.map((l) => {
    if (l.class_name === 'Bidirectional') {
      return { className: `Bidirectional(${l.config.layer.class_name})`, units: l.config.layer.config.units };
    }
    return { className: l.class_name, units: l.config.units };
  });
}

test('the extension is installed (development mode) and activates', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded; extensions: ${vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.')).join(', ')}`);
  const t0 = Date.now();
  const api = await ext.activate();
  const ms = Date.now() - t0;
  assert.strictEqual(ext.isActive, true);
  assert.ok(api && typeof api.activationMs === 'number', 'activate() returns the API with activationMs');
  log(`ACTIVATION ext.activate() ${ms} ms; inside activate() ${api.activationMs} ms; since bundle load ${api.activationSinceLoadMs} ms`);
});

test('its commands are registered', async () => {
  const all = await vscode.commands.getCommands(true);
  for (const id of ['cellscope.openVisualizer', 'cellscope.openExample', 'cellscope.openInCellscope', 'cellscope.loadModelSummary']) assert.ok(all.includes(id), `${id} is not registered`);
  const contributed = vscode.extensions.getExtension(EXTENSION_ID).packageJSON.contributes.commands.map((c) => c.command);
  assert.ok(contributed.includes('cellscope.openVisualizer'));
  assert.ok(contributed.includes('cellscope.openExample'));
  const menus = vscode.extensions.getExtension(EXTENSION_ID).packageJSON.contributes.menus;
  const ctx = menus['explorer/context'].find((m) => m.command === 'cellscope.openInCellscope');
  assert.ok(ctx && /json/.test(ctx.when) && /keras/.test(ctx.when) && /h5/.test(ctx.when), JSON.stringify(ctx));
  assert.ok(!contributed.includes('cellscope.loadModelSummary'), 'loadModelSummary is internal, not in the palette');
});

test('loadModelSummary loads a real Keras 3 fixture and reports its layers', async () => {
  const file = path.join(SHARED, 'fixtures', 'keras3-generated', 'keras3-seed-1.json');
  assert.ok(fs.existsSync(file), `fixture missing: ${file}`);
  const summary = await vscode.commands.executeCommand('cellscope.loadModelSummary', vscode.Uri.file(file));
  assert.ok(summary, 'the command returned nothing');
  const expected = layersOfFixture(file);
  const got = summary.layers.filter((l) => l.kind !== 'pass_through').map((l) => ({ className: l.className, units: l.units }));
  assert.deepStrictEqual(got, expected);
  assert.strictEqual(summary.semantics.kerasMajor, 3, `keras_version 3.15.1 means Keras 3 semantics; got ${JSON.stringify(summary.semantics)}`);
  assert.ok(summary.params > 0, 'parameter count is computed');
  assert.strictEqual(summary.hasInput, true, 'the fixture carries an input');
  assert.strictEqual(summary.hasExpectedOutput, true, 'the fixture carries Keras output');
  log(`SUMMARY ${JSON.stringify({ layers: summary.layers.map((l) => `${l.className} ${l.units ?? ''}`), params: summary.params })}`);
});

test('a Keras 2 recorded fixture gets Keras 2 semantics', async () => {
  const dir = path.join(SHARED, 'fixtures', 'keras-recorded');
  const name = fs.readdirSync(dir).find((f) => /^kerasjs-LSTM-\d+\.json$/.test(f));
  assert.ok(name, `no LSTM fixture in ${dir}`);
  const summary = await vscode.commands.executeCommand('cellscope.loadModelSummary', vscode.Uri.file(path.join(dir, name)));
  assert.ok(summary.layers.some((l) => l.className === 'LSTM' && l.units > 0), JSON.stringify(summary.layers));
  assert.strictEqual(summary.semantics.kerasMajor, 2);
});

test('a broken model file is rejected with a LoadError naming the file, not a stack trace', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellscope-suite-'));
  const file = path.join(dir, 'broken-model.json');
  fs.writeFileSync(file, JSON.stringify({ format: 'keras-model-fixture/v1', layers: [{ class_name: 'LSTM', config: { units: 'four' } }] }));
  try {
    await vscode.commands.executeCommand('cellscope.loadModelSummary', vscode.Uri.file(file));
    assert.fail('loading a broken file succeeded');
  } catch (e) {
    const message = String(e && e.message);
    assert.ok(message.includes('broken-model.json'), `message names the file: ${message}`);
    assert.ok(/expected/.test(message), `message says what was expected: ${message}`);
    assert.ok(!/\n\s+at /.test(message), `message has no stack trace: ${message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Tabs showing a Cellscope panel (titled `Cellscope: <file>`). */
const panelTabs = () =>
  vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label.startsWith('Cellscope: '));

/** Polls until `cond()` holds (tab changes reach the extension host a moment after the command returns). */
async function eventually(cond, message, ms = 10_000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) assert.fail(typeof message === 'function' ? message() : message);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const tabLabels = () => panelTabs().map((t) => t.label).join(', ');

test('openExample opens a shipped example in the visualizer panel; opening it again reveals the same panel', async () => {
  const before = panelTabs().length;
  const summary = await vscode.commands.executeCommand('cellscope.openExample', 'hand-built/seed002-count-lstm.json');
  assert.ok(summary && summary.layers.some((l) => l.className === 'LSTM'), JSON.stringify(summary));
  await eventually(() => panelTabs().some((t) => t.label.includes('hand-built/seed002-count-lstm.json')), () => `no panel tab: ${tabLabels()}`);
  assert.strictEqual(panelTabs().length, before + 1, `one panel opened: ${tabLabels()}`);
  await vscode.commands.executeCommand('cellscope.openExample', 'hand-built/seed002-count-lstm.json');
  await new Promise((r) => setTimeout(r, 300));
  assert.strictEqual(panelTabs().length, before + 1, `no second panel for the same file: ${tabLabels()}`);
});

test('openInCellscope (explorer menu) opens the panel on the given file', async () => {
  const file = path.join(SHARED, 'fixtures', 'keras3-generated', 'keras3-seed-1.json');
  const summary = await vscode.commands.executeCommand('cellscope.openInCellscope', vscode.Uri.file(file));
  assert.ok(summary && summary.params > 0);
  await eventually(() => panelTabs().some((t) => t.label.includes('keras3-generated/keras3-seed-1.json')), () => `no panel tab: ${tabLabels()}`);
});

async function run() {
  let failed = 0;
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
  log(`DONE ${tests.length - failed}/${tests.length} passed`);
  if (failed) throw new Error(`${failed} of ${tests.length} in-host tests failed`);
}

module.exports = { run };
