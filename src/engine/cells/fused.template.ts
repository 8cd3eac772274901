/**
 * The fused steps of the built-in cells (one pass per unit when both activations are element-wise), written ONCE.
 * scripts/build-twins.mjs turns each function here into a float32 twin (`R(x)` → `Math.fround(x)`: Keras's float32
 * rounds after every operation) and a float64 twin (`R(x)` → `(x)`) in src/engine/cells/generated/fused.ts; the
 * cells call those. One top-level function per precision (not one with a rounding parameter): V8 then keeps one
 * monomorphic fast loop per precision that every run reuses, whatever ran before. This file is never imported: it
 * is the source (type-checked like any other); `build-twins.mjs --check` keeps the generated file in step.
 * The generic path for whole-vector activations (softmax) stays in each cell's `stepWith`; the WebAssembly kernels
 * (scripts/build-wasm.mjs) are the float32 fast path where they load.
 */
import type { FloatArray } from '../tensor';
import { CELL_KINDS, quantityRow } from './kinds';

/** Rounds to the run's precision: `Math.fround` in the float32 twin, nothing in the float64 twin. */
declare function R(x: number): number;

const [LSTM_I, LSTM_F, LSTM_G, LSTM_O, LSTM_C, LSTM_H, LSTM_PRE] = ['i', 'f', 'c_tilde', 'o', 'c', 'h', 'pre_i'].map((k) => quantityRow('lstm', k)) as [number, number, number, number, number, number, number];
const [GRU_Z, GRU_R, GRU_HT, GRU_H, GRU_PRE_Z, GRU_PRE_R, GRU_PRE_HT] = ['z', 'r', 'h_tilde', 'h', 'pre_z', 'pre_r', 'pre_h_tilde'].map((k) => quantityRow('gru', k)) as [number, number, number, number, number, number, number];
const [RNN_H, RNN_PRE_H] = [quantityRow('simple_rnn', 'h'), quantityRow('simple_rnn', 'pre_h')];
/** GRU's gate blocks (z, r, h): the bias's recurrent row starts at GRU_GATES·u. */
const GRU_GATES = CELL_KINDS.gru.gates.length;

/** LSTM: z = x·K + h·U (+ b) per gate; i, f, o = rec(z); c̃ = act(z_c); c = f·c + i·c̃; h = o·act(c). */
export const lstmStep = function lstmStep(
  xk: FloatArray,
  xkOff: number,
  hu: FloatArray,
  huOff: number,
  bias: FloatArray | null,
  h: FloatArray,
  c: FloatArray,
  sOff: number,
  out: FloatArray[],
  oOff: number,
  u: number,
  rec: (x: number) => number,
  act: (x: number) => number,
): void {
  const preI = out[LSTM_PRE]!;
  const preF = out[LSTM_PRE + 1]!;
  const preG = out[LSTM_PRE + 2]!;
  const preO = out[LSTM_PRE + 3]!;
  const gi = out[LSTM_I]!;
  const gf = out[LSTM_F]!;
  const gg = out[LSTM_G]!;
  const go = out[LSTM_O]!;
  const cOut = out[LSTM_C]!;
  const hOut = out[LSTM_H]!;
  for (let j = 0; j < u; j++) {
    const k = oOff + j;
    let zi = R(xk[xkOff + j]! + hu[huOff + j]!);
    let zf = R(xk[xkOff + u + j]! + hu[huOff + u + j]!);
    let zg = R(xk[xkOff + 2 * u + j]! + hu[huOff + 2 * u + j]!);
    let zo = R(xk[xkOff + 3 * u + j]! + hu[huOff + 3 * u + j]!);
    if (bias) {
      zi = R(zi + bias[j]!);
      zf = R(zf + bias[u + j]!);
      zg = R(zg + bias[2 * u + j]!);
      zo = R(zo + bias[3 * u + j]!);
    }
    preI[k] = zi;
    preF[k] = zf;
    preG[k] = zg;
    preO[k] = zo;
    const iv = R(rec(zi));
    const fv = R(rec(zf));
    const gv = R(act(zg));
    const ov = R(rec(zo));
    gi[k] = iv;
    gf[k] = fv;
    gg[k] = gv;
    go[k] = ov;
    const cNew = R(R(fv * c[sOff + j]!) + R(iv * gv));
    const hNew = R(ov * R(act(cNew)));
    cOut[k] = cNew;
    hOut[k] = hNew;
    c[sOff + j] = cNew;
    h[sOff + j] = hNew;
  }
};

/**
 * GRU gates: z, r and their pre-activations; with reset_after also the candidate and h; without, r·h into `rh` for
 * the candidate's recurrent product (then `gruCandidate`).
 */
export const gruGates = function gruGates(
  xk: FloatArray,
  xkOff: number,
  hu: FloatArray,
  huOff: number,
  bias: FloatArray | null,
  resetAfter: boolean,
  h: FloatArray,
  sOff: number,
  out: FloatArray[],
  oOff: number,
  u: number,
  rec: (x: number) => number,
  act: (x: number) => number,
  rh: FloatArray,
): void {
  const zOut = out[GRU_Z]!;
  const rOut = out[GRU_R]!;
  const htOut = out[GRU_HT]!;
  const hOut = out[GRU_H]!;
  const preZ = out[GRU_PRE_Z]!;
  const preR = out[GRU_PRE_R]!;
  const preHt = out[GRU_PRE_HT]!;
  const gu = GRU_GATES * u;
  for (let j = 0; j < u; j++) {
    const k = oOff + j;
    let xz = xk[xkOff + j]!;
    let xr = xk[xkOff + u + j]!;
    let hz = hu[huOff + j]!;
    let hr = hu[huOff + u + j]!;
    if (bias) {
      xz = R(xz + bias[j]!);
      xr = R(xr + bias[u + j]!);
      if (resetAfter) {
        hz = R(hz + bias[gu + j]!);
        hr = R(hr + bias[gu + u + j]!);
      }
    }
    const pz = R(xz + hz);
    const pr = R(xr + hr);
    preZ[k] = pz;
    preR[k] = pr;
    const zv = R(rec(pz));
    const rv = R(rec(pr));
    zOut[k] = zv;
    rOut[k] = rv;
    const hPrev = h[sOff + j]!;
    if (resetAfter) {
      let xc = xk[xkOff + 2 * u + j]!;
      let hc = hu[huOff + 2 * u + j]!;
      if (bias) {
        xc = R(xc + bias[2 * u + j]!);
        hc = R(hc + bias[gu + 2 * u + j]!);
      }
      const pc = R(xc + R(rv * hc));
      preHt[k] = pc;
      const ht = R(act(pc));
      htOut[k] = ht;
      const hNew = R(R(zv * hPrev) + R(R(1 - zv) * ht));
      hOut[k] = hNew;
      h[sOff + j] = hNew;
    } else {
      rh[j] = R(rv * hPrev);
    }
  }
};

/** GRU reset_after=false, after the candidate's recurrent product `hw`: h̃ and h. */
export const gruCandidate = function gruCandidate(
  xk: FloatArray,
  xkOff: number,
  hw: FloatArray,
  hwOff: number,
  bias: FloatArray | null,
  h: FloatArray,
  sOff: number,
  out: FloatArray[],
  oOff: number,
  u: number,
  act: (x: number) => number,
): void {
  const zOut = out[GRU_Z]!;
  const htOut = out[GRU_HT]!;
  const hOut = out[GRU_H]!;
  const preHt = out[GRU_PRE_HT]!;
  for (let j = 0; j < u; j++) {
    const k = oOff + j;
    let xc = xk[xkOff + 2 * u + j]!;
    if (bias) xc = R(xc + bias[2 * u + j]!);
    const pc = R(xc + hw[hwOff + j]!);
    preHt[k] = pc;
    const ht = R(act(pc));
    htOut[k] = ht;
    const zv = zOut[k]!;
    const hNew = R(R(zv * h[sOff + j]!) + R(R(1 - zv) * ht));
    hOut[k] = hNew;
    h[sOff + j] = hNew;
  }
};

/** SimpleRNN: h = act((x·K + b) + h·U). */
export const simpleStep = function simpleStep(
  xk: FloatArray,
  xkOff: number,
  hu: FloatArray,
  huOff: number,
  bias: FloatArray | null,
  h: FloatArray,
  sOff: number,
  out: FloatArray[],
  oOff: number,
  u: number,
  act: (x: number) => number,
): void {
  const pre = out[RNN_PRE_H]!;
  const hOut = out[RNN_H]!;
  for (let j = 0; j < u; j++) {
    const k = oOff + j;
    let xb = xk[xkOff + j]!;
    if (bias) xb = R(xb + bias[j]!);
    const p = R(xb + hu[huOff + j]!);
    pre[k] = p;
    const hNew = R(act(p));
    hOut[k] = hNew;
    h[sOff + j] = hNew;
  }
};
