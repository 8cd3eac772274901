// reusingArrays (src/engine/tensor.ts): inside it, arrays given back are handed out again by allocate, zeroed, one
// taker each; views into a larger buffer, small arrays and arrays outside the scope are never reused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocate, reusingArrays } from '../../src/engine/tensor';

test('recycled arrays come back zeroed, once, only for the same precision and length, only inside the scope', () => {
  const n = 1 << 16;
  let left: Float32Array | Float64Array | null = null;
  reusingArrays((recycle) => {
    const a = allocate(n, 'float32');
    a.fill(7);
    recycle([a, a]); // given twice: taken once
    assert.equal(allocate(n, 'float64').length, n);
    assert.ok(!(allocate(n, 'float64') instanceof Float32Array));
    const b = allocate(n, 'float32');
    assert.equal(b, a);
    assert.ok(b.every((v) => v === 0));
    assert.notEqual(allocate(n, 'float32'), a);
    // A view into a larger buffer is not the view's alone; a small array is not worth keeping.
    const big = new Float32Array(2 * n);
    recycle([big.subarray(0, n), new Float32Array(16)]);
    assert.notEqual(allocate(n, 'float32').buffer, big.buffer);
    recycle([b]);
    left = b;
  });
  // The pool ended with the scope: the array left in it is not handed out afterwards, nor in a new scope.
  assert.notEqual(allocate(n, 'float32'), left);
  reusingArrays(() => assert.notEqual(allocate(n, 'float32'), left));
});
