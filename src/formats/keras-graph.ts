/**
 * A Keras functional config's layer graph (`inbound_nodes`) → the calls Cellscope runs, in an order where every
 * call comes after what it reads. Reads every form the writers use:
 *
 * - Keras 2 and TF.js: a node is a list of `[layer_name, node_index, tensor_index, kwargs]`; tensors in kwargs are
 *   `[layer_name, node_index, tensor_index]` lists (Keras 2 puts `initial_state` tensors after the input instead).
 * - Keras 3: `{"args": [...], "kwargs": {...}}` holding `__keras_tensor__` objects whose `keras_history` is
 *   `[layer_name, node_index, tensor_index]`; `mask=` and `initial_state=` are kwargs.
 *
 * Nested Sequential / functional models are inlined, once per call, their layers kept once (shared weights). A layer
 * listed with several inbound nodes is called several times. TimeDistributed around a model (a sentence encoder in a
 * document model) becomes what Keras computes: the time axis folded into the batch, the model inlined, unfolded. A cycle or a reference to a missing layer, node or
 * tensor is a LoadError at that node.
 */
import { describeValue } from './load-error';
import { child, fail, isObject, readArray, readObject, type At } from './json-read';
import { kerasSnakeCase } from './keras-names';

/** A tensor while planning: a model input, or output `output` of call `call`. */
export type PlanRef = { input: number } | { call: number; output: number };

export interface GraphEntry {
  json: unknown;
  at: At;
  name: string;
  className: string;
  /** Keras 3 weight group path below `layers/`: `lstm`, or `sequential/layers/lstm` inside a nested model. */
  savedAs: string;
  /** The top-level layer of the legacy .h5 that holds its weights (the nested model's name for its layers). */
  topName: string;
  /**
   * One half of a TimeDistributed around a model: `fold` makes [b, t, …] into [b·t, …] for the inlined model,
   * `unfold` (named as the TimeDistributed layer) makes its output [b, t, …] again. They hold no weights.
   */
  timeFold?: 'fold' | 'unfold';
}

export interface PlannedCall {
  entry: number;
  /** Positional tensors, flattened (Concatenate's list, NotEqual's x). */
  args: PlanRef[];
  /** Positional arguments that are not tensors (NotEqual's 0). */
  constants: unknown[];
  /** The first positional argument is a number and a tensor follows (`1 - x` → Subtract(1, x)). */
  leadingConstant?: boolean;
  /** Keras 3: the positional arguments as written (GetItem's key keeps its structure there). */
  rawArgs?: unknown[];
  /** `mask=` as given (flattened); undefined when the call names none. */
  mask?: (PlanRef | null)[];
  initialState?: PlanRef[];
  /** Other keyword arguments, as written (Any's axis). */
  kwargs: Record<string, unknown>;
  at: At;
}

export interface ResolvedGraph {
  entries: GraphEntry[];
  calls: PlannedCall[];
  inputs: { name: string; entry: number }[];
  outputs: PlanRef[];
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

interface RawRef {
  layer: string;
  node: number;
  tensor: number;
}

/** A Keras 2 / TF.js `[name, node, tensor]` (the kwargs slot may follow). */
function listRef(v: unknown): RawRef | undefined {
  if (!Array.isArray(v) || v.length < 3 || typeof v[0] !== 'string' || typeof v[1] !== 'number' || typeof v[2] !== 'number') return undefined;
  return { layer: v[0], node: v[1], tensor: v[2] };
}

function kerasTensorRef(v: unknown): RawRef | undefined {
  if (!isObject(v) || v.class_name !== '__keras_tensor__' || !isObject(v.config) || !Array.isArray(v.config.keras_history)) return undefined;
  const [layer, node, tensor] = v.config.keras_history;
  return typeof layer === 'string' ? { layer, node: typeof node === 'number' ? node : 0, tensor: typeof tensor === 'number' ? tensor : 0 } : undefined;
}

/** Tensors (in order) and other values of a Keras 3 argument structure. */
function flattenArgs(v: unknown, refs: RawRef[], constants: unknown[], depth = 0): void {
  if (depth > 6) return;
  const r = kerasTensorRef(v);
  if (r) refs.push(r);
  else if (Array.isArray(v)) for (const x of v) flattenArgs(x, refs, constants, depth + 1);
  else constants.push(v);
}

function tensorsIn(v: unknown, keras2: boolean): RawRef[] | null {
  if (v === null || v === undefined) return null;
  const out: RawRef[] = [];
  const walk = (x: unknown, depth: number) => {
    if (depth > 6) return;
    const r = keras2 ? listRef(x) : kerasTensorRef(x);
    if (r) out.push(r);
    else if (Array.isArray(x)) for (const y of x) walk(y, depth + 1);
  };
  walk(v, 0);
  return out;
}

interface RawNode {
  args: RawRef[];
  constants: unknown[];
  leadingConstant?: boolean;
  rawArgs?: unknown[];
  mask?: (RawRef | null)[];
  initialState?: RawRef[];
  kwargs: Record<string, unknown>;
  at: At;
}

function readNode(node: unknown, at: At, className: string): RawNode {
  if (Array.isArray(node)) {
    // Keras 2 / TF.js: every inbound tensor is one entry; its 4th item holds that call's kwargs.
    const args: RawRef[] = [];
    let kwargs: Record<string, unknown> = {};
    node.forEach((t, i) => {
      const r = listRef(t);
      if (!r) fail(child(at, i), '[layer_name, node_index, tensor_index, kwargs]', describeValue(t));
      args.push(r);
      if (Array.isArray(t) && isObject(t[3])) kwargs = { ...kwargs, ...t[3] };
    });
    const out: RawNode = { args, constants: [], kwargs, at };
    const mask = tensorsIn(kwargs.mask, true);
    if (mask) out.mask = mask;
    const init = tensorsIn(kwargs.initial_state, true);
    if (init) out.initialState = init;
    // Keras 2's RNN.__call__ appends initial_state tensors to the inputs of the node.
    else if (RECURRENT.has(className) && args.length > 1) out.initialState = args.splice(1);
    return out;
  }
  const obj = readObject(node, at, 'an inbound node: {"args": [...], "kwargs": {...}} or a list of [layer_name, node_index, tensor_index, kwargs]');
  const args: RawRef[] = [];
  const constants: unknown[] = [];
  flattenArgs(obj.args ?? [], args, constants);
  const kwargs = isObject(obj.kwargs) ? { ...obj.kwargs } : {};
  const out: RawNode = { args, constants, kwargs, at };
  const first = Array.isArray(obj.args) ? obj.args[0] : undefined;
  if (typeof first === 'number' && args.length) out.leadingConstant = true;
  if (Array.isArray(obj.args)) out.rawArgs = obj.args;
  if ('mask' in kwargs) {
    const m = kwargs.mask;
    const refs: (RawRef | null)[] = [];
    if (Array.isArray(m)) for (const x of m) refs.push(kerasTensorRef(x) ?? null);
    else if (m !== null) refs.push(kerasTensorRef(m) ?? null);
    out.mask = refs;
  }
  const init = tensorsIn(kwargs.initial_state, false);
  if (init) out.initialState = init;
  // Tensors given by keyword (MultiHeadAttention's query=, value=, key=) join the positional ones in that order.
  for (const key of ['query', 'value', 'key']) {
    const t = tensorsIn(kwargs[key], false);
    if (t) args.push(...t);
    delete kwargs[key];
  }
  // MultiHeadAttention takes one mask per input by name.
  const named = ['query_mask', 'value_mask', 'key_mask'];
  if (!out.mask && named.some((k) => kwargs[k] !== undefined)) {
    out.mask = named.slice(0, args.length).map((k) => kerasTensorRef(kwargs[k]) ?? null);
  }
  for (const k of named) delete kwargs[k];
  delete kwargs.mask;
  delete kwargs.initial_state;
  return out;
}

const RECURRENT = new Set(['SimpleRNN', 'LSTM', 'GRU', 'Bidirectional', 'RNN']);

function layerName(obj: Record<string, unknown>, i: number): string {
  const cfg = isObject(obj.config) ? obj.config : {};
  return typeof obj.name === 'string' ? obj.name : typeof cfg.name === 'string' ? cfg.name : `layer_${i}`;
}

/**
 * A model's inputs or outputs: `[["in", 0, 0], …]`, Keras 3's unwrapped `["in", 0, 0]` for a single tensor, a dict
 * `{"a": [...], "b": [...]}` (a model built on dicts; Keras flattens them in sorted key order) or nested lists (a
 * stacked cell's states). Flattened, each with where it is written.
 */
function endpoints(v: unknown, where: At): { ref: RawRef; at: At }[] {
  if (v === undefined) return [];
  const out: { ref: RawRef; at: At }[] = [];
  const walk = (x: unknown, at: At, depth: number) => {
    if (depth > 6) fail(at, 'a [layer_name, node_index, tensor_index] within 6 levels of nesting', 'deeper nesting');
    if (isObject(x)) {
      for (const key of Object.keys(x).sort()) walk(x[key], child(at, key), depth + 1);
      return;
    }
    const list = readArray(x, at, 'a list of [layer_name, node_index, tensor_index]');
    if (typeof list[0] === 'string') {
      out.push({ ref: { layer: list[0], node: typeof list[1] === 'number' ? list[1] : 0, tensor: typeof list[2] === 'number' ? list[2] : 0 }, at });
      return;
    }
    if (depth > 0 && !Array.isArray(list[0]) && !isObject(list[0])) fail(child(at, 0), 'a layer name', describeValue(list[0]));
    list.forEach((e, i) => walk(e, child(at, i), depth + 1));
  };
  walk(v, where, 0);
  return out;
}

/** One model config (the top one or a nested one) with its layers read. */
interface ModelScope {
  className: string;
  configAt: At;
  config: Record<string, unknown>;
  layers: { obj: Record<string, unknown>; at: At; name: string; className: string; savedAs: string }[];
  byName: Map<string, number>;
  /** Prefix of savedAs paths: '' at the top, `sequential/layers/` inside. */
  prefix: string;
  topName: string | null;
}

function readScope(modelJson: Record<string, unknown>, at: At, prefix: string, topName: string | null): ModelScope {
  const className = typeof modelJson.class_name === 'string' ? modelJson.class_name : 'Functional';
  const configAt = child(at, 'config');
  const config = Array.isArray(modelJson.config) ? { layers: modelJson.config } : readObject(modelJson.config, configAt, 'the model config (an object)');
  const layersAt = Array.isArray(modelJson.config) ? configAt : child(configAt, 'layers');
  const list = readArray(config.layers, layersAt, 'the list of layers');
  if (list.length === 0) fail(layersAt, 'at least one layer', 'an empty list');
  const counters = new Map<string, number>();
  const byName = new Map<string, number>();
  const layers = list.map((entry, i) => {
    const lat = child(layersAt, i);
    const obj = readObject(entry, lat, 'a layer entry');
    const cls = typeof obj.class_name === 'string' ? obj.class_name : '';
    const name = layerName(obj, i);
    if (byName.has(name) && className !== 'Sequential') fail(child(lat, 'name'), 'a layer name used once in the model', `a second layer named "${name}"`);
    byName.set(name, i);
    const snake = kerasSnakeCase(cls);
    const seen = counters.get(snake);
    counters.set(snake, seen === undefined ? 0 : seen + 1);
    return { obj, at: lat, name, className: cls, savedAs: seen === undefined ? snake : `${snake}_${seen + 1}` };
  });
  return { className, configAt, config, layers, byName, prefix, topName };
}

/** Whether a config needs the graph reader: functional, or a Sequential holding a model. */
export function needsGraph(modelJson: unknown): boolean {
  if (!isObject(modelJson)) return false;
  if (modelJson.class_name !== 'Sequential') return true;
  const cfg = Array.isArray(modelJson.config) ? { layers: modelJson.config } : modelJson.config;
  return isObject(cfg) && Array.isArray(cfg.layers) && cfg.layers.some((l) => isObject(l) && (isModelClass(l.class_name) || timeDistributedModel(l) !== undefined));
}

export function isModelClass(className: unknown): boolean {
  return typeof className === 'string' && MODEL_CLASSES.has(className);
}

/** The model a TimeDistributed layer entry wraps, when it wraps a model rather than a layer. */
function timeDistributedModel(obj: Record<string, unknown>): Record<string, unknown> | undefined {
  const inner = obj.class_name === 'TimeDistributed' && isObject(obj.config) ? obj.config.layer : undefined;
  return isObject(inner) && isModelClass(inner.class_name) ? inner : undefined;
}

export function resolveGraph(modelJson: unknown, where: At): ResolvedGraph {
  const root = readObject(modelJson, where, 'a Keras model config');
  const entries: GraphEntry[] = [];
  const entryOf = new Map<object, number>();
  /** A TimeDistributed-around-a-model layer's fold and unfold entries (kept once, like a shared layer's). */
  const foldEntriesOf = new Map<object, { fold: number; unfold: number }>();
  const calls: PlannedCall[] = [];
  const top = readScope(root, where, '', null);

  const entryIndex = (scope: ModelScope, i: number): number => {
    const l = scope.layers[i]!;
    let e = entryOf.get(l.obj);
    if (e === undefined) {
      e = entries.length;
      entries.push({ json: l.obj, at: l.at, name: l.name, className: l.className, savedAs: scope.prefix + l.savedAs, topName: scope.topName ?? l.name });
      entryOf.set(l.obj, e);
    }
    return e;
  };

  /** One call of TimeDistributed(model): fold, the model inlined on the folded tensor, unfold. Returns the unfolded output. */
  const timeDistributed = (scope: ModelScope, i: number, inner: Record<string, unknown>, args: PlanRef[], at: At): PlanRef => {
    const l = scope.layers[i]!;
    if (args.length !== 1) fail(at, `one input tensor for TimeDistributed layer "${l.name}"`, `${args.length}`);
    const half = (timeFold: 'fold' | 'unfold', name: string) =>
      entries.push({ json: l.obj, at: l.at, name, className: l.className, savedAs: scope.prefix + l.savedAs, topName: scope.topName ?? l.name, timeFold }) - 1;
    let e = foldEntriesOf.get(l.obj);
    if (!e) foldEntriesOf.set(l.obj, (e = { fold: half('fold', `${l.name}_fold`), unfold: -1 }));
    calls.push({ entry: e.fold, args: [args[0]!], constants: [], kwargs: {}, at });
    const innerAt = child(l.at, 'config', 'layer');
    const nested = readScope(inner, innerAt, `${scope.prefix}${l.savedAs}/layer/layers/`, scope.topName ?? l.name);
    const outs = instantiate(nested, [{ call: calls.length - 1, output: 0 }], at);
    if (outs.length !== 1) fail(innerAt, `a model with one output inside TimeDistributed layer "${l.name}"`, `${outs.length} outputs`);
    // The unfold entry comes after the inner model's layers, so the layer list reads in run order.
    if (e.unfold < 0) e.unfold = half('unfold', l.name);
    calls.push({ entry: e.unfold, args: [outs[0]!, args[0]!], constants: [], kwargs: {}, at });
    return { call: calls.length - 1, output: 0 };
  };

  /**
   * Instantiates one call of a model scope: `args` bind its inputs (null at the top: the model's own inputs).
   * Returns the scope's outputs.
   */
  const instantiate = (scope: ModelScope, args: PlanRef[] | null, callAt: At): PlanRef[] => {
    if (scope.className === 'Sequential') return instantiateSequential(scope, args, callAt);
    /** Per `layer/node`: the call made for it, or a nested model call's outputs. */
    const memo = new Map<string, { call: number } | { outs: PlanRef[] } | 'visiting'>();
    const inputNames = endpoints(scope.config.input_layers, child(scope.configAt, 'input_layers')).map((e) => e.ref.layer);
    if (!inputNames.length) scope.layers.forEach((l) => l.className === 'InputLayer' && inputNames.push(l.name));
    if (args && args.length !== inputNames.length) {
      fail(callAt, `${inputNames.length} input tensor(s) for the nested model (its inputs: ${inputNames.map((n) => `"${n}"`).join(', ')})`, `${args.length}`);
    }
    // At the top, each InputLayer is a pass-through call on a model input (so the layer list reads as Keras's).
    const topInputs: PlanRef[] = [];
    if (!args) {
      inputNames.forEach((name, k) => {
        const i = scope.byName.get(name);
        if (i === undefined) fail(child(scope.configAt, 'input_layers', k), 'an input layer of this model', `unknown layer "${name}"`);
        calls.push({ entry: entryIndex(scope, i), args: [{ input: k }], constants: [], kwargs: {}, at: scope.layers[i]!.at });
        topInputs.push({ call: calls.length - 1, output: 0 });
      });
    }

    const resolve = (r: RawRef, at: At): PlanRef => {
      const i = scope.byName.get(r.layer);
      if (i === undefined) fail(at, 'a reference to a layer of this model', `a reference to unknown layer "${r.layer}"`, { hint: 'the config was edited or is damaged: every inbound tensor must name a layer listed in the model' });
      const l = scope.layers[i]!;
      if (l.className === 'InputLayer') {
        const k = inputNames.indexOf(l.name);
        if (k < 0) fail(at, 'one of the model\'s inputs (input_layers)', `input layer "${l.name}", which input_layers does not list`);
        return args ? args[k]! : topInputs[k]!;
      }
      const m = make(i, r.node, at);
      if ('call' in m) return { call: m.call, output: r.tensor };
      const t = m.outs[r.tensor];
      if (!t) fail(at, `output ${r.tensor} of nested model "${l.name}" (it has ${m.outs.length})`, `tensor index ${r.tensor}`);
      return t;
    };

    const make = (i: number, node: number, at: At): { call: number } | { outs: PlanRef[] } => {
      const l = scope.layers[i]!;
      const key = `${l.name}/${node}`;
      const known = memo.get(key);
      if (known === 'visiting') fail(at, 'an acyclic layer graph', `a cycle: node ${node} of layer "${l.name}" depends on its own output`, { hint: 'the config was edited or is damaged' });
      if (known) return known;
      const nodesAt = child(l.at, 'inbound_nodes');
      const nodes = l.obj.inbound_nodes === undefined ? [] : readArray(l.obj.inbound_nodes, nodesAt);
      if (!Number.isInteger(node) || node < 0 || node >= nodes.length) {
        fail(at, `a call of layer "${l.name}" (it has ${nodes.length} inbound node${nodes.length === 1 ? '' : 's'})`, `node index ${node}`, { hint: 'the config was edited or is damaged' });
      }
      memo.set(key, 'visiting');
      const raw = readNode(nodes[node], child(nodesAt, node), l.className);
      const ref = (r: RawRef, k: number, what: string) => resolve(r, child(raw.at, what, k));
      const argRefs = raw.args.map((r, k) => ref(r, k, 'args'));
      let made: { call: number } | { outs: PlanRef[] };
      const tdModel = timeDistributedModel(l.obj);
      if (isModelClass(l.className)) {
        const nested = readScope(l.obj, l.at, `${scope.prefix}${l.savedAs}/layers/`, scope.topName ?? l.name);
        made = { outs: instantiate(nested, argRefs, raw.at) };
      } else if (tdModel) {
        made = { outs: [timeDistributed(scope, i, tdModel, argRefs, raw.at)] };
      } else {
        const call: PlannedCall = { entry: -1, args: argRefs, constants: raw.constants, kwargs: raw.kwargs, at: raw.at, ...(raw.leadingConstant ? { leadingConstant: true } : {}), ...(raw.rawArgs ? { rawArgs: raw.rawArgs } : {}) };
        if (raw.mask) call.mask = raw.mask.map((r, k) => (r ? ref(r, k, 'mask') : null));
        if (raw.initialState) call.initialState = raw.initialState.map((r, k) => ref(r, k, 'initial_state'));
        call.entry = entryIndex(scope, i);
        calls.push(call);
        made = { call: calls.length - 1 };
      }
      memo.set(key, made);
      return made;
    };

    // Every call of every layer, in the config's order (Keras lists layers in a topological order, which is also the
    // order of their weights), so a branch no output needs still takes its weights.
    scope.layers.forEach((l, i) => {
      if (l.className === 'InputLayer') return;
      const n = Array.isArray(l.obj.inbound_nodes) ? l.obj.inbound_nodes.length : 0;
      if (n === 0) {
        fail(child(l.at, 'inbound_nodes'), `the calls of layer "${l.name}" (a functional model lists where each layer reads from)`, 'no inbound nodes', { subject: `layer "${l.name}"` });
      }
      for (let k = 0; k < n; k++) make(i, k, child(l.at, 'inbound_nodes', k));
    });
    const outs = endpoints(scope.config.output_layers, child(scope.configAt, 'output_layers'));
    if (!outs.length) fail(child(scope.configAt, 'output_layers'), 'the model\'s outputs (output_layers)', 'none');
    return outs.map((e) => resolve(e.ref, e.at));
  };

  /** A Sequential: each layer reads the one before; its InputLayer (if any) binds the argument. */
  const instantiateSequential = (scope: ModelScope, args: PlanRef[] | null, callAt: At): PlanRef[] => {
    if (args && args.length !== 1) fail(callAt, 'one input tensor for a nested Sequential', `${args.length}`);
    let current: PlanRef = args ? args[0]! : { input: 0 };
    scope.layers.forEach((l, i) => {
      if (args && l.className === 'InputLayer') return;
      if (isModelClass(l.className)) {
        const nested = readScope(l.obj, l.at, `${scope.prefix}${l.savedAs}/layers/`, scope.topName ?? l.name);
        const outs = instantiate(nested, [current], l.at);
        current = outs[0]!;
        return;
      }
      const tdModel = timeDistributedModel(l.obj);
      if (tdModel) {
        current = timeDistributed(scope, i, tdModel, [current], l.at);
        return;
      }
      calls.push({ entry: entryIndex(scope, i), args: [current], constants: [], kwargs: {}, at: l.at });
      current = { call: calls.length - 1, output: 0 };
    });
    return [current];
  };

  const outputs = instantiate(top, null, where);
  const inputs =
    top.className === 'Sequential'
      ? [{ name: 'input', entry: -1 }]
      : calls.filter((c) => c.args.length === 1 && 'input' in c.args[0]!).map((c) => ({ name: entries[c.entry]!.name, entry: c.entry }));
  return { entries, calls, inputs, outputs };
}
