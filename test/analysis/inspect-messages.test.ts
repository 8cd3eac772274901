/** The host's debugging payloads: well-formed under the protocol guards, numbers consistent with the analyses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spectralRadii } from '../../src/analysis/index';
import { PanelSession } from '../../src/extension/panel/session';
import { loadExpectedBytes, loadModelBytes, type LoadedModel } from '../../src/formats/index';
import { isToWebview } from '../../src/protocol';
import { REPO } from '../fixtures-path';

async function sine(scale = 1): Promise<PanelSession> {
  const base = join(REPO, 'examples/sine-lstm');
  const loaded = await loadModelBytes(readFileSync(join(base, 'model.cellscope.json')), 'model.cellscope.json');
  const rec = loadExpectedBytes(readFileSync(join(base, 'recording.json')), 'recording.json');
  const expected = { shape: rec.output.shape, data: rec.output.data.map((v) => v * scale) };
  return new PanelSession({ loaded, input: rec.input!, expected, predictCalls: rec.predictCalls, files: { fileUri: 'file:///sine', model: 'm', input: 'i', recording: 'r' } });
}

test('init carries weights (per gate, ρ on recurrent blocks) and saturation; the guard accepts it', async () => {
  const s = await sine();
  const init = s.initMessage();
  assert.ok(isToWebview(init));
  const a = init.analysis!;
  assert.deepEqual(a.weights.map((l) => l.layer), ['lstm', 'dense']);
  const rk = a.weights[0]!.blocks.filter((b) => b.weight === 'recurrent_kernel');
  assert.deepEqual(rk.map((b) => b.radius), spectralRadii((s.inputs.loaded as LoadedModel).model).map((r) => r.radius));
  assert.ok(a.weights[0]!.blocks.filter((b) => b.weight !== 'recurrent_kernel').every((b) => b.radius === null));
  assert.equal(a.weights[0]!.blocks.reduce((n, b) => n + b.hist.reduce((x, y) => x + y, 0), 0), 192, 'every LSTM weight in one histogram bin');
  assert.equal(a.saturation.length, 1);
  assert.deepEqual(a.saturation[0]!.gates.map((g) => g.key), ['i', 'f', 'o']);
  // A malformed payload is refused.
  const bad = { ...init, analysis: { ...a, weights: [{ layer: 'lstm', blocks: [{ ...a.weights[0]!.blocks[0]!, image: new Float32Array(1) }] }] } };
  assert.equal(isToWebview(bad), false);
});

test('comparison: no diagnosis when it matches; diagnose() lines on a mismatch; the guard accepts both', async () => {
  const ok = (await sine()).comparisonMessage()!;
  assert.equal(ok.pass, true);
  assert.equal(ok.diagnosis, null);
  assert.ok(isToWebview(ok));
  const bad = (await sine(1.1)).comparisonMessage()!;
  assert.equal(bad.pass, false);
  assert.ok(bad.diagnosis && bad.diagnosis.length > 0 && bad.diagnosis[0]!.kind === 'diagnosis', String(bad.diagnosis));
  assert.ok(isToWebview(bad));
  assert.equal(isToWebview({ ...bad, diagnosis: [1] }), false);
});

test('blocks above PANEL_RADIUS_MAX_UNITS get a note instead of a radius (cellscope inspect computes it)', async () => {
  const { weightViews, PANEL_RADIUS_MAX_UNITS } = await import('../../src/panel/analysis');
  const u = PANEL_RADIUS_MAX_UNITS + 2;
  const model = {
    name: 'big', inputShape: [3, 2], inputIsTokens: false,
    semantics: { kerasMajor: 3, hardSigmoid: 'keras3', decidedBy: 'test' }, source: { file: 'x', format: 'test' },
    layers: [{
      kind: 'recurrent', name: 'rnn', cell: 'simple_rnn',
      config: { units: u, activation: 'tanh', recurrentActivation: 'sigmoid', useBias: true, returnSequences: false, returnState: false, goBackwards: false, stateful: false, resetAfter: false },
      weights: { kernel: { shape: [2, u], data: new Float64Array(2 * u) }, recurrentKernel: { shape: [u, u], data: new Float64Array(u * u) }, bias: { shape: [u], data: new Float64Array(u) } },
    }],
  } as unknown as import('../../src/engine/model').Model;
  const b = weightViews(model)[0]!.blocks.find((x) => x.weight === 'recurrent_kernel')!;
  assert.equal(b.radius, null);
  assert.match(b.radiusNote!, /cellscope inspect/);
  assert.ok(b.imageRows <= 64 && b.imageCols <= 64);
});
