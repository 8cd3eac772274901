/**
 * A time-major ONNX graph in the panel (src/panel/time-major.ts through PanelSession): real PyTorch's export of an nn.LSTM
 * without batch_first (test/fixtures/onnx/torch_lstm_1layer: the graph input [time 7, batch 2, features 5]) is shown
 * batch first — 2 batch items of 7 steps, each item's input rows the file's [t][item] rows, the header's input dims
 * [7, 5] — and a batch_first export ([batch, time, features]) is left as it is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PanelSession } from '../../src/extension/panel/session';
import { openModelBytes } from '../../src/formats/runnable';
import { applyEditShown, isTimeMajor, swapFirstAxes } from '../../src/panel/time-major';
import { FIXTURES } from '../fixtures-path';

async function session(name: string): Promise<{ s: PanelSession; shape: number[]; data: number[] }> {
  const dir = join(FIXTURES, 'onnx');
  const opened = await openModelBytes(readFileSync(join(dir, `${name}.onnx`)), `${name}.onnx`, () => Promise.reject(new Error('not an engine model')));
  const doc = JSON.parse(readFileSync(join(dir, `${name}.input.json`), 'utf8')) as { shape: number[]; data: number[] } | { shape: number[]; data: number[] }[];
  const first = Array.isArray(doc) ? doc[0] : doc;
  const input = { shape: first!.shape, data: Float64Array.from(first!.data) };
  return { s: new PanelSession({ loaded: opened, input, files: { fileUri: `file://${dir}/${name}.onnx`, model: `${name}.onnx`, input: `${name}.input.json`, recording: null } }), ...first! };
}

test('a time-major ONNX graph is shown batch first: batch items, steps, input rows and the header dims', async () => {
  const { s, shape, data } = await session('torch_lstm_1layer');
  assert.deepEqual(shape, [7, 2, 5]);
  const init = s.initMessage();
  assert.equal(init.input.timeMajor, true);
  assert.deepEqual([init.batch, init.steps, init.input.features], [2, 7, 5]);
  assert.deepEqual([init.layers[0]!.batch, init.layers[0]!.steps], [2, 7]);
  assert.deepEqual(init.summary.inputShape, [7, 5]);
  for (const item of [0, 1]) {
    const rows = [...s.traceMessage(0, item).input];
    const want = Array.from({ length: 7 * 5 }, (_, k) => data[(Math.floor(k / 5) * 2 + item) * 5 + (k % 5)]!);
    assert.deepEqual(rows.map((v) => Math.fround(v)), want.map((v) => Math.fround(v)), `batch item ${item}`);
  }
});

test('a batch-first (layout 1) graph is left as it is', async () => {
  const { s, shape } = await session('torch_lstm_2layer_bidir_batchfirst');
  assert.deepEqual(shape, [2, 7, 5]);
  const init = s.initMessage();
  assert.equal(init.input.timeMajor, false);
  assert.deepEqual([init.batch, init.steps], [2, 7]);
});

test('swapFirstAxes is its own inverse; equal time and batch sizes read as batch first', () => {
  const t = { shape: [3, 2, 2], data: Float64Array.from({ length: 12 }, (_, i) => i) };
  const u = swapFirstAxes(t);
  assert.deepEqual(u.shape, [2, 3, 2]);
  assert.deepEqual([...u.data.subarray(0, 4)], [0, 1, 4, 5]);
  assert.deepEqual([...swapFirstAxes(u).data], [...t.data]);
  assert.equal(isTimeMajor({ shape: [4, 4, 3], data: new Float64Array(48) }, { batch: 4, steps: 4 }), false);
});

test('a playground edit of batch item 1 (as shown, batch first) lands in the time-major input’s [t][1] rows', () => {
  const T = 3, B = 2, F = 2;
  const input = { shape: [T, B, F], data: Float64Array.from({ length: T * B * F }, (_, i) => i) };
  const edit = { batch: 1, steps: T, data: Float64Array.from({ length: T * F }, (_, i) => 100 + i) };
  const out = applyEditShown(input, edit, true);
  assert.deepEqual(out.shape, [T, B, F]);
  for (let t = 0; t < T; t++) {
    for (let f = 0; f < F; f++) {
      assert.equal(out.data[(t * B + 1) * F + f], 100 + t * F + f, `t ${t} item 1 feature ${f}`);
      assert.equal(out.data[(t * B + 0) * F + f], input.data[(t * B + 0) * F + f], `t ${t} item 0 untouched`);
    }
  }
});
