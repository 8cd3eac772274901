/**
 * The dynamics of a prediction, per recurrent layer direction: gradient flow ‖∂y/∂h_t‖ over time, the step
 * Jacobian's largest singular value, and the state trajectory by PCA. Pure functions the CLI and panel share.
 */
import { GATE_COUNT, recurrentLayersOf, stateNames, type Model } from '../../engine/model';
import type { Direction } from '../../engine/trace';
import { forwardRun, type ForwardOptions, type ModelInput } from '../backward';
import type { Target } from '../target';
import { gradientFlow } from './gradient-flow';
import { stepJacobianNorms } from './jacobian';
import { stateTrajectory, type Trajectory } from './trajectory';

export { gradientFlow, type LayerGradientFlow } from './gradient-flow';
export { largestSingularValue, stepJacobianNorms } from './jacobian';
export { stateTrajectory, type Trajectory } from './trajectory';

export interface LayerDynamics {
  layerIndex: number;
  layerName: string;
  direction: Direction;
  /** ‖∂y/∂state_t‖ per input time, per state (h; c for LSTM). */
  gradient: { name: string; norm: Float64Array }[];
  /** σ_max(∂s_t/∂s_{t−1}) per input time (NaN where skipped: long sequences of wide layers are sampled). */
  jacobian: Float64Array;
  jacobianStride: number;
  trajectory: Trajectory;
}

/** Multiply-adds spent on step Jacobians at most: wider layers and longer runs get every k-th step. */
const JACOBIAN_BUDGET = 4e8;

export function dynamicsOf(model: Model, input: ModelInput, options: ForwardOptions & { target: Target; components?: number }): LayerDynamics[] {
  const fr = forwardRun(model, input, options);
  const flows = gradientFlow(fr, options.target);
  const b = options.target.index[0]!;
  return recurrentLayersOf(model).map(({ layerIndex, direction, layer }) => {
    const lt = fr.trace.layers.find((t) => t.layerIndex === layerIndex && t.direction === direction)!;
    const flow = flows.find((f) => f.layerIndex === layerIndex && f.direction === direction);
    const n = stateNames(layer).length * layer.config.units;
    const perStep = n * n * Math.max(3, GATE_COUNT[layer.cell]) + 60 * 2 * n * n;
    const stride = Math.max(1, Math.ceil((perStep * lt.steps) / JACOBIAN_BUDGET));
    const given = fr.initialStates[model.layers[layerIndex]!.name];
    const half = given && model.layers[layerIndex]!.kind === 'bidirectional' ? given.length / 2 : 0;
    const initial = given ? (direction === 'forward' ? given.slice(0, half || given.length) : given.slice(half)).map((t) => Float64Array.from(t.data)) : null;
    const x = layer.cell === 'custom' ? layerInput(fr, layerIndex) : null;
    return {
      layerIndex,
      layerName: lt.layerName,
      direction,
      gradient: flow?.states ?? [],
      jacobian: stepJacobianNorms(layer, lt, b, fr.ctx, x, initial, stride),
      jacobianStride: stride,
      trajectory: stateTrajectory(lt, 'h', options.components ?? 2),
    };
  });
}

function layerInput(fr: ReturnType<typeof forwardRun>, layerIndex: number): Float64Array {
  const t = layerIndex === 0 ? fr.input : fr.run.layerOutputs[layerIndex - 1]!;
  return Float64Array.from(t.data);
}

/** Plain JSON (arrays, NaN as null) for the CLI. */
export function dynamicsJson(d: LayerDynamics[]): unknown {
  const arr = (a: Float64Array) => Array.from(a, (v) => (Number.isFinite(v) ? v : null));
  return d.map((l) => ({
    layer: l.layerName,
    direction: l.direction,
    gradient_norm: Object.fromEntries(l.gradient.map((g) => [g.name, arr(g.norm)])),
    jacobian_sigma_max: arr(l.jacobian),
    jacobian_stride: l.jacobianStride,
    trajectory: { state: l.trajectory.state, explained: l.trajectory.explained, shape: [l.trajectory.batch, l.trajectory.steps, l.trajectory.components], points: arr(l.trajectory.points) },
  }));
}
