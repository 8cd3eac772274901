/**
 * The protocol's schemas on real messages with non-finite numbers: seed 002's counting LSTM has a bias of +Infinity,
 * so its weight statistics hold Infinity and NaN (mean of ±Inf), and its messages must pass the guards as the host
 * built them and after the wire (toWire → JSON → fromWire), exactly as VS Code's postMessage carries them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PanelSession } from '../../src/extension/panel/session';
import { loadModelBytes } from '../../src/formats/index';
import { isToWebview } from '../../src/protocol';
import { fromWire, toWire } from '../../src/transport';

test("seed 002's init (Infinity and NaN in the weight statistics) and comparison pass the guard, before and after the wire", async () => {
  const file = join(process.cwd(), 'examples', 'hand-built', 'count-lstm.json');
  const loaded = await loadModelBytes(readFileSync(file), 'count-lstm.json');
  const s = new PanelSession({ loaded, input: loaded.input!, expected: loaded.expectedOutput, predictCalls: loaded.predictCalls, files: { fileUri: `file://${file}`, model: 'm', input: 'm', recording: 'm' } });
  const init = s.initMessage();
  const stats = init.analysis!.weights.flatMap((l) => l.blocks).flatMap((b) => [b.min, b.max, b.mean, b.std]);
  assert.ok(stats.some((x) => x === Infinity) || stats.some((x) => Number.isNaN(x)), 'the statistics hold a non-finite number');
  for (const m of [init, s.comparisonMessage()!]) {
    assert.ok(isToWebview(m), `${m.type} as built`);
    // JSON keeps no typed array; the guard's typed-array checks are covered by the headless tests. Here: the numbers.
    const wire = JSON.parse(JSON.stringify(toWire({ ...m, probe: [NaN, Infinity, -Infinity] })));
    assert.deepEqual((fromWire(wire) as { probe: number[] }).probe, [NaN, Infinity, -Infinity]);
  }
});
