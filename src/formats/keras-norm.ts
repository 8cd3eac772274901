/** BatchNormalization (inference: moving statistics), LayerNormalization and UnitNormalization → engine layers. */
import type { Layer } from '../engine/model';
import { child, fail, readBool } from './json-read';
import { describeValue } from './load-error';
import { readNumber } from './keras-layer-args';
import type { LayerHeader } from './keras-layer-json';
import type { Converted, Flow } from './keras-recurrent';
import type { WeightCursor } from './weights';

function axisOf(h: LayerHeader, flow: Flow, fallback: number): number {
  const v = h.config.axis ?? fallback;
  const axis = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    fail(child(h.configAt, 'axis'), `one axis (an integer) for layer "${h.name}"`, describeValue(v), { subject: `layer "${h.name}"`, hint: 'normalizing over several axes at once is not supported' });
  }
  const rank = flow.dims ? flow.dims.length + 1 : null;
  if (rank !== null && (axis === 0 || axis < -rank || axis >= rank)) fail(child(h.configAt, 'axis'), `an axis of the input (rank ${rank} with the batch)`, String(axis), { subject: `layer "${h.name}"` });
  return axis;
}

/** Size of `axis` (counted with the batch axis) in the sample dims. */
function sizeAt(flow: Flow, axis: number): number | null {
  if (!flow.dims) return null;
  const rank = flow.dims.length + 1;
  return flow.dims[(axis < 0 ? rank + axis : axis) - 1] ?? null;
}

export function convertBatchNorm(h: LayerHeader, flow: Flow, weights: WeightCursor): Converted<Layer> {
  const axis = axisOf(h, flow, -1);
  const n = sizeAt(flow, axis);
  const because = `[${n ?? 'any number of'} channels on axis ${axis}]`;
  const take = (role: string) => weights.take({ layer: h.name, role, shape: [n], because });
  const gamma = readBool(h.config.scale, child(h.configAt, 'scale'), true) ? take('gamma') : null;
  const beta = readBool(h.config.center, child(h.configAt, 'center'), true) ? take('beta') : null;
  const movingMean = take('moving_mean');
  const movingVariance = take('moving_variance');
  const epsilon = readNumber(h, 'epsilon', 1e-3)!;
  return { layer: { kind: 'batch_norm', name: h.name, axis, epsilon, gamma, beta, movingMean, movingVariance }, out: { ...flow, from: `the output of layer "${h.name}"` }, consumed: flow.dims ?? [] };
}

export function convertLayerNorm(h: LayerHeader, flow: Flow, weights: WeightCursor): Converted<Layer> {
  const axis = axisOf(h, flow, -1);
  const rank = flow.dims ? flow.dims.length + 1 : null;
  if (axis !== -1 && (rank === null || axis !== rank - 1)) {
    fail(child(h.configAt, 'axis'), `axis -1 (the last) for LayerNormalization layer "${h.name}"`, String(axis), { subject: `layer "${h.name}"`, hint: 'only normalization over the last axis is supported' });
  }
  const n = sizeAt(flow, -1);
  const because = `[${n ?? 'any number of'} features]`;
  const rmsScaling = readBool(h.config.rms_scaling, child(h.configAt, 'rms_scaling'), false);
  const gamma = readBool(h.config.scale, child(h.configAt, 'scale'), true) ? weights.take({ layer: h.name, role: 'gamma', shape: [n], because }) : null;
  const beta = readBool(h.config.center, child(h.configAt, 'center'), true) && !rmsScaling ? weights.take({ layer: h.name, role: 'beta', shape: [n], because }) : null;
  const epsilon = readNumber(h, 'epsilon', 1e-3)!;
  return { layer: { kind: 'layer_norm', name: h.name, epsilon, gamma, beta, rmsScaling }, out: { ...flow, from: `the output of layer "${h.name}"` }, consumed: flow.dims ?? [] };
}

/** UnitNormalization(axis): an axis or a list of them, counted with the batch axis (which it cannot include). */
export function convertUnitNorm(h: LayerHeader, flow: Flow): Converted<Layer> {
  const v = h.config.axis ?? -1;
  const axes = typeof v === 'number' ? [v] : Array.isArray(v) ? v : null;
  const rank = flow.dims ? flow.dims.length + 1 : null;
  const ok = axes !== null && axes.length > 0 && axes.every((a) => typeof a === 'number' && Number.isInteger(a) && (rank === null || (a >= -rank && a < rank && (a < 0 ? rank + a : a) !== 0)));
  if (!ok) fail(child(h.configAt, 'axis'), `an axis or a list of axes other than the batch for UnitNormalization layer "${h.name}"${rank !== null ? ` (input rank ${rank} with the batch)` : ''}`, describeValue(v), { subject: `layer "${h.name}"` });
  return { layer: { kind: 'unit_norm', name: h.name, axes: axes as number[] }, out: { ...flow, from: `the output of layer "${h.name}"` }, consumed: flow.dims ?? [] };
}
