// The float32 gate kernels' activations (scripts/build-wasm.mjs, act_f32) against the TypeScript reference rounded to
// float32: sigmoid and tanh are evaluated in float64 (relative error < ~5e-15) and rounded once, so they may differ
// from fround(reference) by at most 1 ulp, and only for values within ~5e-15 of a float32 rounding boundary; the
// piecewise-linear ones (hard_sigmoid both flavours, relu, linear) must be identical. Special values included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scalarActivation } from '../../src/engine/activations';
import { activationCode } from '../../src/engine/wasm/gates';
import { WasmArena } from '../../src/engine/wasm/kernels';
import { rng } from '../random';


const bits = new Float32Array(1);
const ints = new Int32Array(bits.buffer);
function ulps(a: number, b: number): number {
  bits[0] = a;
  const ia = ints[0]!;
  bits[0] = b;
  return Math.abs(ia - ints[0]!);
}

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e30, -1e30, 2 ** -10, -(2 ** -10), 1e-30, 88.7, -88.7, 104, -104, 3, -3, 2.5, -2.5];
const N = 1 << 16;

for (const [name, flavor] of [['sigmoid', 'keras3'], ['tanh', 'keras3'], ['hard_sigmoid', 'keras2'], ['hard_sigmoid', 'keras3'], ['relu', 'keras3'], ['linear', 'keras3']] as const) {
  test(`gate kernel activation ${name}${name === 'hard_sigmoid' ? ` (${flavor})` : ''} = fround(TypeScript reference)`, (t) => {
    const arena = WasmArena.create('float32', N + 64)!;
    assert.ok(arena);
    const code = activationCode(name, flavor)!;
    const ref = scalarActivation(name, flavor)!;
    const v = arena.alloc(N);
    const next = rng(code + 1);
    let differ = 0;
    let worstUlp = 0;
    let worstAbs = 0;
    let total = 0;
    for (const scale of [1e-8, 1e-3, 0.1, 1, 4, 16, 100]) {
      const x = new Float32Array(N).map(() => next() * scale);
      x.set(SPECIAL);
      v.set(x);
      arena.kernels.act_f32(code, arena.ptr(v), N);
      for (let i = 0; i < N; i++) {
        const want = Math.fround(ref(x[i]!));
        const got = v[i]!;
        total++;
        if (Number.isNaN(want)) {
          assert.ok(Number.isNaN(got), `${name}(${x[i]}) = ${got}, want NaN`);
          continue;
        }
        if (Object.is(want, got) || (want === 0 && got === 0)) continue;
        differ++;
        worstUlp = Math.max(worstUlp, ulps(want, got));
        worstAbs = Math.max(worstAbs, Math.abs(want - got));
      }
    }
    t.diagnostic(`${name}: ${differ} of ${total} values differ from fround(reference); max ${worstUlp} ulp, max |Δ| ${worstAbs}`);
    if (name === 'sigmoid' || name === 'tanh') {
      assert.ok(worstUlp <= 1, `max ${worstUlp} ulp`);
      assert.ok(differ <= total * 1e-5, `${differ} of ${total} differ`);
    } else assert.equal(differ, 0);
  });
}
