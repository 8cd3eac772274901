/** The float16 / bfloat16 rounding against numpy and ml_dtypes (test/fixtures/mixed-precision/rounding.json). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { float16FromBits } from '../../src/formats/half-float';
import { roundBfloat16, roundFloat16 } from '../../src/engine/half';

const data = JSON.parse(readFileSync(new URL('../fixtures/mixed-precision/rounding.json', import.meta.url), 'utf8')) as { x: number[]; float16: number[]; bfloat16: number[] };
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits32 = (bits: number) => ((u32[0] = bits), f32[0]!);
const bfloat16FromBits = (bits: number) => fromBits32(bits << 16);
const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

function check(name: string, round: (x: number) => number, expectedBits: number[], decode: (bits: number) => number) {
  const wrong: string[] = [];
  data.x.forEach((bits, i) => {
    const x = fromBits32(bits);
    const got = round(x);
    const want = decode(expectedBits[i]!);
    if (!same(got, want) && wrong.length < 5) wrong.push(`${x} → ${got}, numpy ${want}`);
  });
  assert.deepEqual(wrong, [], `${name}: values rounded unlike numpy`);
}

test('roundFloat16 gives numpy\'s float32 → float16 conversion on 11 005 values (ties, subnormals, overflow, signed zero)', () => {
  assert.ok(data.x.length > 10000);
  check('float16', roundFloat16, data.float16, float16FromBits);
});

test('roundBfloat16 gives ml_dtypes\' float32 → bfloat16 conversion on the same values', () => {
  check('bfloat16', roundBfloat16, data.bfloat16, bfloat16FromBits);
});

test('a double is rounded to float32 first, as XLA computes the op in float32 before converting', () => {
  // 1 + 2^-11 + 2^-40 is above float16's tie between 1 and 1 + 2^-10, but float32 drops the 2^-40: a tie, to even (1).
  assert.equal(roundFloat16(1 + 2 ** -11 + 2 ** -40), 1);
  assert.equal(roundFloat16(1 + 2 ** -11 + 2 ** -20), 1 + 2 ** -10);
});
