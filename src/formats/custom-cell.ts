/**
 * `{"class_name": "CustomCell", "config": {...}, "weights": [{name, shape, data}, ...]}` in a keras-model-fixture/v1
 * file: a recurrent cell the user defines as expressions (see docs in schemas/cellscope-model.schema.json and
 * src/engine/custom/expr.ts for the grammar). Structure is read here; names, expressions and sizes are checked by
 * the engine's `defineCustomCell`, whose errors come back as LoadErrors at the expression with a caret line.
 */
import { CustomCellError, caretLines, defineCustomCell, type CustomCellSpec, type GateSpec } from '../engine/custom';
import type { RecurrentLayer } from '../engine/model';
import { shapeText, type Tensor } from '../engine/tensor';
import { child, fail, isObject, readArray, readBool, readObject, readPositiveInt, readString, type At } from './json-read';
import type { LayerEnv, LayerHeader } from './keras-layer-json';
import type { Converted, Flow } from './keras-recurrent';
import { describeValue } from './load-error';
import type { WeightCursor, WeightEntry } from './weights';

export const CUSTOM_CELL_CLASS = 'CustomCell';

function readStates(v: unknown, at: At): CustomCellSpec['states'] {
  return readArray(v, at, 'the list of state names, e.g. ["h", "c"]').map((s, i) => {
    const sAt = child(at, i);
    if (typeof s === 'string') return s;
    const o = readObject(s, sAt, 'a state name, or {"name": ..., "initial": number or list}');
    const name = readString(o.name, child(sAt, 'name'), 'the state name (a string)');
    if (o.initial === undefined) return { name };
    if (typeof o.initial === 'number') return { name, initial: o.initial };
    const list = readArray(o.initial, child(sAt, 'initial'), 'a number or a list of numbers (one per unit)');
    return { name, initial: list.map((x, j) => (typeof x === 'number' ? x : fail(child(sAt, 'initial', j), 'a number', describeValue(x)))) };
  });
}

function readGates(v: unknown, at: At): GateSpec[] {
  return readArray(v ?? [], at, 'the list of gates [{"name": ..., "expr": ...}] in order').map((g, i) => {
    const gAt = child(at, i);
    const o = readObject(g, gAt, 'a gate {"name": ..., "expr": ...}');
    const gate: GateSpec = { name: readString(o.name, child(gAt, 'name'), 'the gate name (a string)'), expr: readString(o.expr, child(gAt, 'expr'), 'the gate expression (a string)') };
    if (o.label !== undefined) gate.label = readString(o.label, child(gAt, 'label'));
    if (o.description !== undefined) gate.description = readString(o.description, child(gAt, 'description'));
    if (o.role !== undefined) {
      if (o.role !== 'gate' && o.role !== 'candidate') fail(child(gAt, 'role'), '"gate" or "candidate"', describeValue(o.role));
      gate.role = o.role;
    }
    return gate;
  });
}

function readUpdates(v: unknown, at: At): CustomCellSpec['updates'] {
  if (Array.isArray(v)) {
    return v.map((u, i) => {
      const uAt = child(at, i);
      const o = readObject(u, uAt, 'an update {"state": ..., "expr": ...}');
      return { state: readString(o.state, child(uAt, 'state'), 'the state name'), expr: readString(o.expr, child(uAt, 'expr'), 'the expression of the new value'), path: ['updates', i, 'expr'] };
    });
  }
  const o = readObject(v, at, 'the state updates {"state": "expression", ...} (applied in order)');
  return Object.entries(o).map(([state, expr]) => ({ state, expr: readString(expr, child(at, state), `the new value of state "${state}" (an expression string)`), path: ['updates', state] }));
}

function namedWeights(entries: readonly WeightEntry[], layer: string, file: string): { weights: Record<string, Tensor>; paths: Map<string, readonly (string | number)[]> } {
  // No prototype: a weight named `__proto__` (or `constructor`) is a name like any other.
  const weights = Object.create(null) as Record<string, Tensor>;
  const paths = new Map<string, readonly (string | number)[]>();
  for (const e of entries) {
    const at = { file, path: e.path };
    if (e.name === undefined) fail(at, `a "name" for each weight of custom cell "${layer}" (expressions use weights by name)`, 'a weight without a name');
    if (paths.has(e.name)) fail(child(at, 'name'), `a name used once in custom cell "${layer}"`, `a second weight named ${JSON.stringify(e.name)}`);
    weights[e.name] = e.tensor;
    paths.set(e.name, e.path);
  }
  return { weights, paths };
}

export function convertCustomCell(h: LayerHeader, flow: Flow, cursor: WeightCursor, env: LayerEnv): Converted<RecurrentLayer> {
  const c = h.config;
  const at = (key: string) => child(h.configAt, key);
  const units = readPositiveInt(c.units, at('units'), 'the number of units (a positive integer)');
  if (flow.dims && flow.dims.length !== 2) {
    fail(h.configAt, `a sequence input of shape (time steps, features) for CustomCell layer "${h.name}"`, `shape ${shapeText(flow.dims)} (${flow.from})`, {
      subject: `layer "${h.name}"`,
      hint: 'to stack recurrent layers the one before needs return_sequences=True',
    });
  }
  const features = flow.dims?.[1];
  if (features === null || features === undefined) {
    fail(h.configAt, `the number of input features for custom cell "${h.name}": an input_shape [time, features] (or batch_input_shape) in its config, or a layer before it`, 'none', {
      subject: `layer "${h.name}"`,
    });
  }
  const time = flow.dims?.[0] ?? null;
  const activations = Object.create(null) as Record<string, string>;
  if (c.activations !== undefined) {
    const o = readObject(c.activations, at('activations'), 'extra function names {"name": "activation", ...}');
    for (const [k, v] of Object.entries(o)) activations[k] = readString(v, child(at('activations'), k), 'an activation name such as "tanh"');
  }
  // The definition's structure first: a layer that merely shares the class name fails here, before taking weights.
  const states = readStates(c.states ?? ['h'], at('states'));
  const gates = readGates(c.gates, at('gates'));
  const updates = readUpdates(c.updates, at('updates'));
  const { weights, paths } = namedWeights(cursor.takeRest(), h.name, env.file);
  const spec: CustomCellSpec = {
    units,
    features,
    states,
    gates,
    updates,
    activations,
    weights,
    ...(c.output !== undefined ? { output: readString(c.output, at('output'), 'the name of the gate or state the cell outputs') } : {}),
  };
  let def;
  try {
    def = defineCustomCell(spec);
  } catch (e) {
    if (!(e instanceof CustomCellError)) throw e;
    const subject = `custom cell "${h.name}"`;
    if (e.weight !== undefined && paths.has(e.weight)) fail({ file: env.file, path: paths.get(e.weight)! }, e.message, undefined, { subject });
    const where = child(h.configAt, ...e.path);
    if (e.column !== undefined && e.expr !== undefined) {
      fail(where, `a valid expression: ${e.message}`, `column ${e.column}:\n    ${caretLines(e.expr, e.column).replace('\n', '\n    ')}`, {
        subject,
        hint: 'expressions use weights by name, x, the states, earlier gates; W @ v (W shaped [out, in]), concat(a, b) or [a, b], + - * /, numbers and activations such as sigmoid(...)',
      });
    }
    fail(where, e.message, undefined, { subject });
  }
  const returnSequences = readBool(c.return_sequences, at('return_sequences'), false);
  const layer: RecurrentLayer = {
    kind: 'recurrent',
    name: h.name,
    cell: 'custom',
    config: {
      units,
      activation: 'linear',
      recurrentActivation: 'linear',
      useBias: false,
      returnSequences,
      returnState: readBool(c.return_state, at('return_state'), false),
      goBackwards: readBool(c.go_backwards, at('go_backwards'), false),
      stateful: readBool(c.stateful, at('stateful'), false),
      resetAfter: false,
    },
    weights: { kernel: { shape: [features, 0], data: new Float64Array(0) }, recurrentKernel: { shape: [units, 0], data: new Float64Array(0) }, bias: null },
    custom: def,
  };
  return { layer, out: { dims: returnSequences ? [time, units] : [units], from: `the output of layer "${h.name}"` }, consumed: [time, features] };
}

/** True for a layer entry that is a custom cell. */
export function isCustomCellEntry(v: unknown): boolean {
  return isObject(v) && v.class_name === CUSTOM_CELL_CLASS;
}
