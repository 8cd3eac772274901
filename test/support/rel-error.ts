import assert from 'node:assert/strict';

/** max |a − b| / max |b| (1 when b is all zeros): the explain tests' one measure of agreement. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'compared arrays differ in length');
  let d = 0;
  let s = 0;
  for (let k = 0; k < b.length; k++) {
    d = Math.max(d, Math.abs(a[k]! - b[k]!));
    s = Math.max(s, Math.abs(b[k]!));
  }
  return d / (s || 1);
}
