// `cellscope compare --diagnose`: the exit code keeps its meaning (1 mismatch, 0 match) and the diagnosis is printed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES } from '../fixtures-path';
import { cellscope, diagnosisLine, record } from './helpers';

const LSTM_STATEFUL = join(FIXTURES, 'keras-recorded', 'kerasjs-LSTM-5.json');
const LSTM_SEQ = join(FIXTURES, 'keras-recorded', 'kerasjs-LSTM-2.json');
const tmp = mkdtempSync(join(tmpdir(), 'cellscope-diagnose-'));


test('compare --diagnose on a mismatch: exit 1, the comparison, then the culprit with before → after', async (t) => {
  const r = await cellscope('compare', LSTM_STATEFUL, '--hard-sigmoid', 'keras3', '--diagnose');
  record(t, 'CLI LSTM-5 --hard-sigmoid keras3', diagnosisLine(r.out));
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /first divergence: batch 0, unit \d/);
  assert.match(diagnosisLine(r.out), /^diagnosis: hard_sigmoid is the Keras 2 formula .* — max \|Δ\| \d\.\d\de-\d+ → \d\.\d\de-\d+$/);
});

test('compare --diagnose: states reset by --predict-calls 1 on a stateful recording', async (t) => {
  const r = await cellscope('compare', LSTM_STATEFUL, '--predict-calls', '1', '--diagnose');
  record(t, 'CLI LSTM-5 --predict-calls 1', diagnosisLine(r.out));
  assert.equal(r.code, 1);
  assert.match(diagnosisLine(r.out), /states not reset/);
});

test('compare --diagnose on a model file with its gates in ONNX order', async (t) => {
  // The user's file: Keras's weights with every gate block moved to i,o,f,c; the expected output is Keras's.
  const fixture = JSON.parse(readFileSync(LSTM_SEQ, 'utf8'));
  const keras = ['i', 'f', 'c', 'o'];
  const onnx = ['i', 'o', 'f', 'c'];
  for (const w of fixture.weights as { shape: number[]; data: number[] }[]) {
    const cols = w.shape[w.shape.length - 1]!;
    const rows = w.data.length / cols;
    const u = cols / 4;
    const data = w.data.slice();
    for (let r = 0; r < rows; r++) onnx.forEach((g, k) => data.splice(r * cols + k * u, u, ...w.data.slice(r * cols + keras.indexOf(g) * u, r * cols + (keras.indexOf(g) + 1) * u)));
    w.data = data;
  }
  const file = join(tmp, 'lstm-onnx-order.json');
  writeFileSync(file, JSON.stringify(fixture));
  const plain = await cellscope('compare', file);
  assert.equal(plain.code, 1);
  assert.ok(!plain.out.includes('diagnosis'), 'no diagnosis unless asked');
  const r = await cellscope('compare', file, '--diagnose');
  record(t, 'CLI LSTM-2 file in ONNX gate order', diagnosisLine(r.out));
  assert.equal(r.code, 1);
  assert.match(diagnosisLine(r.out), /gate blocks stored in order i,o,f,c \(ONNX/);
  // What the shapes rule out is one note, not a line per hypothesis.
  assert.match(r.out, /note: not tried, the shapes rule them out: input kernel stored transposed \(.*kernel \[6, 16\] is not square/);
  assert.equal(r.out.split('\n').filter((l) => /not square|not tried|differ in shape/.test(l)).length, 1);
});

test('compare --diagnose on a match: exit 0 and says there is nothing to diagnose', async () => {
  const r = await cellscope('compare', LSTM_STATEFUL, '--diagnose');
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, / — matches/);
  assert.match(diagnosisLine(r.out), /matches the recording .*nothing to diagnose/);
});

test('--diagnose belongs to compare; the usage lists it', async () => {
  const r = await cellscope('run', LSTM_STATEFUL, '--diagnose');
  assert.equal(r.code, 2);
  assert.match(r.err, /^cellscope: --diagnose goes with compare/);
  assert.match((await cellscope('--help')).out, /--diagnose/);
});
