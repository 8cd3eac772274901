/**
 * The ONNX recurrent equations written out literally (onnx.ai/onnx/operators: LSTM, GRU, RNN), for what the engine's
 * cells cannot express: peepholes P, clip, input_forget, parameterised activations, an LSTM whose g and h differ.
 * Notation as in the spec (t: time, ⊙: element-wise, clip applied to every activation's input):
 *   LSTM  i = f(Wi·x + Ri·H + Pi⊙C + Wbi + Rbi)      f = f(Wf·x + Rf·H + Pf⊙C + Wbf + Rbf)   (input_forget: f = 1 − i)
 *         c̃ = g(Wc·x + Rc·H + Wbc + Rbc)             C' = f⊙C + i⊙c̃
 *         o = f(Wo·x + Ro·H + Po⊙C' + Wbo + Rbo)     H' = o⊙h(C')
 *   GRU   z = f(Wz·x + Rz·H + Wbz + Rbz)             r = f(Wr·x + Rr·H + Wbr + Rbr)
 *         h̃ = g(Wh·x + Rh·(r⊙H) + Rbh + Wbh)        (linear_before_reset: g(Wh·x + r⊙(Rh·H + Rbh) + Wbh))
 *         H' = (1 − z)⊙h̃ + z⊙H
 *   RNN   H' = f(Wi·x + Ri·H + Wbi + Rbi)
 * Every quantity is recorded under the engine's keys (i, f, c_tilde, o, c, h, pre_*; z, r, h_tilde, h; h, pre_h) in
 * the engine's trace layout, so traces from either runner read the same. In float32 each stored value is rounded.
 */
import { CELL_KINDS, type QuantityInfo } from '../../../engine/cells/kinds';
import { allocate, rounding, type FloatArray } from '../../../engine/tensor';
import { stepOrderMaps, type LayerTrace } from '../../../engine/trace';
import type { DirectionJob, DirectionResult } from './direction';
import { CELL_OF_OP, GATES, type RecurrentKind } from './spec';

/** The engine cell's own quantity list (keys, labels, order: CELL_KINDS). */
const QUANTITIES = (kind: RecurrentKind): readonly QuantityInfo[] => CELL_KINDS[CELL_OF_OP[kind]].quantities;

/** out[0..n) = M[row0.., :]·v for rows [row0, row0+n) of a [rows, cols] matrix. */
function rows(M: FloatArray, row0: number, n: number, cols: number, v: ArrayLike<number>, vOff: number, out: Float64Array): void {
  for (let j = 0; j < n; j++) {
    let s = 0;
    const base = (row0 + j) * cols;
    for (let k = 0; k < cols; k++) s += M[base + k]! * v[vOff + k]!;
    out[j] = s;
  }
}

export function runReference(job: DirectionJob): DirectionResult {
  const { spec, hidden: Hn, features: Fn, batch, steps, x, W, R: Rm, Wb, Rb, P, lens, acts, dtype } = job;
  const round = rounding(dtype);
  const clip = spec.clip;
  const clamp = clip === undefined ? (v: number) => v : (v: number) => Math.max(-clip, Math.min(clip, v));
  const quantities = QUANTITIES(spec.kind);
  const nq = quantities.length;
  const out: FloatArray[] = quantities.map(() => allocate(job.record ? batch * steps * Hn : Hn, dtype));
  /** Each quantity's trace rows by the engine's key (Q.i, Q.pre_f, Q.h_tilde, ...). */
  const Q: Record<string, FloatArray> = Object.fromEntries(quantities.map((q, i) => [q.key, out[i]!]));
  const sequence = allocate(batch * steps * Hn, dtype);
  const h = allocate(batch * Hn, dtype);
  const c = allocate(batch * Hn, dtype);
  if (job.initialH) h.set(job.initialH);
  if (job.initialC) c.set(job.initialC);
  const masked = lens && job.record ? new Uint8Array(batch * steps) : null;
  const gates = GATES[spec.kind];
  const xw = new Float64Array(gates * Hn);
  const hr = new Float64Array(gates * Hn);
  const rh = new Float64Array(Hn);
  const bias = (g: number, j: number) => (Wb ? Wb[g * Hn + j]! : 0) + (Rb ? Rb[g * Hn + j]! : 0);
  const [f, g, hAct] = [acts[0]!.apply, acts[1]?.apply, acts[2]?.apply];

  for (let b = 0; b < batch; b++) {
    const len = lens ? lens[b]! : steps;
    const hb = b * Hn;
    for (let s = 0; s < steps; s++) {
      const t = job.reverse ? steps - 1 - s : s;
      const o0 = job.record ? (b * steps + s) * Hn : 0;
      if (t >= len) {
        // Not processed: the trace shows the carried states and no gates (NaN), as the engine's masked steps.
        if (job.record) {
          masked![b * steps + s] = 1;
          quantities.forEach((q, qi) => {
            if (q.key === 'h') out[qi]!.set(h.subarray(hb, hb + Hn), o0);
            else if (q.key === 'c') out[qi]!.set(c.subarray(hb, hb + Hn), o0);
            else out[qi]!.fill(NaN, o0, o0 + Hn);
          });
        }
        continue;
      }
      rows(W, 0, gates * Hn, Fn, x, (b * steps + t) * Fn, xw);
      rows(Rm, 0, gates * Hn, Hn, h, hb, hr);
      if (spec.kind === 'LSTM') {
        // ONNX blocks in W, R and B: 0 i, 1 o, 2 f, 3 c.
        for (let j = 0; j < Hn; j++) {
          const k = o0 + j;
          const cPrev = c[hb + j]!;
          const pi = (Q.pre_i![k] = round(clamp(xw[j]! + hr[j]! + (P ? P[j]! * cPrev : 0) + bias(0, j))));
          const iv = (Q.i![k] = round(f(pi)));
          let fv: number;
          if (spec.inputForget) {
            Q.pre_f![k] = NaN;
            fv = Q.f![k] = round(1 - iv);
          } else {
            const pf = (Q.pre_f![k] = round(clamp(xw[2 * Hn + j]! + hr[2 * Hn + j]! + (P ? P[2 * Hn + j]! * cPrev : 0) + bias(2, j))));
            fv = Q.f![k] = round(f(pf));
          }
          const pc = (Q.pre_c_tilde![k] = round(clamp(xw[3 * Hn + j]! + hr[3 * Hn + j]! + bias(3, j))));
          const cv = (Q.c_tilde![k] = round(g!(pc)));
          const cNew = (Q.c![k] = round(fv * cPrev + iv * cv));
          const po = (Q.pre_o![k] = round(clamp(xw[Hn + j]! + hr[Hn + j]! + (P ? P[Hn + j]! * cNew : 0) + bias(1, j))));
          const ov = (Q.o![k] = round(f(po)));
          const hNew = (Q.h![k] = round(ov * hAct!(cNew)));
          c[hb + j] = cNew;
          sequence[(b * steps + t) * Hn + j] = hNew;
        }
        for (let j = 0; j < Hn; j++) h[hb + j] = Q.h![o0 + j]!;
      } else if (spec.kind === 'GRU') {
        // ONNX blocks: 0 z, 1 r, 2 h.
        for (let j = 0; j < Hn; j++) {
          const k = o0 + j;
          const pz = (Q.pre_z![k] = round(clamp(xw[j]! + hr[j]! + bias(0, j))));
          Q.z![k] = round(f(pz));
          const pr = (Q.pre_r![k] = round(clamp(xw[Hn + j]! + hr[Hn + j]! + bias(1, j))));
          Q.r![k] = round(f(pr));
        }
        if (!spec.linearBeforeReset) {
          for (let j = 0; j < Hn; j++) rh[j] = round(Q.r![o0 + j]! * h[hb + j]!);
          rows(Rm, 2 * Hn, Hn, Hn, rh, 0, hr.subarray(2 * Hn));
        }
        for (let j = 0; j < Hn; j++) {
          const k = o0 + j;
          const wbh = Wb ? Wb[2 * Hn + j]! : 0;
          const rbh = Rb ? Rb[2 * Hn + j]! : 0;
          const pre = spec.linearBeforeReset ? xw[2 * Hn + j]! + Q.r![k]! * round(hr[2 * Hn + j]! + rbh) + wbh : xw[2 * Hn + j]! + hr[2 * Hn + j]! + rbh + wbh;
          const ht = (Q.h_tilde![k] = round(g!((Q.pre_h_tilde![k] = round(clamp(pre))))));
          const z = Q.z![k]!;
          sequence[(b * steps + t) * Hn + j] = Q.h![k] = round((1 - z) * ht + z * h[hb + j]!);
        }
        for (let j = 0; j < Hn; j++) h[hb + j] = Q.h![o0 + j]!;
      } else {
        for (let j = 0; j < Hn; j++) {
          const k = o0 + j;
          const pre = (Q.pre_h![k] = round(clamp(xw[j]! + hr[j]! + bias(0, j))));
          sequence[(b * steps + t) * Hn + j] = Q.h![k] = round(f(pre));
        }
        for (let j = 0; j < Hn; j++) h[hb + j] = Q.h![o0 + j]!;
      }
    }
  }
  const trace: LayerTrace | null = job.record
    ? {
        layerIndex: job.layerIndex,
        layerName: job.layerName,
        direction: job.traceDirection,
        cell: CELL_OF_OP[spec.kind],
        batch,
        steps,
        units: Hn,
        quantities,
        values: out.slice(0, nq),
        ...stepOrderMaps(steps, job.reverse),
        masked,
      }
    : null;
  return { sequence, h, c: spec.kind === 'LSTM' ? c : null, trace };
}
