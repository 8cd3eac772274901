// The host's half of the notebook renderer, on the example notebook's saved output (made by real Keras through
// python/cellscope.show in a real Jupyter kernel): what the renderer receives, and the errors a broken output gives.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundleFiles, NOTEBOOK_MIME, runBundle } from '../../src/notebook/bundle';
import { isToHost, isToRenderer } from '../../src/notebook/messages';
import { fromWire, toWire } from '../../src/transport';
import { REPO } from '../fixtures-path';

const notebook = JSON.parse(readFileSync(join(REPO, 'examples', 'notebook', 'cellscope-show.ipynb'), 'utf8'));
const bundle = notebook.cells.flatMap((c: { outputs?: { data?: Record<string, unknown> }[] }) => c.outputs ?? []).find((o: { data?: Record<string, unknown> }) => o.data?.[NOTEBOOK_MIME])!.data[NOTEBOOK_MIME];

test("runBundle: the example's LSTM, input order, every gate and state, and the verdict against Keras's recording", () => {
  const r = runBundle(bundle);
  assert.equal(r.name, 'wave_lstm');
  assert.equal(r.layersText, 'LSTM(4) → Dense(1)');
  assert.deepEqual(r.inputShape, [2, 60, 1]);
  assert.equal(r.layers.length, 1);
  const l = r.layers[0]!;
  assert.deepEqual([l.batch, l.steps, l.units], [2, 60, 4]);
  assert.deepEqual(l.quantities.map((q) => q.key), ['i', 'f', 'c_tilde', 'o', 'c', 'h']);
  assert.ok(r.comparison?.pass, r.comparison?.text);
  assert.match(r.comparison!.text, /^matches Keras: max \|Δ\| \d\.\d\de-\d+ \(≤ 1e-5\)$/);
  // h at the last step of batch item 1 is Keras's recorded LSTM sequence there (the recording carries it).
  const seq = bundle.recording.layers[0].output;
  const h = l.values[l.quantities.findIndex((q) => q.key === 'h')]!;
  for (let j = 0; j < 4; j++) assert.ok(Math.abs(h[(1 * 60 + 59) * 4 + j]! - seq.data[(1 * 60 + 59) * 4 + j]) < 1e-6);
  // What crosses renderer messaging (JSON) comes back whole and passes the renderer's guard.
  const reply = fromWire(JSON.parse(JSON.stringify(toWire({ type: 'result', requestId: 7, result: r, l10n: { language: 'fr', bundle: { Play: 'Lecture' } } }))));
  assert.ok(isToRenderer(reply));
  // The renderer's words come with the answer: a result without the display language's bundle is refused.
  assert.equal(isToRenderer({ ...(reply as object), l10n: undefined }), false);
});

test('a broken output is a LoadError naming the part of the bundle, never a stack trace', () => {
  assert.throws(() => runBundle({ ...bundle, format: 'other' }), /notebook output: `format` expected "cellscope-notebook\/v1"; found the string "other"\. Hint: display the model again/);
  assert.throws(() => runBundle({ ...bundle, model: { model: { class_name: 'Sequential' } } }), /notebook output \(model\)/);
  const input = { ...bundle.input, shape: [2, 60, 3] };
  assert.throws(() => runBundle({ ...bundle, input }), /notebook output \(input\)/);
  assert.equal(isToHost({ type: 'run', requestId: 1.5, data: {} }), false);
  assert.equal(isToHost({ type: 'openPanel', data: bundle }), true);
});

test('Open in Cellscope panel writes the bundle as the files the panel reads', () => {
  const files = bundleFiles(bundle);
  assert.deepEqual(files.map((f) => f.name), ['model.cellscope.json', 'input.json', 'recording.json']);
  assert.deepEqual(JSON.parse(files[1]!.text), bundle.input);
});
