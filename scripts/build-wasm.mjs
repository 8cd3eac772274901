// Assembles the engine's WebAssembly SIMD kernels (WAT generated below, assembled by the `wabt` npm package) into
// src/engine/wasm/generated/kernels.ts, a TS module with the bytes embedded as base64 so esbuild bundles it with no
// loader. Run by scripts/build.mjs (and so by `prepare`); `--check` exits 1 when the committed module is stale.
//
// One export per precision: gemm_f32 / gemm_f64 (dst, ldd, a, lda, m, k, b, ldb, n), pointers in bytes, leading
// dimensions in elements, row-major:   dst[i, j] += Σ_p a[i, p] · b[p, j]   for i < m, j < n, p ascending.
// Each dst element is one accumulator that starts from dst and adds the products in order p = 0, 1, …: a separate
// multiply and add per term, as the TypeScript reference (linalg.ts addVecMat) does. float64 is therefore bit-for-bit
// the reference; float32 rounds the product to float32 before the add (the reference rounds once, after the add).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'src/engine/wasm/generated/kernels.ts');

const TYPES = [
  { name: 'f32', vec: 'f32x4', lanes: 4, bytes: 4 },
  { name: 'f64', vec: 'f64x2', lanes: 2, bytes: 8 },
];

/**
 * An R-row × V-vector block of dst at rows [$i, $i+R), columns [$j, $j + V·lanes): accumulators start from dst, the
 * loop over p adds a[i+r, p] · b[p, j..], then the accumulators are stored back. V = 0 means one scalar column.
 */
function micro(T, R, V) {
  const B = T.bytes;
  const scalar = V === 0;
  const acc = (r, v) => `$c${r * Math.max(V, 1) + v}`;
  const vecs = scalar ? 1 : V;
  const load = (ptr, off) => (scalar ? `(${T.name}.load offset=${off} ${ptr})` : `(v128.load offset=${off} ${ptr})`);
  const L = [];
  // $pd = dst + (i·ldd + j)·B; $pb = b + j·B; row r of a starts at a + (i + r)·lda·B.
  L.push(`(local.set $pd (i32.add (local.get $dst) (i32.mul (i32.add (i32.mul (local.get $i) (local.get $ldd)) (local.get $j)) (i32.const ${B}))))`);
  L.push(`(local.set $pb (i32.add (local.get $b) (i32.mul (local.get $j) (i32.const ${B}))))`);
  for (let r = 0; r < R; r++) {
    L.push(`(local.set $a${r} (i32.add (local.get $a) (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $ldab))))`);
  }
  for (let r = 0; r < R; r++) {
    const rowPtr = `(i32.add (local.get $pd) (i32.mul (i32.const ${r}) (local.get $lddb)))`;
    for (let v = 0; v < vecs; v++) L.push(`(local.set ${scalar ? `$s${r}` : acc(r, v)} ${load(rowPtr, v * 16)})`);
  }
  L.push(`(local.set $p (local.get $k))`);
  L.push(`(block $done (loop $next`);
  L.push(`  (br_if $done (i32.eqz (local.get $p)))`);
  if (!scalar) for (let v = 0; v < vecs; v++) L.push(`  (local.set $b${v} (v128.load offset=${v * 16} (local.get $pb)))`);
  for (let r = 0; r < R; r++) {
    if (scalar) {
      L.push(`  (local.set $s${r} (${T.name}.add (local.get $s${r}) (${T.name}.mul (${T.name}.load (local.get $a${r})) (${T.name}.load (local.get $pb)))))`);
    } else {
      L.push(`  (local.set $av (${T.vec}.splat (${T.name}.load (local.get $a${r}))))`);
      for (let v = 0; v < vecs; v++) {
        L.push(`  (local.set ${acc(r, v)} (${T.vec}.add (local.get ${acc(r, v)}) (${T.vec}.mul (local.get $av) (local.get $b${v}))))`);
      }
    }
    L.push(`  (local.set $a${r} (i32.add (local.get $a${r}) (i32.const ${B})))`);
  }
  L.push(`  (local.set $pb (i32.add (local.get $pb) (local.get $ldbb)))`);
  L.push(`  (local.set $p (i32.sub (local.get $p) (i32.const 1)))`);
  L.push(`  (br $next)))`);
  for (let r = 0; r < R; r++) {
    const rowPtr = `(i32.add (local.get $pd) (i32.mul (i32.const ${r}) (local.get $lddb)))`;
    for (let v = 0; v < vecs; v++) {
      L.push(scalar ? `(${T.name}.store ${rowPtr} (local.get $s${r}))` : `(v128.store offset=${v * 16} ${rowPtr} (local.get ${acc(r, v)}))`);
    }
  }
  return L.join('\n      ');
}

/** Loops $i over rows in steps of R (while R more rows remain) around a micro block; $i starts at $i0. */
function rows(R, body) {
  return `(local.set $i (local.get $i0))
    (block $rdone (loop $rnext
      (br_if $rdone (i32.gt_u (i32.add (local.get $i) (i32.const ${R})) (local.get $m)))
      ${body}
      (local.set $i (i32.add (local.get $i) (i32.const ${R})))
      (br $rnext)))`;
}

/** Column panels of width W = V·lanes ($j outer, so one panel of b stays in cache across the row blocks). */
function gemm(T) {
  const W = (V) => V * T.lanes;
  // Many rows: 4-row blocks × 2 vectors (b panel reused by 4 rows). One to three rows: 1 row × 4 vectors.
  const panel = (R, V) => `(block $jdone (loop $jnext
      (br_if $jdone (i32.gt_u (i32.add (local.get $j) (i32.const ${W(V)})) (local.get $n)))
      (local.set $i0 (i32.const 0))
      ${R > 1 ? rows(R, micro(T, R, V)) + '\n      (local.set $i0 (local.get $i))' : ''}
      ${rows(1, micro(T, 1, V))}
      (local.set $j (i32.add (local.get $j) (i32.const ${W(V)})))
      (br $jnext)))`;
  const tail = (V) => `(block $tdone (loop $tnext
      (br_if $tdone (i32.gt_u (i32.add (local.get $j) (i32.const ${V === 0 ? 1 : W(V)})) (local.get $n)))
      (local.set $i0 (i32.const 0))
      ${rows(1, micro(T, 1, V))}
      (local.set $j (i32.add (local.get $j) (i32.const ${V === 0 ? 1 : W(V)})))
      (br $tnext)))`;
  const locals = [
    '(local $i i32) (local $i0 i32) (local $j i32) (local $p i32) (local $pd i32) (local $pb i32)',
    '(local $lddb i32) (local $ldab i32) (local $ldbb i32) (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)',
    '(local $av v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)',
    Array.from({ length: 8 }, (_, q) => `(local $c${q} v128)`).join(' '),
    `(local $s0 ${T.name}) (local $s1 ${T.name}) (local $s2 ${T.name}) (local $s3 ${T.name})`,
  ].join('\n    ');
  return `(func (export "gemm_${T.name}") (param $dst i32) (param $ldd i32) (param $a i32) (param $lda i32) (param $m i32) (param $k i32) (param $b i32) (param $ldb i32) (param $n i32)
    ${locals}
    (local.set $lddb (i32.mul (local.get $ldd) (i32.const ${T.bytes})))
    (local.set $ldab (i32.mul (local.get $lda) (i32.const ${T.bytes})))
    (local.set $ldbb (i32.mul (local.get $ldb) (i32.const ${T.bytes})))
    (local.set $j (i32.const 0))
    (if (i32.ge_u (local.get $m) (i32.const 4))
      (then ${panel(4, 2)})
      (else ${panel(1, 4)}))
    ${tail(1)}
    ${tail(0)})`;
}

export function kernelsWat() {
  return `(module
  (memory (export "memory") 1)
  ${TYPES.map(gemm).join('\n  ')})`;
}

export async function buildWasm({ check = false } = {}) {
  const wabt = await (await import('wabt')).default();
  const parsed = wabt.parseWat('kernels.wat', kernelsWat(), { simd: true });
  parsed.resolveNames();
  parsed.validate();
  const { buffer } = parsed.toBinary({});
  parsed.destroy();
  const b64 = Buffer.from(buffer).toString('base64');
  const text = `// Generated by scripts/build-wasm.mjs from the WAT written there: do not edit. ${buffer.length} bytes.
export const KERNELS_WASM_BASE64 =
  '${b64}';
`;
  const current = existsSync(OUT) ? readFileSync(OUT, 'utf8') : null;
  if (check) return current === text;
  if (current !== text) {
    mkdirSync(dirname(OUT), { recursive: true });
    writeFileSync(OUT, text);
  }
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--wat')) console.log(kernelsWat());
  else {
    const ok = await buildWasm({ check: process.argv.includes('--check') });
    if (!ok) {
      console.error('src/engine/wasm/generated/kernels.ts is stale: run node scripts/build-wasm.mjs');
      process.exit(1);
    }
  }
}
