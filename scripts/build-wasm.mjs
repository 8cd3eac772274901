// Assembles the engine's WebAssembly SIMD kernels (WAT generated below, assembled by the `wabt` npm package) into
// src/engine/wasm/generated/kernels.ts, a TS module with the bytes embedded as base64 so esbuild bundles it with no
// loader. Run by scripts/build.mjs (and so by `prepare`); `--check` exits 1 when the committed module is stale.
//
// One export per precision: gemm_f32 / gemm_f64 (dst, ldd, a, lda, m, k, b, ldb, n), pointers in bytes, leading
// dimensions in elements, row-major:   dst[i, j] += Σ_p a[i, p] · b[p, j]   for i < m, j < n, p ascending.
// Each dst element is one accumulator that starts from dst and adds the products in order p = 0, 1, …: a separate
// multiply and add per term, as the TypeScript reference (linalg.ts addVecMat) does. float64 is therefore bit-for-bit
// the reference; float32 rounds the product to float32 before the add (the reference rounds once, after the add).
// pack_* / gemm_packed_*: the same product against a matrix repacked once per run in column panels (see there).
// float32 gate kernels: <kind>_f32 (one step of one batch item) and <kind>_steps_f32 (a run of steps of every batch
// item, both products included, quantity rows staged in the trace's layout), for LSTM, GRU (reset_after true/false)
// and SimpleRNN; act_f32 (tests); lstm_bwd_steps_f32, an LSTM's backward (scripts/wasm-backward.mjs).
// Memory: [0, 64 Ki) gemm's packing buffer, then 1 Ki of constants (CONST_BASE); src/engine/wasm/kernels.ts
// allocates above.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeGenerated } from './generated-file.mjs';
import { lstmBackwardWat } from './wasm-backward.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'src/engine/wasm/generated/kernels.ts');

/**
 * CELL_KINDS (src/engine/cells/kinds.ts: plain data, no imports) gives the kernels their rows, gate blocks and
 * activations: loaded by stripping its types with esbuild, so the WAT and the TypeScript cells read one table.
 */
async function loadCellKinds() {
  const { transformSync } = await import('esbuild');
  const { code } = transformSync(readFileSync(join(root, 'src/engine/cells/kinds.ts'), 'utf8'), { loader: 'ts', format: 'esm' });
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
const { CELL_KINDS, quantityRow } = await loadCellKinds();

/** Bytes [0, PACK_BYTES) of the memory are the gemm's packing buffer (src/engine/wasm/kernels.ts allocates above). */
export const PACK_BYTES = 65536;

const TYPES = [
  { name: 'f32', vec: 'f32x4', lanes: 4, bytes: 4 },
  { name: 'f64', vec: 'f64x2', lanes: 2, bytes: 8 },
];

/**
 * An R-row × V-vector block of dst at rows [$i, $i+R), columns [$j, $j + V·lanes): accumulators start from dst (or
 * from +0 with `fromZero`), the loop over p adds a[i+r, p] · b[p, j..], then the accumulators are stored back. V = 0
 * means one scalar column. A single row takes two terms per pass (its V accumulators alone would wait on the adds'
 * latency); a block of several rows one: with two, TurboFan hoists both terms' loads of b and spills accumulators to
 * the stack (seen in --print-wasm-code: 4×2 blocks ran at ~28 GFLOP/s, one term per pass at ~45).
 */
function micro(T, R, V, fromZero = false) {
  const B = T.bytes;
  const scalar = V === 0;
  const acc = (r, v) => `$c${r * Math.max(V, 1) + v}`;
  const vecs = scalar ? 1 : V;
  const load = (ptr, off) => (scalar ? `(${T.name}.load offset=${off} ${ptr})` : `(v128.load offset=${off} ${ptr})`);
  const L = [];
  // $pd = dst + (i·ldd + j)·B; $pb = b + j·B; row r of a starts at a + (i + r)·lda·B.
  L.push(`(local.set $pd (i32.add (local.get $dst) (i32.mul (i32.add (i32.mul (local.get $i) (local.get $ldd)) (local.get $j)) (i32.const ${B}))))`);
  L.push(`(local.set $pb (local.get $bcol))`);
  for (let r = 0; r < R; r++) {
    L.push(`(local.set $a${r} (i32.add (local.get $a) (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $ldab))))`);
  }
  for (let r = 0; r < R; r++) {
    const rowPtr = `(i32.add (local.get $pd) (i32.mul (i32.const ${r}) (local.get $lddb)))`;
    const start = (v) => (fromZero ? (scalar ? `(${T.name}.const 0)` : '(v128.const i64x2 0 0)') : load(rowPtr, v * 16));
    for (let v = 0; v < vecs; v++) L.push(`(local.set ${scalar ? `$s${r}` : acc(r, v)} ${start(v)})`);
  }
  L.push(`(local.set $p (local.get $k))`);
  if (!scalar && R === 1) {
    // Two terms per pass (p, then p + 1: the same order), a[i+r, p] broadcast straight from memory.
    const term = (q) => {
      const T2 = [];
      const pbq = q === 0 ? '(local.get $pb)' : '(local.get $pb1)';
      for (let v = 0; v < vecs; v++) T2.push(`  (local.set $b${v} (v128.load offset=${v * 16} ${pbq}))`);
      for (let r = 0; r < R; r++) {
        T2.push(`  (local.set $av (v128.load${B * 8}_splat offset=${q * B} (local.get $a${r})))`);
        for (let v = 0; v < vecs; v++) T2.push(`  (local.set ${acc(r, v)} (${T.vec}.add (local.get ${acc(r, v)}) (${T.vec}.mul (local.get $av) (local.get $b${v}))))`);
      }
      return T2;
    };
    L.push(`(block $done2 (loop $next2`);
    L.push(`  (br_if $done2 (i32.lt_u (local.get $p) (i32.const 2)))`);
    L.push(`  (local.set $pb1 (i32.add (local.get $pb) (local.get $ldbp)))`);
    L.push(...term(0), ...term(1));
    for (let r = 0; r < R; r++) L.push(`  (local.set $a${r} (i32.add (local.get $a${r}) (i32.const ${2 * B})))`);
    L.push(`  (local.set $pb (i32.add (local.get $pb1) (local.get $ldbp)))`);
    L.push(`  (local.set $p (i32.sub (local.get $p) (i32.const 2)))`);
    L.push(`  (br $next2)))`);
  }
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
  L.push(`  (local.set $pb (i32.add (local.get $pb) (local.get $ldbp)))`);
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

/** The locals every gemm variant's micro blocks use. */
function gemmLocals(T) {
  return [
    '(local $i i32) (local $i0 i32) (local $j i32) (local $p i32) (local $pd i32) (local $pb i32) (local $pb1 i32) (local $bcol i32) (local $ldbp i32)',
    '(local $lddb i32) (local $ldab i32) (local $ldbb i32) (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)',
    '(local $av v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128) (local $b4 v128) (local $b5 v128) (local $b6 v128) (local $b7 v128)',
    Array.from({ length: 8 }, (_, q) => `(local $c${q} v128)`).join(' '),
    `(local $s0 ${T.name}) (local $s1 ${T.name}) (local $s2 ${T.name}) (local $s3 ${T.name})`,
  ].join('\n    ');
}

/** Column panels of width W = V·lanes ($j outer, so one panel of b stays in cache across the row blocks). */
function gemm(T) {
  const W = (V) => V * T.lanes;
  // Many rows: 4-row blocks × 2 vectors (b panel reused by 4 rows). One to three rows: 1 row × 4 vectors.
  const unpacked = `(local.set $bcol (i32.add (local.get $b) (i32.mul (local.get $j) (i32.const ${T.bytes}))))
      (local.set $ldbp (local.get $ldbb))`;
  // Many rows: the panel's k × 32 bytes of b are first copied to PACK (contiguous, so every row block reads it from
  // L1 instead of k lines ldb apart, which alias in the cache when ldb is a large power of two).
  const packed = `(if (i32.le_u (i32.mul (local.get $k) (i32.const 32)) (i32.const ${PACK_BYTES}))
        (then
          (local.set $pb (i32.add (local.get $b) (i32.mul (local.get $j) (i32.const ${T.bytes}))))
          (local.set $pd (i32.const 0))
          (local.set $p (local.get $k))
          (block $pkdone (loop $pknext
            (br_if $pkdone (i32.eqz (local.get $p)))
            (v128.store (local.get $pd) (v128.load (local.get $pb)))
            (v128.store offset=16 (local.get $pd) (v128.load offset=16 (local.get $pb)))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldbb)))
            (local.set $pd (i32.add (local.get $pd) (i32.const 32)))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br $pknext)))
          (local.set $bcol (i32.const 0))
          (local.set $ldbp (i32.const 32)))
        (else ${unpacked}))`;
  const panel = (R, V) => `(block $jdone (loop $jnext
      (br_if $jdone (i32.gt_u (i32.add (local.get $j) (i32.const ${W(V)})) (local.get $n)))
      ${R > 1 && V * 16 === 32 ? packed : unpacked}
      (local.set $i0 (i32.const 0))
      ${R > 1 ? rows(R, micro(T, R, V)) + '\n      (local.set $i0 (local.get $i))' : ''}
      ${rows(1, micro(T, 1, V))}
      (local.set $j (i32.add (local.get $j) (i32.const ${W(V)})))
      (br $jnext)))`;
  const tail = (V) => `(block $tdone (loop $tnext
      (br_if $tdone (i32.gt_u (i32.add (local.get $j) (i32.const ${V === 0 ? 1 : W(V)})) (local.get $n)))
      ${unpacked}
      (local.set $i0 (i32.const 0))
      ${rows(1, micro(T, 1, V))}
      (local.set $j (i32.add (local.get $j) (i32.const ${V === 0 ? 1 : W(V)})))
      (br $tnext)))`;
  const locals = gemmLocals(T);
  return `(func $gemm_${T.name} (export "gemm_${T.name}") (param $dst i32) (param $ldd i32) (param $a i32) (param $lda i32) (param $m i32) (param $k i32) (param $b i32) (param $ldb i32) (param $n i32)
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

// The products of a step (h·U, and x·K in the gate kernels) run once per step against the same matrix, so it is
// repacked once per run (pack_*) into column panels of P columns, each panel's k rows contiguous: gemm_packed_* then
// streams it in order instead of reading 16-column strips of rows ldb apart (which alias in the cache when ldb is a
// large power of two). Same sums in the same order as gemm_*. Panels are PACKED_V vectors wide for any row count:
// rows go in 2-row blocks (8 accumulators, one term per pass), an odd last row alone. Measured (W1's h·U, k = 256,
// n = 1024, float32, shared VM): 2×4 blocks 43–46 GFLOP/s at 2, 4, 8, 64 rows, where the 4×2 blocks (2-vector
// panels) used before for m ≥ 4 gave ~28 and 1×4 rows ~36; 3×4 and 4×4 blocks spill (V8 keeps 16 vector registers).
// Columns are padded with zeros to a multiple of PACK_COLUMNS (a multiple of every P), so the padded dst row is
// written whole: dst needs ldd ≥ n padded.
export const PACK_COLUMNS = 16;
const PACKED_V = 4;
for (const T of TYPES) if (PACK_COLUMNS % (PACKED_V * T.lanes)) throw new Error('PACK_COLUMNS');

// pack_T(dst, b, ldb, k, n): dst = b[0 .. k, 0 .. n) in panels, n padded to PACK_COLUMNS.
function packFn(T) {
  const B = T.bytes;
  return `(func (export "pack_${T.name}") (param $dst i32) (param $b i32) (param $ldb i32) (param $k i32) (param $n i32)
    (local $P i32) (local $j0 i32) (local $p i32) (local $c i32) (local $npad i32)
    (local.set $P (i32.const ${PACKED_V * T.lanes}))
    (local.set $npad (i32.and (i32.add (local.get $n) (i32.const ${PACK_COLUMNS - 1})) (i32.const ${-PACK_COLUMNS})))
    (local.set $j0 (i32.const 0))
    (block $jdone (loop $jnext
      (br_if $jdone (i32.ge_u (local.get $j0) (local.get $npad)))
      (local.set $p (i32.const 0))
      (block $pdone (loop $pnext
        (br_if $pdone (i32.ge_u (local.get $p) (local.get $k)))
        (local.set $c (local.get $j0))
        (block $cdone (loop $cnext
          (br_if $cdone (i32.ge_u (local.get $c) (i32.add (local.get $j0) (local.get $P))))
          (${T.name}.store (local.get $dst) (select
            (${T.name}.load (i32.add (local.get $b) (i32.mul (i32.add (i32.mul (local.get $p) (local.get $ldb)) (local.get $c)) (i32.const ${B}))))
            (${T.name}.const 0)
            (i32.lt_u (local.get $c) (local.get $n))))
          (local.set $dst (i32.add (local.get $dst) (i32.const ${B})))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cnext)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pnext)))
      (local.set $j0 (i32.add (local.get $j0) (local.get $P)))
      (br $jnext))))`;
}

// gemm_packed_T(dst, ldd, a, lda, m, k, bp, n): dst[i, j] = Σ_p a[i, p] · B[p, j], B packed by pack_T for the same k,
// n padded (a multiple of PACK_COLUMNS). As gemm_T into a zeroed dst (each sum starts from +0, so a −0 product
// gives +0 as there), without zeroing dst or reading it.
function gemmPacked(T) {
  const panel = (R, V) => `(block $jdone (loop $jnext
      (br_if $jdone (i32.ge_u (local.get $j) (local.get $n)))
      (local.set $bcol (i32.add (local.get $b) (i32.mul (i32.mul (local.get $j) (local.get $k)) (i32.const ${T.bytes}))))
      (local.set $ldbp (i32.const ${V * 16}))
      (local.set $i0 (i32.const 0))
      ${R > 1 ? rows(R, micro(T, R, V, true)) + '\n      (local.set $i0 (local.get $i))' : ''}
      ${rows(1, micro(T, 1, V, true))}
      (local.set $j (i32.add (local.get $j) (i32.const ${V * T.lanes})))
      (br $jnext)))`;
  return `(func $gemm_packed_${T.name} (export "gemm_packed_${T.name}") (param $dst i32) (param $ldd i32) (param $a i32) (param $lda i32) (param $m i32) (param $k i32) (param $b i32) (param $n i32)
    ${gemmLocals(T)}
    (local.set $lddb (i32.mul (local.get $ldd) (i32.const ${T.bytes})))
    (local.set $ldab (i32.mul (local.get $lda) (i32.const ${T.bytes})))
    (local.set $j (i32.const 0))
    ${panel(2, PACKED_V)})`;
}

// ---------------------------------------------------------------------------------------------------------------
// float32 gate arithmetic (one batch item, one step), f32x4. Element-wise + − × are float32 operations, so they equal
// the TypeScript reference's fround(double op) exactly. The transcendental activations (sigmoid, tanh) are evaluated
// in float64 (two f64x2 halves per f32x4) with a relative error below ~5e-15, then rounded to float32 once, as the
// reference rounds Math.exp / Math.tanh: the result is the reference's float32 value except when the exact value lies
// within ~5e-15 (relative) of a float32 rounding boundary, where it can differ by 1 ulp.
// Activation codes (src/engine/wasm/gates.ts): 0 linear, 1 sigmoid, 2 tanh, 3 hard_sigmoid (Keras 2),
// 4 hard_sigmoid (Keras 3), 5 relu.
// Quantity rows are written at o + q·rs (q in the cell's quantity order; see cellKernels); the new states are copied
// from those rows at the end. Units go in vectors of 4; the last vector overlaps the one before when 4 ∤ u (every
// vector only reads inputs and writes rows, so recomputing a unit is harmless): u ≥ 4.

// Vector constants of the gate code: a table in memory at CONST_BASE (a data segment), each one loaded where it is
// used. V8 then reads it with one load (or as an operand); a splat of an f64.const costs it three instructions.
export const CONST_BASE = PACK_BYTES;
export const CONST_BYTES = 1024;
/** `${shape} ${value}` → index in the table. */
const CONSTS = new Map();
/** While actRowsFn builds its loops: load expression → local name. */
let CONST_LOCALS = null;
function tableConst(shape, v) {
  const key = `${shape} ${Object.is(v, -0) ? '-0' : v}`;
  if (!CONSTS.has(key)) CONSTS.set(key, CONSTS.size);
  if (CONSTS.size * 16 > CONST_BYTES) throw new Error('CONST_BYTES too small');
  const load = `(v128.load offset=${CONST_BASE + 16 * CONSTS.get(key)} (i32.const 0))`;
  if (!CONST_LOCALS) return load;
  if (!CONST_LOCALS.has(load)) CONST_LOCALS.set(load, `$k${CONST_LOCALS.size}`);
  return `(local.get ${CONST_LOCALS.get(load)})`;
}
const f64c = (v) => tableConst('f64x2', v);
/** The data segment holding CONSTS (each value in every lane). */
function constData() {
  const bytes = new Uint8Array(16 * CONSTS.size);
  const view = new DataView(bytes.buffer);
  for (const [key, i] of CONSTS) {
    const [shape, v] = key.split(' ');
    if (shape === 'f64x2') for (let l = 0; l < 2; l++) view.setFloat64(16 * i + 8 * l, Number(v), true);
    else for (let l = 0; l < 4; l++) view.setFloat32(16 * i + 4 * l, Number(v), true);
  }
  return `(data (i32.const ${CONST_BASE}) "${[...bytes].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('')}")`;
}
const f32c = (v) => `(f32x4.splat (f32.const ${v}))`;

// e^r − 1 = r·q(r) for |r| ≤ ln2/2: q of degree 9 interpolating (e^r − 1)/r at the 10 Chebyshev nodes of the interval
// (computed with mpmath at 50 digits, rounded to double). Evaluated in double as below, e^r = 1 + r·q has a relative
// error below 8e-16 and e^r − 1 = r·q below 2e-15 over the interval (a Taylor polynomial needs degree 11 for 1e-14).
const EXPM1_Q = [
  1.0000000000000013, 0.5000000000000001, 0.16666666666615648, 0.041666666666624164, 0.008333333367311603,
  0.0013888888917196719, 0.0001984119064754424, 2.4801521322368692e-5, 2.7632640675430236e-6, 2.7620075879983367e-7,
];

// Range reduction for e^x, f64x2, inline (statements on locals suffixed `s`), |x| ≤ 210 (the callers clamp):
// x = n·ln2 + r, |r| ≤ ln2/2 (Cody–Waite, ln2 split so that n·ln2hi is exact). Leaves r in $r{s}, r·q(r) in $m{s}
// (so e^r = 1 + $m, e^r − 1 = $m without cancellation) and 2^n in $p{s} (built in the exponent bits; n ≤ 303).
// q by Estrin's scheme (short dependency chains). NaN stays NaN.
function expParts(x, s) {
  const c = (k) => f64c(EXPM1_Q[k]);
  const g = (name) => `(local.get $${name}${s})`;
  const pair = (k) => `(f64x2.add ${c(k)} (f64x2.mul ${c(k + 1)} ${g('r')}))`;
  const a0 = `(f64x2.add ${pair(0)} (f64x2.mul ${pair(2)} ${g('r2')}))`;
  const a1 = `(f64x2.add ${pair(4)} (f64x2.mul ${pair(6)} ${g('r2')}))`;
  const r8 = `(f64x2.mul ${g('r4')} ${g('r4')})`;
  return [
    `(local.set $x${s} ${x})`,
    // n = nearest(x·log2e) by adding 1.5·2^52 (round to nearest even, as f64x2.nearest): t's low bits then hold n.
    `(local.set $t${s} (f64x2.add (f64x2.mul ${g('x')} ${f64c(Math.LOG2E)}) ${f64c(6755399441055744)}))`,
    `(local.set $n${s} (f64x2.sub ${g('t')} ${f64c(6755399441055744)}))`,
    `(local.set $r${s} (f64x2.sub (f64x2.sub ${g('x')} (f64x2.mul ${g('n')} ${f64c(6.93147180369123816490e-1)})) (f64x2.mul ${g('n')} ${f64c(1.90821492927058770002e-10)})))`,
    `(local.set $r2${s} (f64x2.mul ${g('r')} ${g('r')}))`,
    `(local.set $r4${s} (f64x2.mul ${g('r2')} ${g('r2')}))`,
    `(local.set $m${s} (f64x2.mul ${g('r')} (f64x2.add (f64x2.add ${a0} (f64x2.mul ${a1} ${g('r4')})) (f64x2.mul ${pair(8)} ${r8}))))`,
    `(local.set $p${s} (i64x2.shl (i64x2.add ${g('t')} (i64x2.splat (i64.const 1023))) (i32.const 52)))`,
  ];
}
const EXP_LOCALS = (s) => ['x', 'n', 'r', 'r2', 'r4', 'm', 'p', 'e', 'a', 't', 'v', 'y'].map((n) => `(local $${n}${s} v128)`).join(' ');

// One activation on the f64x2 in $v{s}, as the reference computes it in double, result in $y{s}: sigmoid 1/(1+e^−x)
// with e^−x = 2^n·(1 + r·q); tanh |x| = E/(E + 2) with E = e^{2|x|} − 1 = (2^n − 1) + 2^n·(r·q) (no cancellation for
// small |x|: n = 0 leaves E = r·q) and x's sign; the hard sigmoids as their formulas.
function act64Inline(kind, s) {
  const v = `(local.get $v${s})`;
  const g = (name) => `(local.get $${name}${s})`;
  if (kind === 1)
    return [
      ...expParts(`(f64x2.neg ${v})`, s),
      `(local.set $y${s} (f64x2.div ${f64c(1)} (f64x2.add ${f64c(1)} (f64x2.mul ${g('p')} (f64x2.add ${f64c(1)} ${g('m')})))))`,
    ];
  if (kind === 2)
    return [
      `(local.set $a${s} (f64x2.abs ${v}))`,
      ...expParts(`(f64x2.add ${g('a')} ${g('a')})`, s),
      `(local.set $e${s} (f64x2.add (f64x2.sub ${g('p')} ${f64c(1)}) (f64x2.mul ${g('p')} ${g('m')})))`,
      // |tanh| ≥ 0, so x's sign bit or-ed in gives tanh's sign (−0 for −0; NaN stays NaN).
      `(local.set $y${s} (v128.or (f64x2.div ${g('e')} (f64x2.add ${g('e')} ${f64c(2)})) (v128.and ${v} ${f64c(-0)})))`,
    ];
  // min(1, max(0, y)) as pmin(pmax(y, 0), 1): one instruction each (f64x2.min/max take eight in V8), and the same
  // values: NaN stays NaN (it fails both comparisons), and y is never −0 (0.2·x + 0.5 and x/6 + 0.5 round to +0).
  const clamp01 = (y) => `(f64x2.pmin (f64x2.pmax ${y} ${f64c(0)}) ${f64c(1)})`;
  if (kind === 3) return [`(local.set $y${s} ${clamp01(`(f64x2.add (f64x2.mul ${f64c(0.2)} ${v}) ${f64c(0.5)})`)})`];
  if (kind === 4) return [`(local.set $y${s} ${clamp01(`(f64x2.add (f64x2.div ${v} ${f64c(6)}) ${f64c(0.5)})`)})`];
  throw new Error(`kind ${kind}`);
}

// dst[0 .. n) = activation k of src[0 .. n), n ≥ 4, in vectors of 4 (the last one overlaps when 4 ∤ n: dst ≠ src then,
// or n a multiple of 4). One loop per activation with the arithmetic inline, so successive vectors overlap in the
// CPU. Linear copies; relu is pmax(0, x) (0 for NaN and −0, as `x > 0 ? x : 0`); the others go through float64
// halves rounded back to float32 once.
function actRowsFn() {
  const loop = (kind) => {
    let body;
    if (kind === 0) body = [`(v128.store (i32.add (local.get $dst) (local.get $off)) (local.get $w))`];
    else if (kind === 5) body = [`(v128.store (i32.add (local.get $dst) (local.get $off)) (f32x4.pmax ${f32c(0)} (local.get $w)))`];
    else
      body = [
        // |x| ≤ 105 first (4 lanes at once; pmax/pmin keep NaN): σ(±105) and tanh(±105) are already 1 or 0 in float32,
        // as for every larger |x|, and exp's argument then stays within ±210.
        `(local.set $w (f32x4.pmin (f32x4.pmax (local.get $w) ${tableConst('f32x4', -105)}) ${tableConst('f32x4', 105)}))`,
        // One half after the other through the same locals: fewer live vectors (TurboFan spills the interleaved form).
        `(local.set $vL (f64x2.promote_low_f32x4 (local.get $w)))`,
        ...act64Inline(kind, 'L'),
        `(local.set $yH (local.get $yL))`,
        `(local.set $vL (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $w) (local.get $w))))`,
        ...act64Inline(kind, 'L'),
        `(v128.store (i32.add (local.get $dst) (local.get $off)) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $yH)) (f32x4.demote_f64x2_zero (local.get $yL))))`,
      ];
    return `(if (i32.eq (local.get $k) (i32.const ${kind})) (then
      (local.set $j (i32.const 0))
      (block $done${kind} (loop $next${kind}
        (br_if $done${kind} (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $off (i32.shl (select (local.get $j) (i32.sub (local.get $n) (i32.const 4)) (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $n))) (i32.const 2)))
        (local.set $w (v128.load (i32.add (local.get $src) (local.get $off))))
        ${body.join('\n        ')}
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next${kind})))
      (return)))`;
  };
  // Constants as locals set once per call (loop-invariant values; V8 keeps or spills them once, instead of loading
  // and spilling every constant in every pass).
  CONST_LOCALS = new Map();
  const loops = [0, 1, 2, 3, 4, 5].map(loop);
  const consts = [...CONST_LOCALS];
  CONST_LOCALS = null;
  return `(func $act_rows (param $k i32) (param $src i32) (param $dst i32) (param $n i32)
    (local $j i32) (local $off i32) (local $w v128) ${EXP_LOCALS('L')} ${EXP_LOCALS('H')}
    ${consts.map(([, name]) => `(local ${name} v128)`).join(' ')}
    ${consts.map(([load, name]) => `(local.set ${name} ${load})`).join('\n    ')}
    ${loops.join('\n    ')})`;
}

/** Address expressions: base + off + g·ub. */
const at = (base, g = 0) => (g === 0 ? `(i32.add (local.get ${base}) (local.get $off))` : `(i32.add (i32.add (local.get ${base}) (local.get $off)) (i32.mul (i32.const ${g}) (local.get $ub)))`);
const ld = (base, g = 0) => `(v128.load ${at(base, g)})`;
const st = (base, g, v) => `(v128.store ${at(base, g)} ${v})`;
const withBias = (v, g) => `(if (result v128) (local.get $hasB) (then (f32x4.add ${v} ${ld('$b', g)})) (else ${v}))`;
/** Quantity row r of the step: $o + r·$rs (rows need not be adjacent: see stepsFn). */
const row = (r) => `(i32.add (local.get $o) (i32.mul (i32.const ${r}) (local.get $rs)))`;
/** The state at `dst` = row r: a vector pass (V8 calls out of the module for memory.copy). */
const rowCopy = (dst, r) => pass([`(v128.store ${at(dst)} ${rld(r)})`]);
/** Activation k of row `from` into row `to`. */
const actRows = (k, from, to) => `(call $act_rows (local.get ${k}) ${row(from)} ${row(to)} (local.get $u))`;

/** One pass over the units in vectors of 4 (the last overlapping: every pass reads inputs and writes other rows). */
function pass(body) {
  return `(local.set $j (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $j) (local.get $u)))
      (local.set $off (i32.shl (select (local.get $j) (i32.sub (local.get $u) (i32.const 4)) (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $u))) (i32.const 2)))
      ${body.join('\n      ')}
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $next)))`;
}

/**
 * One cell kind's kernels. `<name>_f32(o, rs, u, xk, hu, ...params)`: one step of one batch item, quantity row q written
 * at o + q·rs. `<name>_steps_f32(n, batch, u, stage, x, xItem, xStep, F, K, xk, ldxk, U, hu, ldhu, ...params)`: n steps
 * of every batch item. Each step first computes both products of every item, x·K into xk (rows ldxk apart) and h·U
 * into hu (rows ldhu apart) with gemm_packed_f32 (K and U packed for `batch` rows; item b's input row at
 * x + b·xItem + i·xStep bytes, xStep < 0 walking backwards), then runs the one-item step for each item: states (the
 * params named in `stateParams`) at state + b·u·4, rows at stage + (b·n + i)·u·4 with rs = batch·n·u·4, so that each
 * quantity × item chunk of the n steps is contiguous, as the trace lays it out.
 */
function cellKernels(name, params, stateParams, steps) {
  const paramDecl = params.map((p) => `(param $${p} i32)`).join(' ');
  const item = `(func $${name} (export "${name}_f32") (param $o i32) (param $rs i32) (param $u i32) (param $xk i32) (param $hu i32) ${paramDecl}
    (local $j i32) (local $off i32) (local $ub i32) (local $v v128) (local $w v128)
    (local.set $ub (i32.shl (local.get $u) (i32.const 2)))
    ${steps.join('\n    ')})`;
  const args = params.map((p) => (stateParams.includes(p) ? `(i32.add (local.get $${p}) (i32.mul (local.get $bi) (local.get $ub)))` : `(local.get $${p})`));
  /** dst (batch rows ld apart) = a · B, B packed. */
  const product = (dst, ld, a, lda, k, B) => `(call $gemm_packed_f32 (local.get ${dst}) (local.get ${ld}) ${a} ${lda} (local.get $batch) ${k} (local.get ${B}) (local.get ${ld}))`;
  const loop = `(func (export "${name}_steps_f32") (param $n i32) (param $batch i32) (param $u i32) (param $stage i32)
    (param $x i32) (param $xItem i32) (param $xStep i32) (param $F i32) (param $K i32) (param $xk i32) (param $ldxk i32)
    (param $U i32) (param $hu i32) (param $ldhu i32) ${paramDecl}
    (local $i i32) (local $bi i32) (local $ub i32) (local $rs i32)
    (local.set $ub (i32.shl (local.get $u) (i32.const 2)))
    (local.set $rs (i32.mul (i32.mul (local.get $batch) (local.get $n)) (local.get $ub)))
    (local.set $i (i32.const 0))
    (block $sdone (loop $snext
      (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
      ${product('$xk', '$ldxk', '(i32.add (local.get $x) (i32.mul (local.get $i) (local.get $xStep)))', '(i32.shr_u (local.get $xItem) (i32.const 2))', '(local.get $F)', '$K')}
      ${product('$hu', '$ldhu', '(local.get $h)', '(local.get $u)', '(local.get $u)', '$U')}
      (local.set $bi (i32.const 0))
      (block $bdone (loop $bnext
        (br_if $bdone (i32.ge_u (local.get $bi) (local.get $batch)))
        (call $${name}
          (i32.add (local.get $stage) (i32.mul (i32.add (i32.mul (local.get $bi) (local.get $n)) (local.get $i)) (local.get $ub)))
          (local.get $rs) (local.get $u)
          (i32.add (local.get $xk) (i32.shl (i32.mul (local.get $bi) (local.get $ldxk)) (i32.const 2)))
          (i32.add (local.get $hu) (i32.shl (i32.mul (local.get $bi) (local.get $ldhu)) (i32.const 2)))
          ${args.join(' ')})
        (local.set $bi (i32.add (local.get $bi) (i32.const 1)))
        (br $bnext)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $snext))))`;
  return `${item}\n  ${loop}`;
}

/** Quantity row r at the current vector: load, store. */
const rld = (r) => `(v128.load (i32.add ${row(r)} (local.get $off)))`;
const rst = (r, v) => `(v128.store (i32.add ${row(r)} (local.get $off)) ${v})`;

/** Row of quantity `key` of a kind (CELL_KINDS order: the quantities, then scratch). */
const rowOf = (kind) => (key) => quantityRow(kind, key);
/** The activation parameter a gate block takes: the recurrent activation ($rk) or the activation ($ak). */
const actOf = (g) => (g.activation === 'recurrent' ? '$rk' : '$ak');

// LSTM rows (CELL_KINDS.lstm): i f c̃ o c h pre_i pre_f pre_c̃ pre_o, then one scratch row (act(c)).
const L = rowOf('lstm');
const LSTM_GATES = CELL_KINDS.lstm.gates;
const lstmFn = cellKernels('lstm', ['b', 'hasB', 'c', 'h', 'rk', 'ak'], ['c', 'h'], [
  pass(LSTM_GATES.map((g, i) => rst(L(`pre_${g.quantity}`), withBias(`(f32x4.add ${ld('$xk', i)} ${ld('$hu', i)})`, i)))),
  ...LSTM_GATES.map((g) => actRows(actOf(g), L(`pre_${g.quantity}`), L(g.quantity))),
  pass([rst(L('c'), `(f32x4.add (f32x4.mul ${rld(L('f'))} ${ld('$c')}) (f32x4.mul ${rld(L('i'))} ${rld(L('c_tilde'))}))`)]),
  actRows('$ak', L('c'), L('act_c')),
  pass([rst(L('h'), `(f32x4.mul ${rld(L('o'))} ${rld(L('act_c'))})`)]),
  rowCopy('$c', L('c')),
  rowCopy('$h', L('h')),
]);

// GRU rows (CELL_KINDS.gru): z r h̃ h pre_z pre_r pre_h̃. h_new = z·h + (1 − z)·h̃. Bias blocks: input row 0..2,
// recurrent row (reset_after) 3..5.
const G = rowOf('gru');
const GATE_COUNT_GRU = CELL_KINDS.gru.gates.length;
const gruZR = (recurrentBias) => [
  pass(
    ['z', 'r'].map((k, g) =>
      rst(G(`pre_${k}`), `(f32x4.add ${withBias(ld('$xk', g), g)} ${recurrentBias ? withBias(ld('$hu', g), GATE_COUNT_GRU + g) : ld('$hu', g)})`),
    ),
  ),
  actRows('$rk', G('pre_z'), G('z')),
  actRows('$rk', G('pre_r'), G('r')),
];
const gruUpdate = [
  pass([rst(G('h'), `(f32x4.add (f32x4.mul (local.tee $v ${rld(G('z'))}) ${ld('$h')}) (f32x4.mul (f32x4.sub ${f32c(1)} (local.get $v)) ${rld(G('h_tilde'))}))`)]),
  rowCopy('$h', G('h')),
];
// reset_after: h̃ = act((x·K_h + b_xh) + r·(h·U_h + b_hh)).
const gruAfterFn = cellKernels('gru_after', ['b', 'hasB', 'h', 'rk', 'ak'], ['h'], [
  ...gruZR(true),
  pass([rst(G('pre_h_tilde'), `(f32x4.add ${withBias(ld('$xk', 2), 2)} (f32x4.mul ${rld(G('r'))} ${withBias(ld('$hu', 2), GATE_COUNT_GRU + 2)}))`)]),
  actRows('$ak', G('pre_h_tilde'), G('h_tilde')),
  ...gruUpdate,
]);
// reset_after=false: h̃ = act((x·K_h + b_h) + (r·h)·U_h); r·h goes to $rh, its product with U_h (columns [2u, 3u) of
// the unpacked U at $Uf, $W columns) to $cand. hu holds only z and r's columns.
const gruBeforeFn = cellKernels('gru_before', ['b', 'hasB', 'h', 'rk', 'ak', 'Uf', 'W', 'rh', 'cand'], ['h'], [
  ...gruZR(false),
  pass([`(v128.store ${at('$rh')} (f32x4.mul ${rld(G('r'))} ${ld('$h')}))`]),
  `(memory.fill (local.get $cand) (i32.const 0) (local.get $ub))`,
  `(call $gemm_f32 (local.get $cand) (local.get $W) (local.get $rh) (local.get $u) (i32.const 1) (local.get $u) (i32.add (local.get $Uf) (i32.shl (local.get $ub) (i32.const 1))) (local.get $W) (local.get $u))`,
  pass([rst(G('pre_h_tilde'), `(f32x4.add ${withBias(ld('$xk', 2), 2)} ${ld('$cand')})`)]),
  actRows('$ak', G('pre_h_tilde'), G('h_tilde')),
  ...gruUpdate,
]);
// SimpleRNN rows (CELL_KINDS.simple_rnn): h pre_h. h = act((x·K + b) + h·U).
const S = rowOf('simple_rnn');
const simpleFn = cellKernels('simple', ['b', 'hasB', 'h', 'ak'], ['h'], [
  pass([rst(S('pre_h'), `(f32x4.add ${withBias(ld('$xk'), 0)} ${ld('$hu')})`)]),
  actRows('$ak', S('pre_h'), S('h')),
  rowCopy('$h', S('h')),
]);

export function kernelsWat() {
  return `(module
  (memory (export "memory") 2)
  ${TYPES.map(gemm).join('\n  ')}
  ${TYPES.map(packFn).join('\n  ')}
  ${TYPES.map(gemmPacked).join('\n  ')}
  ${actRowsFn()}
  ${lstmFn}
  ${gruAfterFn}
  ${gruBeforeFn}
  ${simpleFn}
  ${lstmBackwardWat()}
  (func (export "act_f32") (param $k i32) (param $p i32) (param $n i32)
    (call $act_rows (local.get $k) (local.get $p) (local.get $p) (local.get $n)))
  ${constData()}
)`;
}

export async function buildWasm({ check = false } = {}) {
  const wabt = await (await import('wabt')).default();
  const parsed = wabt.parseWat('kernels.wat', kernelsWat(), { simd: true, bulk_memory: true });
  parsed.resolveNames();
  parsed.validate();
  // Function names kept (a few hundred bytes): CPU profiles then name the kernels.
  const { buffer } = parsed.toBinary({ write_debug_names: true });
  parsed.destroy();
  const b64 = Buffer.from(buffer).toString('base64');
  const text = `// Generated by scripts/build-wasm.mjs from the WAT written there: do not edit. ${buffer.length} bytes.
/** pack_* pads the columns of a packed matrix to a multiple of this. */
export const PACK_COLUMNS = ${PACK_COLUMNS};
/** Bytes at the start of the memory that the kernels keep for themselves (gemm's packing buffer, constants). */
export const KERNEL_BYTES = ${CONST_BASE + CONST_BYTES};
export const KERNELS_WASM_BASE64 =
  '${b64}';
`;
  return writeGenerated(OUT, text, check);
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
