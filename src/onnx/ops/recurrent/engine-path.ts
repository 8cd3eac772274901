/**
 * Runs a recurrent direction on the engine's own cells (src/engine/recurrent.ts, the same code, WebAssembly fast path
 * and trace as Keras models), by writing the ONNX weights as the equivalent Keras layer:
 *   LSTM: ONNX gate blocks i, o, f, c → Keras i, f, c, o; kernel = Wᵀ, recurrent kernel = Rᵀ, bias = Wb + Rb.
 *   GRU:  z, r, h in both; linear_before_reset = 0 ≡ reset_after = False (bias Wb + Rb),
 *         linear_before_reset = 1 ≡ reset_after = True (bias [Wb; Rb], shape [2, 3H]).
 *   RNN:  ≡ SimpleRNN, bias = Wb + Rb.
 * The engine's cells have no peepholes, clip, input_forget, parameterised activations, or an LSTM whose g and h
 * differ: those directions run on the reference cells (reference.ts), which follow the ONNX equations literally.
 */
import { runRecurrent } from '../../../engine/recurrent';
import { blockOrder } from '../../../engine/cells/kinds';
import type { RecurrentLayer } from '../../../engine/model';
import { allocate, rounding, type FloatArray } from '../../../engine/tensor';
import { lengthMask, type DirectionJob, type DirectionResult } from './direction';
import { CELL_OF_OP, GATES } from './spec';


/** Whether the engine's built-in cell computes exactly this direction's equations. */
export function engineRuns(job: Pick<DirectionJob, 'spec' | 'acts' | 'P'>): boolean {
  const { spec, acts } = job;
  if (spec.clip !== undefined || spec.inputForget || job.P) return false;
  if (acts.some((a) => a.engineName === undefined)) return false;
  // Keras's LSTM uses one activation for the candidate and the output (ONNX g and h).
  return spec.kind !== 'LSTM' || acts[1]!.engineName === acts[2]!.engineName;
}

/** [rows, cols] row-major → its transpose with column blocks reordered to Keras's gate order. */
function kerasMatrix(m: FloatArray, cols: number, H: number, order: number[]): Float64Array {
  const width = order.length * H;
  const out = new Float64Array(cols * width);
  order.forEach((ob, kb) => {
    for (let j = 0; j < H; j++) {
      const row = (ob * H + j) * cols;
      for (let f = 0; f < cols; f++) out[f * width + kb * H + j] = m[row + f]!;
    }
  });
  return out;
}

function kerasBias(job: DirectionJob, order: number[], separate: boolean): Float64Array | null {
  const { Wb, Rb, hidden: H } = job;
  if (!Wb || !Rb) return null;
  const width = order.length * H;
  const out = new Float64Array(separate ? 2 * width : width);
  const round = rounding(job.dtype);
  order.forEach((ob, kb) => {
    for (let j = 0; j < H; j++) {
      const [w, r] = [Wb[ob * H + j]!, Rb[ob * H + j]!];
      if (separate) {
        out[kb * H + j] = w;
        out[width + kb * H + j] = r;
      } else out[kb * H + j] = round(w + r);
    }
  });
  return out;
}

export function runOnEngine(job: DirectionJob): DirectionResult {
  const { spec, hidden: H, features: F, batch, steps } = job;
  // Keras gate block k takes ONNX block order[k].
  const order = blockOrder(CELL_OF_OP[spec.kind], 'onnx', 'keras');
  const resetAfter = spec.kind === 'GRU' && spec.linearBeforeReset;
  const bias = kerasBias(job, order, resetAfter);
  const width = GATES[spec.kind] * H;
  const layer: RecurrentLayer = {
    kind: 'recurrent',
    name: job.layerName,
    cell: CELL_OF_OP[spec.kind],
    config: {
      units: H,
      activation: job.acts[spec.kind === 'RNN' ? 0 : 1]!.engineName!,
      recurrentActivation: job.acts[0]!.engineName!,
      useBias: bias !== null,
      returnSequences: true,
      returnState: false,
      goBackwards: job.reverse,
      stateful: false,
      resetAfter,
    },
    weights: {
      kernel: { shape: [F, width], data: kerasMatrix(job.W, F, H, order) },
      recurrentKernel: { shape: [H, width], data: kerasMatrix(job.R, H, H, order) },
      bias: bias ? { shape: resetAfter ? [2, width] : [width], data: bias } : null,
    },
  };
  const initial = job.initialH || job.initialC ? [job.initialH ?? allocate(batch * H, job.dtype), ...(spec.kind === 'LSTM' ? [job.initialC ?? allocate(batch * H, job.dtype)] : [])] : null;
  const r = runRecurrent(
    layer,
    { data: job.x, batch, steps, mask: lengthMask(job.lens, batch, steps) },
    {
      ctx: { precision: job.dtype, hardSigmoid: 'keras3' },
      record: job.record,
      initialStates: initial,
      layerIndex: job.layerIndex,
      layerName: job.layerName,
      direction: job.traceDirection,
      // Steps past a sequence's length output zeros, as ONNX's Y has them.
      zeroOutputForMask: true,
    },
  );
  return { sequence: job.reverse ? reverseSteps(r.sequence, batch, steps, H) : r.sequence, h: r.states[0]!, c: r.states[1] ?? null, trace: r.trace };
}

/** The engine writes a go_backwards sequence in processing order; ONNX's Y is in input time order. */
export function reverseSteps(seq: FloatArray, batch: number, steps: number, H: number): FloatArray {
  const out = seq.slice();
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < steps; s++) out.set(seq.subarray((b * steps + s) * H, (b * steps + s + 1) * H), (b * steps + steps - 1 - s) * H);
  }
  return out;
}
