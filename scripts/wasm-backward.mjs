// The float32 backward kernel of an LSTM (BPTT for the input gradient), joined to the engine's module by
// scripts/build-wasm.mjs (it calls $act_rows and $gemm_packed_f32 there). src/explain/fast/lstm.ts drives it.
//
// lstm_bwd_steps_f32(n, rows, u, stage, dz, dh, ldh, dc, UT): steps n−1 … 0 of a block, for `rows` items at once.
// Staged (by the caller, f32) per quantity q, item r, slot s' (0 … n) at stage + ((q·rows + r)·(n+1) + s')·u·4 bytes:
// q = 0 i, 1 f, 2 c̃, 3 o, 4 c, 5 tanh(c) (written here), 6 ∂y/∂(the step's output); step i of the block is slot i+1,
// slot 0 of c holds the state before the block's first step. Per step and item (Keras's sigmoid / tanh LSTM):
//   dh' = dh + dseq;  do = dh'·tanh(c);  dc' = dc + dh'·o·(1 − tanh(c)²)
//   dz = [dc'·c̃·i(1−i), dc'·c₋·f(1−f), dc'·i·(1−c̃²), do·o(1−o)];  dc ← dc'·f
// written to dz + ((r·n + i)·4u)·4 (kept for the caller's one dx = dz·Kᵀ per block), then dh ← dz·Uᵀ for every item
// in one gemm_packed_f32 (UT: Uᵀ [4u, u] packed by pack_f32; dh rows ldh ≥ u apart, ldh a multiple of
// PACK_COLUMNS). u must be a multiple of 4 (the caller checks): the unit loop updates dc in place, so vectors may
// not overlap as the forward kernels' last one does.
export function lstmBackwardWat() {
  const q = (k) => `(i32.add (local.get $slot) (i32.mul (i32.const ${k}) (local.get $qs)))`;
  const ldq = (k, extra = '') => `(v128.load (i32.add ${extra ? `(i32.sub ${q(k)} ${extra})` : q(k)} (local.get $off)))`;
  const one = '(f32x4.splat (f32.const 1))';
  const sig = (v) => `(f32x4.mul ${v} (f32x4.sub ${one} ${v}))`;
  const dzAt = (g) => `(i32.add (i32.add (local.get $pz) (i32.mul (i32.const ${g}) (local.get $ub))) (local.get $off))`;
  const unit = [
    `(local.set $dhv (f32x4.add (v128.load (i32.add (local.get $pdh) (local.get $off))) ${ldq(6)}))`,
    `(local.set $ac ${ldq(5)})`,
    `(local.set $o ${ldq(3)})`,
    `(local.set $ii ${ldq(0)})`,
    `(local.set $ff ${ldq(1)})`,
    `(local.set $gg ${ldq(2)})`,
    // dc' = dc + (dh'·o)·(1 − tanh(c)²), as the reference: dm = dh·o, then dm·tanh'(c).
    `(local.set $dcj (f32x4.add (v128.load (i32.add (local.get $pdc) (local.get $off))) (f32x4.mul (f32x4.mul (local.get $dhv) (local.get $o)) (f32x4.sub ${one} (f32x4.mul (local.get $ac) (local.get $ac))))))`,
    `(v128.store ${dzAt(0)} (f32x4.mul (f32x4.mul (local.get $dcj) (local.get $gg)) ${sig('(local.get $ii)')}))`,
    `(v128.store ${dzAt(1)} (f32x4.mul (f32x4.mul (local.get $dcj) ${ldq(4, '(local.get $ub)')}) ${sig('(local.get $ff)')}))`,
    `(v128.store ${dzAt(2)} (f32x4.mul (f32x4.mul (local.get $dcj) (local.get $ii)) (f32x4.sub ${one} (f32x4.mul (local.get $gg) (local.get $gg)))))`,
    `(v128.store ${dzAt(3)} (f32x4.mul (f32x4.mul (local.get $dhv) (local.get $ac)) ${sig('(local.get $o)')}))`,
    `(v128.store (i32.add (local.get $pdc) (local.get $off)) (f32x4.mul (local.get $dcj) (local.get $ff)))`,
  ];
  return `(func (export "lstm_bwd_steps_f32") (param $n i32) (param $rows i32) (param $u i32) (param $stage i32) (param $dz i32)
    (param $dh i32) (param $ldh i32) (param $dc i32) (param $UT i32)
    (local $r i32) (local $i i32) (local $off i32) (local $ub i32) (local $qs i32) (local $item i32) (local $slot i32)
    (local $pz i32) (local $pdh i32) (local $pdc i32)
    (local $dhv v128) (local $ac v128) (local $o v128) (local $ii v128) (local $ff v128) (local $gg v128) (local $dcj v128)
    (local.set $ub (i32.shl (local.get $u) (i32.const 2)))
    (local.set $item (i32.mul (i32.add (local.get $n) (i32.const 1)) (local.get $ub)))
    (local.set $qs (i32.mul (local.get $rows) (local.get $item)))
    ;; tanh(c) of the block's steps, one call per item (slots 1 … n are contiguous).
    (local.set $r (i32.const 0))
    (block $adone (loop $anext
      (br_if $adone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $slot (i32.add (i32.add (local.get $stage) (i32.mul (local.get $r) (local.get $item))) (local.get $ub)))
      (call $act_rows (i32.const 2) ${q(4)} ${q(5)} (i32.mul (local.get $n) (local.get $u)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $anext)))
    (local.set $i (local.get $n))
    (block $sdone (loop $snext
      (br_if $sdone (i32.eqz (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rnext
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $slot (i32.add (i32.add (local.get $stage) (i32.mul (local.get $r) (local.get $item))) (i32.mul (i32.add (local.get $i) (i32.const 1)) (local.get $ub))))
        (local.set $pz (i32.add (local.get $dz) (i32.shl (i32.mul (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $i)) (local.get $ub)) (i32.const 2))))
        (local.set $pdh (i32.add (local.get $dh) (i32.shl (i32.mul (local.get $r) (local.get $ldh)) (i32.const 2))))
        (local.set $pdc (i32.add (local.get $dc) (i32.mul (local.get $r) (local.get $ub))))
        (local.set $off (i32.const 0))
        (block $udone (loop $unext
          (br_if $udone (i32.ge_u (local.get $off) (local.get $ub)))
          ${unit.join('\n          ')}
          (local.set $off (i32.add (local.get $off) (i32.const 16)))
          (br $unext)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rnext)))
      ;; dh₋ = dz·Uᵀ for every item (the rows of step i are n·4u values apart).
      (call $gemm_packed_f32 (local.get $dh) (local.get $ldh)
        (i32.add (local.get $dz) (i32.shl (i32.mul (local.get $i) (local.get $ub)) (i32.const 2)))
        (i32.shl (i32.mul (local.get $n) (local.get $u)) (i32.const 2))
        (local.get $rows) (i32.shl (local.get $u) (i32.const 2)) (local.get $UT) (local.get $ldh))
      (br $snext))))`;
}
