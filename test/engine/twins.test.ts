// The cells' fused steps (float32/float64 twins generated from src/engine/cells/fused.template.ts) against the same
// cells' generic path (what whole-vector activations take: activations applied to the stored rows): every recorded
// value bit for bit over many steps, both precisions, each kind and GRU variant.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindWeights } from '../../src/engine/cells/context';
import { gruCell } from '../../src/engine/cells/gru';
import { lstmCell } from '../../src/engine/cells/lstm';
import { simpleRnnCell } from '../../src/engine/cells/simple-rnn';
import type { CellKind, RecurrentLayer } from '../../src/engine/model';
import { allocate, type Precision } from '../../src/engine/tensor';
import { rng } from '../random';
import { recurrent } from '../support/random-models';

const F = 5;
const U = 7;
const STEPS = 40;

function layer(cell: Exclude<CellKind, 'custom'>, resetAfter: boolean, activation: string, recurrentActivation: string): RecurrentLayer {
  return recurrent(cell, cell, F, U, rng(11), { activation, recurrentActivation, resetAfter });
}

/** Every quantity of every step, run through `step` with the scalar activations present (fused) or removed (generic). */
function run(l: RecurrentLayer, precision: Precision, fused: boolean): number[] {
  const w = bindWeights(l, { precision, hardSigmoid: 'keras3' });
  if (!fused) Object.assign(w, { actScalar: undefined, recScalar: undefined });
  const cell = l.cell === 'lstm' ? lstmCell(w) : l.cell === 'gru' ? gruCell(w, l.config.resetAfter) : simpleRnnCell(w);
  const next = rng(5);
  const states = cell.stateNames.map(() => allocate(U, precision));
  const out = cell.quantities.map(() => allocate(U, precision));
  const x = allocate(F, precision);
  const seen: number[] = [];
  for (let s = 0; s < STEPS; s++) {
    for (let f = 0; f < F; f++) x[f] = 3 * next();
    cell.step(x, 0, states, 0, out, 0);
    for (const row of out) seen.push(...row);
  }
  return seen;
}

for (const precision of ['float32', 'float64'] as const) {
  for (const [cell, resetAfter] of [['lstm', false], ['gru', true], ['gru', false], ['simple_rnn', false]] as const) {
    for (const [act, rec] of [['tanh', 'sigmoid'], ['relu', 'hard_sigmoid']]) {
      test(`${cell}${cell === 'gru' ? ` reset_after=${resetAfter}` : ''} ${act}/${rec} ${precision}: the fused twin gives the generic path's values bit for bit`, () => {
        const l = layer(cell, resetAfter, act, rec);
        const a = run(l, precision, true);
        const b = run(l, precision, false);
        assert.equal(a.length, b.length);
        const differ = a.findIndex((v, i) => !Object.is(v, b[i]));
        assert.equal(differ, -1, `first difference at value ${differ}: ${a[differ]} vs ${b[differ]}`);
        assert.ok(a.some((v) => v !== 0 && Number.isFinite(v)));
      });
    }
  }
}
