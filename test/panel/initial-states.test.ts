/**
 * The states before the first step, as the panel's one reader (TraceData) gives them to the cell diagram: recorded
 * by the run, not assumed to be zeros. A stateful GRU called twice (Keras's recording of the second call) starts
 * its second call from the first call's final h; a stateless counter starts from zeros; a long trace kept on the
 * host carries them too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runModel } from '../../src/engine/index';
import { PanelSession } from '../../src/extension/panel/session';
import { loadModelBytes } from '../../src/formats/index';
import { TraceData } from '../../src/panel/trace-source';
import { isToWebview, type TraceMessage } from '../../src/protocol';
import { FIXTURES, REPO } from '../fixtures-path';
import { syntheticLstm } from '../support/synthetic-lstm';

const files = { fileUri: 'untitled:x', model: 'x', input: 'x', recording: 'x' };

function reader(s: PanelSession, layer = 0, batch = 0): { data: TraceData; message: TraceMessage; quantity: (key: string) => number } {
  const message = s.traceMessage(layer, batch);
  assert.ok(isToWebview(message), 'the trace message passes the protocol guard');
  const meta = s.initMessage().layers[layer]!;
  const data = new TraceData(message, meta.quantities.length, Int32Array.from({ length: message.steps }, (_, t) => t), () => {}, { features: 1, bytesPerValue: 8 });
  return { data, message, quantity: (key) => meta.quantities.findIndex((q) => q.key === key) };
}

test('a stateful GRU called twice: the second call starts from the first call’s final h (not zeros)', async () => {
  const file = join(FIXTURES, 'keras-recorded', 'kerasjs-GRU-5.json');
  const loaded = await loadModelBytes(readFileSync(file), 'kerasjs-GRU-5.json');
  assert.equal(loaded.predictCalls, 2);
  const s = new PanelSession({ loaded, input: loaded.input!, expected: loaded.expectedOutput, predictCalls: loaded.predictCalls, files });
  const { data, quantity } = reader(s);
  const h = quantity('h');
  // The first call alone (from zeros): its final h is where the second call starts.
  const first = runModel(loaded.model, loaded.input!, { predictCalls: 1 }).output.data;
  // Keras's recorded output is the second call's final h: the trace read through TraceData ends there.
  const keras = loaded.expectedOutput!.data;
  let nonzero = 0;
  for (let j = 0; j < data.units; j++) {
    const start = data.valueBeforeStep(h, 0, j);
    assert.ok(Math.abs(start - first[j]!) < 1e-12, `unit ${j}: starts at ${start}, first call ended at ${first[j]}`);
    if (start !== 0) nonzero++;
    assert.ok(Math.abs(data.valueAtStep(h, data.steps - 1, j) - keras[j]!) < 1e-5, `unit ${j}: last h vs Keras`);
    // Step 1 found what step 0 wrote.
    assert.equal(data.valueBeforeStep(h, 1, j), data.valueAtStep(h, 0, j));
  }
  assert.ok(nonzero > 0, 'the carried state is not all zeros');
  // A gate has no value before the first step.
  assert.ok(Number.isNaN(data.valueBeforeStep(quantity('z'), 0, 0)));
});

test('the hand-built counter starts from zeros; c then counts 1 … 5 (the seed’s printed numbers)', async () => {
  const file = join(REPO, 'examples', 'hand-built', 'count-lstm.json');
  const loaded = await loadModelBytes(readFileSync(file), 'count-lstm.json');
  const s = new PanelSession({ loaded, input: loaded.input!, expected: loaded.expectedOutput, predictCalls: loaded.predictCalls, files });
  const { data, quantity } = reader(s);
  assert.equal(data.valueBeforeStep(quantity('c'), 0, 0), 0);
  assert.equal(data.valueBeforeStep(quantity('h'), 0, 0), 0);
  const c = Array.from({ length: data.steps }, (_, t) => data.valueAtStep(quantity('c'), t, 0));
  assert.deepEqual(c, Array.from(loaded.expectedOutput!.data));
});

test('a long trace kept on the host carries its initial states too', () => {
  const { model, input } = syntheticLstm(64, 20_000);
  const s = new PanelSession({ loaded: { model, predictCalls: 1 }, input, files });
  assert.equal(s.isWhole(0), false, 'kept on the host');
  const { message, data, quantity } = reader(s);
  assert.deepEqual(message.values, []);
  assert.equal(message.initial.filter((x) => x !== null).length, 2, 'h and c');
  assert.equal(data.valueBeforeStep(quantity('c'), 0, 63), 0);
});
