/**
 * A recurrent layer call backwards: the gradient of its output (the sequence, or the last processed step without
 * return_sequences) and of its returned states becomes BPTT's seed (recurrent.ts).
 */
import { stateNames, type RecurrentLayer } from '../../engine/model';
import { atInputShape } from '../../engine/recurrent-shape';
import { allocate, type FloatArray, type Tensor } from '../../engine/tensor';
import type { Direction } from '../../engine/trace';
import { lrpCell } from '../lrp/cells';
import { directionBackward } from '../recurrent';
import { traceOf, type LayerCall } from './layer';

export function stateCount(layer: RecurrentLayer): number {
  return stateNames(layer).length;
}

/** The states a direction starts from, as the engine's session chooses them: given, a custom cell's own, or zeros (null). */
export function startStates(layer: RecurrentLayer, given: Tensor[] | undefined, batch: number): FloatArray[] | null {
  if (given) return given.map((t) => t.data);
  const states = layer.custom?.states;
  if (!states || states.every((s) => s.initial === null)) return null;
  const u = layer.config.units;
  return states.map((s) => {
    const a = allocate(batch * u, 'float64');
    if (s.initial) for (let b = 0; b < batch; b++) a.set(s.initial, b * u);
    return a;
  });
}

/** ∂y/∂(the sequence in processing order) from ∂y/∂(the layer's output): all steps, or only the last. */
export function sequenceGrad(layer: RecurrentLayer, d: Float64Array | null, batch: number, steps: number): Float64Array | null {
  if (!d || layer.config.returnSequences) return d;
  const u = layer.config.units;
  const seq = new Float64Array(batch * steps * u);
  for (let b = 0; b < batch; b++) seq.set(d.subarray(b * u, (b + 1) * u), (b * steps + steps - 1) * u);
  return seq;
}

/** One direction's BPTT for a layer (a plain recurrent layer, or one half of a Bidirectional). */
export function runDirectionBackward(
  call: LayerCall,
  layer: RecurrentLayer,
  direction: Direction,
  dOut: Float64Array | null,
  dStates: (Float64Array | null)[],
  initial: Tensor[] | undefined,
  zeroOutputForMask: boolean,
): Float64Array {
  const [batch, steps] = call.inputShape as [number, number];
  const lt = traceOf(call, direction);
  const watch = call.watch;
  // A ConvLSTM runs as its view at this input's frame size (units = output positions × filters), as the session ran it.
  const cellLayer = layer.conv ? atInputShape(layer, call.input()).layer : layer;
  const r = directionBackward(
    {
      layer: cellLayer,
      trace: lt,
      x: () => call.input().data,
      initial: startStates(layer, initial, batch),
      dSeq: sequenceGrad(cellLayer, dOut, batch, steps),
      dFinal: dStates,
      zeroOutputForMask,
      ...(watch ? { onStep: (b: number, s: number, d: readonly Float64Array[]) => watch(call.layerIndex, direction, b, s, d) } : {}),
    },
    call.ctx,
    call.lrp ? lrpCell(cellLayer, call.ctx, call.lrp) : undefined,
  );
  call.onInitial?.(r.dInitial);
  return r.dx;
}

export function recurrentBackward(call: LayerCall & { layer: RecurrentLayer }): Float64Array {
  const layer = call.layer;
  const n = stateCount(layer);
  const dStates = Array.from({ length: n }, (_, k) => (layer.config.returnState ? call.dOutputs[1 + k] ?? null : null));
  return runDirectionBackward(call, layer, 'forward', call.dOutputs[0] ?? null, dStates, call.initialStates, false);
}
