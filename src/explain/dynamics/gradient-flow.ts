/**
 * Gradient flow: how strongly the target depends on each recurrent layer's state at each step, ‖∂y/∂h_t‖ (and
 * ‖∂y/∂c_t‖ for LSTM), from one backward pass watched at every step. Falling towards the start of the sequence is
 * the vanishing-gradient picture; growing, the exploding one. Steps are given in input time.
 */
import { CELL_KINDS } from '../../engine/cells/kinds';
import type { Direction, LayerTrace } from '../../engine/trace';
import { backward, type ForwardRun } from '../backward';
import { targetSeeds, type Target } from '../target';

export interface LayerGradientFlow {
  layerIndex: number;
  layerName: string;
  direction: Direction;
  /** Per state (h, then c for LSTM): ‖∂y/∂state_t‖ at each input time t of the target's batch item. */
  states: { name: string; norm: Float64Array }[];
}

export function gradientFlow(fr: ForwardRun, target: Target): LayerGradientFlow[] {
  const b = target.index[0]!;
  const flows = new Map<LayerTrace, LayerGradientFlow>();
  const byKey = new Map<string, LayerTrace>(fr.trace.layers.map((lt) => [`${lt.layerIndex}/${lt.direction}`, lt]));
  backward(fr, targetSeeds(fr.run.outputs, target), (layerIndex, direction, item, s, dStates) => {
    if (item !== b) return;
    const lt = byKey.get(`${layerIndex}/${direction}`)!;
    let f = flows.get(lt);
    if (!f) {
      const names = lt.cell === 'custom' ? lt.quantities.filter((q) => q.role === 'state').map((q) => q.key) : CELL_KINDS[lt.cell].states;
      f = { layerIndex, layerName: lt.layerName, direction, states: dStates.map((_, k) => ({ name: names[k] ?? `state ${k}`, norm: new Float64Array(lt.steps) })) };
      flows.set(lt, f);
    }
    const t = lt.inputTimeOfStep[s]!;
    dStates.forEach((d, k) => {
      let sum = 0;
      for (let j = 0; j < d.length; j++) sum += d[j]! * d[j]!;
      f!.states[k]!.norm[t] = Math.sqrt(sum);
    });
  });
  return fr.trace.layers.map((lt) => flows.get(lt)).filter((f): f is LayerGradientFlow => f !== undefined);
}
