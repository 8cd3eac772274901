// The WebAssembly gemm kernels against a plain loop with the same operations in the same order (float32: each product
// rounded to float32, then the add; float64: double multiply and add), bit for bit: packed panels (many rows, k·32 B
// ≤ 64 KiB), unpacked ones (k too long to pack), few rows, column tails, odd k (the two-term loop's remainder), and
// gemm_packed's 2-row blocks with an odd last row (m 9, 5, 1).
// gemm_packed (the matrix repacked once by pack) gives gemm's results into a zeroed dst, and zeros in the padding.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PACK_COLUMNS, WasmArena } from '../../src/engine/wasm/kernels';
import { rng } from '../random';


for (const precision of ['float32', 'float64'] as const) {
  for (const [m, k, n] of [
    [6, 33, 21],
    [9, 64, 40],
    [5, 2051, 19],
    [2, 7, 9],
    [1, 256, 37],
    [4, 1, 8],
  ] as const) {
    test(`gemm and gemm_packed ${precision} m${m} k${k} n${n} = the reference loop, bit for bit`, () => {
      const arena = WasmArena.create(precision, 2 * m * n + m * k + 2 * k * n + 64 * (m + k + 1))!;
      const next = rng(m * 1000 + k + n);
      // Filled in place (map would copy out of the kernel memory).
      const fill = (v: Float32Array | Float64Array) => {
        for (let i = 0; i < v.length; i++) v[i] = next();
        return v;
      };
      const dst = fill(arena.alloc(m * n));
      const a = fill(arena.alloc(m * k));
      const b = fill(arena.alloc(k * n));
      const f32 = precision === 'float32';
      /** The reference loop: each sum starts from `from`. */
      const product = (from: Float32Array | Float64Array) => {
        const want = from.slice();
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let d = want[i * n + j]!;
            for (let p = 0; p < k; p++) d = f32 ? Math.fround(d + Math.fround(a[i * k + p]! * b[p * n + j]!)) : d + a[i * k + p]! * b[p * n + j]!;
            want[i * n + j] = d;
          }
        }
        return want;
      };
      const want = product(dst);
      const wantFromZero = product(dst.map(() => 0));
      arena.gemm(arena.ptr(dst), n, arena.ptr(a), k, m, k, arena.ptr(b), n, n);
      for (let i = 0; i < m * n; i++) assert.equal(dst[i], want[i], `element ${i}`);
      // The packed kernel writes whole padded rows, whatever dst held (NaN here).
      const np = Math.ceil(n / PACK_COLUMNS) * PACK_COLUMNS;
      const packed = arena.alloc(k * np);
      const dstPacked = arena.alloc(m * np).fill(NaN);
      arena.pack(arena.ptr(packed), arena.ptr(b), n, k, n);
      arena.gemmPacked(arena.ptr(dstPacked), np, arena.ptr(a), k, m, k, arena.ptr(packed), np);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < np; j++) assert.equal(dstPacked[i * np + j], j < n ? wantFromZero[i * n + j] : 0, `packed: row ${i}, column ${j}`);
      }
    });
  }
}
