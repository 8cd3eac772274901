/**
 * The Weights view's exploding/vanishing verdict reads the gradient flow of a real run (dynamicsOf, the function
 * the JAX-checked tests cover), not ρ: examples/char-rnn (100 % accurate, ρ ≈ 2 in some blocks) is neither, and a
 * SimpleRNN whose recurrent kernel is scaled up (tanh far from saturation) explodes, one scaled down vanishes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dynamicsOf } from '../../src/explain/dynamics/index';
import { loadExpectedBytes, loadModelBytes } from '../../src/formats/index';
import { spectralRadii } from '../../src/analysis/index';
import { gradientVerdict } from '../../src/panel/gradient-verdict';
import type { Model } from '../../src/engine/model';
import { rng } from '../random';
import { verbatim } from '../../src/phrase';

test('char-rnn: ρ > 1 in a gate block, yet the gradient flow for its prediction is steady', async () => {
  const base = join(process.cwd(), 'examples', 'char-rnn');
  const loaded = await loadModelBytes(readFileSync(join(base, 'model.cellscope.json')), 'model.cellscope.json');
  const rec = loadExpectedBytes(readFileSync(join(base, 'recording.json')), 'recording.json');
  assert.ok(spectralRadii(loaded.model).some((r) => r.radius > 1), 'some gate block has ρ > 1');
  const d = dynamicsOf(loaded.model, rec.input!, { target: { output: 0, index: [0, 43, 0], flat: 43 * 25 }, predictCalls: rec.predictCalls ?? 1 });
  const v = gradientVerdict(d[0]!.gradient[0]!.norm)!;
  assert.equal(v.kind, 'steady', `log10 ratio ${v.log10Ratio}`);
  assert.deepEqual([v.first, v.last], [0, 43]);
});

function simpleRnn(scale: number, units = 16, steps = 60): { model: Model; input: { shape: number[]; data: Float64Array } } {
  const next = rng(7);
  const arr = (n: number, s: number) => Float64Array.from({ length: n }, () => next() * s);
  // A random orthogonal-ish recurrent kernel: scaled identity plus small noise, so ρ ≈ scale.
  const rk = arr(units * units, 0.01);
  for (let i = 0; i < units; i++) rk[i * units + i] += scale;
  const model: Model = {
    name: 'rnn',
    inputShape: [steps, 2],
    inputIsTokens: false,
    semantics: { kerasMajor: 3, hardSigmoid: 'keras3', decidedBy: verbatim('test') },
    source: { file: 'synthetic', format: 'test' },
    layers: [
      {
        kind: 'recurrent',
        name: 'rnn',
        cell: 'simple_rnn',
        config: { units, activation: 'linear', recurrentActivation: 'sigmoid', useBias: true, returnSequences: false, returnState: false, goBackwards: false, stateful: false, resetAfter: false },
        weights: { kernel: { shape: [2, units], data: arr(2 * units, 0.5) }, recurrentKernel: { shape: [units, units], data: rk }, bias: { shape: [units], data: new Float64Array(units) } },
      },
    ],
  } as Model;
  return { model, input: { shape: [1, steps, 2], data: arr(steps * 2, 0.1) } };
}

test('a linear SimpleRNN with U ≈ 1.2·I explodes, with U ≈ 0.8·I vanishes', () => {
  for (const [scale, kind] of [[1.2, 'explodes'], [0.8, 'vanishes']] as const) {
    const { model, input } = simpleRnn(scale);
    const d = dynamicsOf(model, input, { target: { output: 0, index: [0, 0], flat: 0 } });
    const v = gradientVerdict(d[0]!.gradient[0]!.norm)!;
    assert.equal(v.kind, kind, `scale ${scale}: log10 ratio ${v.log10Ratio}`);
    // The step Jacobian of a linear cell is U itself: σ_max ≈ scale at every step.
    assert.ok(Math.abs(d[0]!.jacobian[10]! - scale) < 0.1, `σ ${d[0]!.jacobian[10]}`);
  }
});
