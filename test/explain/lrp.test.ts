// LRP for LSTM / GRU models (Arras et al. 2017 rules: relevance through the signal path, never the gates).
// Conservation: with β = 1 (bias and ε shares handed back) the input's relevance plus what the initial states
// received equals the explained value to rounding; with the default β = 0 the conservation error is reported.
// A purely linear path (Dense on SimpleRNN with a linear activation and no biases) gives gradient × input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { explainPrediction } from '../../src/explain';
import type { Layer } from '../../src/engine';
import { loadModelText } from '../../src/formats';
import { dense, model, random, recurrent, rng } from '../support/random-models';

function fixture(name: string) {
  const c = JSON.parse(readFileSync(join(__dirname, '../fixtures/explain', `${name}.json`), 'utf8'));
  return { model: loadModelText(JSON.stringify(c.model), `${name}.json`).model, input: { shape: c.input.shape, data: Float64Array.from(c.input.data) }, target: c.target as number[] };
}

const CASES = ['lstm_dense', 'gru_reset_after', 'gru_reset_before', 'stacked', 'bidirectional_concat', 'bidirectional_sum', 'bidirectional_ave', 'embedding_masked_lstm', 'embedding_masked_bidirectional', 'lstm_go_backwards', 'dense_3d_activation'];

for (const name of CASES) {
  test(`${name}: relevance is conserved (β = 1 exactly, β = 0 reported)`, () => {
    const c = fixture(name);
    const exact = explainPrediction(c.model, c.input, { method: 'lrp', target: c.target, lrpBiasFactor: 1, lrpEpsilon: 1e-9 });
    const z = exact.explainedValue!;
    const sum = exact.attribution.data.reduce((s, v) => s + v, 0) + exact.initialStateRelevance!;
    assert.ok(Math.abs(sum - z) <= 1e-9 * Math.max(1, Math.abs(z)), `Σ R + R(initial) = ${sum}, explained ${z}`);
    const plain = explainPrediction(c.model, c.input, { method: 'lrp', target: c.target });
    assert.ok(Number.isFinite(plain.conservationError!), 'conservation error reported');
    assert.equal(plain.explainedValue, z);
    // Other batch items get no relevance.
    const per = plain.attribution.data.length / plain.attribution.shape[0]!;
    plain.attribution.data.forEach((v, k) => {
      if (Math.floor(k / per) !== c.target[0]! && c.target[0]! >= 0) assert.equal(v, 0);
    });
    process.stderr.write(`# ${name}: explained ${z.toPrecision(4)}, conservation error (β=0, ε=1e-3) ${plain.conservationError!.toExponential(2)}, with β=1 ${Math.abs(sum - z).toExponential(1)}\n`);
  });
}

test('a linear path without biases: LRP (ε → 0) equals gradient × input', () => {
  const next = rng(21);
  const rnn = recurrent('rnn', 'simple_rnn', 3, 4, next, { activation: 'linear', useBias: false, returnSequences: false });
  const head = dense('head', 4, 2, next) as Layer & { kind: 'dense' };
  const m = model([rnn, { ...head, bias: null }], [null, 3]);
  const x = random([1, 6, 3], next);
  const r = explainPrediction(m, x, { method: 'lrp', target: [0, 1], lrpEpsilon: 0 });
  const gi = explainPrediction(m, x, { method: 'grad-input', target: [0, 1] });
  r.attribution.data.forEach((v, k) => assert.ok(Math.abs(v - gi.attribution.data[k]!) <= 1e-12, `${k}: ${v} vs ${gi.attribution.data[k]}`));
  assert.ok(r.conservationError! <= 1e-12);
});

test('lrp refuses what it has no rule for, naming the layer', () => {
  const c = fixture('bidirectional_mul');
  assert.throws(() => explainPrediction(c.model, c.input, { method: 'lrp', target: c.target }), /merge_mode mul/);
});
