/**
 * A custom cell as users define it (units, named states, named gates as expressions, state updates, the output),
 * checked once: every name resolves, every product and element-wise operation has matching sizes. The checked
 * definition is what a RecurrentLayer with `cell: 'custom'` carries; `compileCustomCell` turns it into a stepper.
 */
import { isActivationName } from '../activations';
import type { Tensor } from '../tensor';
import { ExprError, parseExpr, type BinaryOp, type ExprNode } from './expr';

/** The definition in plain values, as a loader or a test writes it. */
export interface CustomCellSpec {
  units: number;
  /** Input features per time step (the length of `x`). */
  features: number;
  /** Carried states in order, e.g. ['h', 'c']; initial values default to 0. */
  states: readonly (string | { name: string; initial?: number | readonly number[] })[];
  /** Computed in order at each step; a gate may use x, the states (their values before the step), earlier gates. */
  gates: readonly GateSpec[];
  /** Assigned in order after the gates; an update sees the new value of a state updated before it. */
  updates: readonly { state: string; expr: string; path?: readonly (string | number)[] }[];
  /** The gate or state the cell outputs; default `h` when there is a state `h`, else the first state. */
  output?: string;
  /** Extra function names, e.g. {"activation": "tanh", "recurrent_activation": "sigmoid"}, usable like `tanh(...)`. */
  activations?: Readonly<Record<string, string>>;
  /** By name: [out, in] matrices for `W @ v`, [n] vectors, [] scalars. */
  weights: Readonly<Record<string, Tensor>>;
}

export interface GateSpec {
  name: string;
  expr: string;
  label?: string;
  description?: string;
  /** `gate` (default) or `candidate`, for the charts' grouping. */
  role?: 'gate' | 'candidate';
}

export interface CustomGate {
  name: string;
  expr: string;
  tree: ExprNode;
  label: string;
  description: string;
  role: 'gate' | 'candidate';
}

/** A checked custom cell. */
export interface CustomCellDef {
  units: number;
  features: number;
  states: { name: string; initial: number[] | null }[];
  gates: CustomGate[];
  updates: { state: string; expr: string; tree: ExprNode }[];
  output: string;
  activations: Record<string, string>;
  weights: Record<string, Tensor>;
}

/** Where a definition is wrong: a path inside the definition (e.g. ['gates', 2, 'expr']) and the column if in an expr. */
export class CustomCellError extends Error {
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
    readonly column?: number,
    readonly expr?: string,
    /** Set when the problem is a weight array (its name). */
    readonly weight?: string,
  ) {
    super(message);
    this.name = 'CustomCellError';
  }
}

// ---- typed plan: what every expression computes, with sizes; shared by the checker and the compiler ----

/** A vector-valued computation (length n), or a constant. Scalars and matrices are always constants (weights, numbers). */
export type Plan =
  | { k: 'scalar'; value: number }
  | { k: 'matrix'; rows: number; cols: number; data: Float64Array }
  | VecPlan;

export type VecPlan =
  | { k: 'x'; n: number }
  | { k: 'state'; index: number; n: number }
  | { k: 'gate'; index: number; n: number }
  | { k: 'const'; n: number; data: Float64Array }
  | { k: 'neg'; n: number; a: VecPlan }
  | { k: 'bin'; n: number; o: '+' | '-' | '*' | '/'; a: VecPlan | number; b: VecPlan | number }
  | { k: 'matvec'; n: number; rows: number; cols: number; m: Float64Array; v: VecPlan }
  | { k: 'dot'; n: 1; a: VecPlan; b: VecPlan }
  | { k: 'act'; n: number; fn: string; a: VecPlan }
  | { k: 'concat'; n: number; parts: VecPlan[] };

/**
 * Every name lookup is a Map: names come from the user's file, and a plain object would answer `constructor`,
 * `toString` or `__proto__` with JavaScript's own built-ins.
 */
export interface Scope {
  features: number;
  /** States by name → index and length. */
  states: Map<string, number>;
  /** Gates visible here, by name → index. */
  gates: Map<string, number>;
  units: number;
  weights: ReadonlyMap<string, Tensor>;
  activations: ReadonlyMap<string, string>;
  /** A weight's plan, made on its first reference and shared by the others (one copy of W for 1,500 uses of W). */
  weightPlans: Map<string, Plan>;
  /** Told of every array planning allocates (weights, transposes, negated constants) before it is made; may throw. */
  spend?: (values: number, col: number) => void;
}

function what(p: Plan): string {
  if (p.k === 'scalar') return `a number (${p.value})`;
  if (p.k === 'matrix') return `a [${p.rows}, ${p.cols}] matrix`;
  return `a vector of ${p.n}`;
}

const SYMBOL: Record<BinaryOp, string> = { '+': 'add', '-': 'subtract', '*': 'multiply', '/': 'divide', '@': 'multiply (@)' };

function transpose(rows: number, cols: number, data: Float64Array): Float64Array {
  const t = new Float64Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = data[r * cols + c]!;
  return t;
}

function scalarOp(o: BinaryOp, a: number, b: number): number {
  return o === '+' ? a + b : o === '-' ? a - b : o === '*' ? a * b : a / b;
}

/** Types an expression tree in a scope; throws ExprError at the column of the first problem. */
export function planOf(node: ExprNode, scope: Scope): Plan {
  switch (node.op) {
    case 'num':
      return { k: 'scalar', value: node.value };
    case 'name': {
      const { name } = node;
      if (name === 'x') return { k: 'x', n: scope.features };
      const s = scope.states.get(name);
      if (s !== undefined) return { k: 'state', index: s, n: scope.units };
      const g = scope.gates.get(name);
      if (g !== undefined) return { k: 'gate', index: g, n: scope.units };
      const w = scope.weights.get(name);
      if (w) {
        const cached = scope.weightPlans.get(name);
        if (cached) return cached;
        if (w.shape.length > 2) throw new ExprError(`weight "${name}" has ${w.shape.length} axes [${w.shape.join(', ')}]; expressions use scalars, vectors and matrices`, node.col);
        scope.spend?.(w.data.length, node.col);
        const data = Float64Array.from(w.data);
        const plan: Plan =
          w.shape.length === 0 ? { k: 'scalar', value: data[0]! } : w.shape.length === 1 ? { k: 'const', n: w.shape[0]!, data } : { k: 'matrix', rows: w.shape[0]!, cols: w.shape[1]!, data };
        scope.weightPlans.set(name, plan);
        return plan;
      }
      throw new ExprError(`unknown name "${name}"; known here: ${known(scope)}`, node.col);
    }
    case 'neg': {
      const a = planOf(node.arg, scope);
      if (a.k === 'scalar') return { k: 'scalar', value: -a.value };
      if (a.k === 'matrix' || a.k === 'const') scope.spend?.(a.data.length, node.col);
      if (a.k === 'matrix') return { ...a, data: a.data.map((v) => -v) };
      if (a.k === 'const') return { ...a, data: a.data.map((v) => -v) };
      return { k: 'neg', n: a.n, a };
    }
    case 'transpose': {
      const a = planOf(node.arg, scope);
      if (a.k !== 'matrix') throw new ExprError(`.T transposes a weight matrix; this is ${what(a)}`, node.col);
      scope.spend?.(a.data.length, node.col);
      return { k: 'matrix', rows: a.cols, cols: a.rows, data: transpose(a.rows, a.cols, a.data) };
    }
    case 'bin': {
      const a = planOf(node.a, scope);
      const b = planOf(node.b, scope);
      const opCol = node.b.col;
      if (node.o === '@') return matmul(a, b, node, opCol, scope);
      if (a.k === 'matrix' || b.k === 'matrix') {
        throw new ExprError(`cannot ${SYMBOL[node.o]} ${what(a)} and ${what(b)} element-wise; a matrix is only used in a product W @ v`, node.col);
      }
      if (a.k === 'scalar' && b.k === 'scalar') return { k: 'scalar', value: scalarOp(node.o, a.value, b.value) };
      // Like numpy, a vector of 1 broadcasts against any length; other lengths must agree.
      if (a.k !== 'scalar' && b.k !== 'scalar' && a.n !== b.n && a.n !== 1 && b.n !== 1) {
        throw new ExprError(`cannot ${SYMBOL[node.o]} ${what(a)} and ${what(b)} element-wise: the lengths differ`, node.col);
      }
      const n = a.k === 'scalar' ? (b as VecPlan).n : b.k === 'scalar' ? a.n : Math.max(a.n, b.n);
      return { k: 'bin', n, o: node.o, a: a.k === 'scalar' ? a.value : a, b: b.k === 'scalar' ? b.value : b };
    }
    case 'concat': {
      const parts = node.args.map((arg) => {
        const p = planOf(arg, scope);
        if (p.k === 'scalar' || p.k === 'matrix') throw new ExprError(`concat joins vectors; this is ${what(p)}`, arg.col);
        return p;
      });
      return { k: 'concat', n: parts.reduce((s, p) => s + p.n, 0), parts };
    }
    case 'call': {
      const fn = scope.activations.get(node.fn) ?? (node.fn === 'identity' ? 'linear' : node.fn);
      if (!isActivationName(fn)) {
        const aliases = [...scope.activations.keys()];
        throw new ExprError(`unknown function "${node.fn}"; use concat(...) or an activation: ${[...aliases, 'identity', 'sigmoid', 'tanh', 'relu', '…'].join(', ')}`, node.fnCol);
      }
      if (node.args.length !== 1) throw new ExprError(`${node.fn}(...) takes one argument, got ${node.args.length}`, node.fnCol);
      const a = planOf(node.args[0]!, scope);
      if (a.k === 'scalar' || a.k === 'matrix') throw new ExprError(`${node.fn}(...) applies to a vector; this is ${what(a)}`, node.args[0]!.col);
      return { k: 'act', n: a.n, fn, a };
    }
  }
}

function matmul(a: Plan, b: Plan, node: ExprNode, opCol: number, scope: Scope): Plan {
  if (a.k === 'matrix' && b.k !== 'matrix' && b.k !== 'scalar') {
    if (a.cols !== b.n) {
      throw new ExprError(`W @ v needs v of length ${a.cols} (W is [${a.rows}, ${a.cols}] = [out, in]); v is ${what(b)}${a.rows === b.n ? ` — write W.T @ v to use W as [in, out]` : ''}`, opCol);
    }
    return { k: 'matvec', n: a.rows, rows: a.rows, cols: a.cols, m: a.data, v: b };
  }
  if (b.k === 'matrix' && a.k !== 'matrix' && a.k !== 'scalar') {
    // v @ M (numpy): Σ_k v[k]·M[k, j], the same sums as M.T @ v.
    if (b.rows !== a.n) throw new ExprError(`v @ M needs v of length ${b.rows} (M is [${b.rows}, ${b.cols}] = [in, out]); v is ${what(a)}`, node.col);
    scope.spend?.(b.data.length, node.col);
    return { k: 'matvec', n: b.cols, rows: b.cols, cols: b.rows, m: transpose(b.rows, b.cols, b.data), v: a };
  }
  if (a.k !== 'matrix' && a.k !== 'scalar' && b.k !== 'matrix' && b.k !== 'scalar') {
    if (a.n !== b.n) throw new ExprError(`u @ v (dot product) needs equal lengths; got ${what(a)} and ${what(b)}`, node.col);
    if (a.k === 'const') return { k: 'matvec', n: 1, rows: 1, cols: a.n, m: a.data, v: b };
    return { k: 'dot', n: 1, a, b };
  }
  throw new ExprError(`@ multiplies a matrix and a vector (W @ v or v @ W) or two vectors; got ${what(a)} @ ${what(b)}`, node.col);
}

function known(scope: Scope): string {
  return ['x', ...scope.states.keys(), ...scope.gates.keys(), ...scope.weights.keys()].map((n) => `"${n}"`).join(', ');
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['x', 'concat', 'inf', 'identity', 'T']);

/**
 * Values a cell may derive from its definition before anything runs: its states and gates (units each), one buffer
 * per expression node, the weights its expressions copy. A file of a few bytes can declare `units: 1e9` or use one
 * big weight 1,500 times; this is checked as the definition is read, before any of it is allocated.
 */
export const DEFAULT_CELL_BUDGET = 2 ** 26;

/** What a planned expression allocates when compiled: a buffer per node, plus the constants it copies. */
export function planElements(p: Plan): number {
  if (p.k === 'scalar') return 0;
  if (p.k === 'matrix') return p.data.length;
  switch (p.k) {
    case 'x':
    case 'state':
    case 'gate':
      return p.n;
    case 'const':
      return 2 * p.n;
    case 'neg':
    case 'act':
      return p.n + planElements(p.a);
    case 'bin':
      return p.n + (typeof p.a === 'number' ? 0 : planElements(p.a)) + (typeof p.b === 'number' ? 0 : planElements(p.b));
    case 'matvec':
      return p.n + p.m.length + planElements(p.v);
    case 'dot':
      return 1 + planElements(p.a) + planElements(p.b);
    case 'concat':
      return p.n + p.parts.reduce((s, q) => s + planElements(q), 0);
  }
}

/** A record without a prototype: a weight or function named `__proto__` is just a name in it. */
function nameRecord<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/**
 * Checks a spec and returns the definition a layer carries; throws CustomCellError. `budget` bounds the values the
 * cell derives (see DEFAULT_CELL_BUDGET); the refusal says how many it would need.
 */
export function defineCustomCell(spec: CustomCellSpec, budget = DEFAULT_CELL_BUDGET): CustomCellDef {
  const { units, features } = spec;
  let spent = 0;
  const spend = (values: number, path: (string | number)[], col?: number, expr?: string) => {
    spent += values;
    if (!(spent <= budget)) {
      throw new CustomCellError(
        `the cell would allocate more than ${budget} values (its budget of derived values: units × states and gates, a buffer per expression node, the weights its expressions copy); this needs at least ${spent}`,
        path,
        col,
        expr,
      );
    }
  };
  // units × (each state, its new value and initial value; each gate) before a single array is made.
  spend(units * (3 * spec.states.length + spec.gates.length), ['units']);
  const weightMap = new Map(Object.entries(spec.weights));
  const taken = new Map<string, string>();
  const claim = (name: string, as: string, path: (string | number)[], weight?: string) => {
    if (!IDENT.test(name)) throw new CustomCellError(`${as} name ${JSON.stringify(name)} is not a name expressions can use (letters, digits, _; not starting with a digit)`, path, undefined, undefined, weight);
    if (RESERVED.has(name)) throw new CustomCellError(`${as} name "${name}" is reserved (x is the input; concat, inf, identity, T are built in)`, path, undefined, undefined, weight);
    const before = taken.get(name);
    if (before) throw new CustomCellError(`${as} name "${name}" is already the name of ${before}`, path, undefined, undefined, weight);
    taken.set(name, `${as} "${name}"`);
  };

  for (const [name, t] of weightMap) {
    claim(name, 'weight', ['weights', name], name);
    if (t.shape.length > 2) throw new CustomCellError(`weight "${name}" has shape [${t.shape.join(', ')}]; custom cells use scalars [], vectors [n] and matrices [out, in]`, ['weights', name], undefined, undefined, name);
  }
  if (!spec.states.length) throw new CustomCellError('at least one state, e.g. ["h"]', ['states']);
  const states = spec.states.map((s, i) => {
    const name = typeof s === 'string' ? s : s.name;
    claim(name, 'state', ['states', i]);
    const init = typeof s === 'string' ? undefined : s.initial;
    let initial: number[] | null = null;
    if (typeof init === 'number') initial = init === 0 ? null : new Array(units).fill(init);
    else if (init) {
      if (init.length !== units) throw new CustomCellError(`initial value of state "${name}" has ${init.length} values; the cell has ${units} units`, ['states', i, 'initial']);
      initial = init.every((v) => v === 0) ? null : [...init];
    }
    return { name, initial };
  });
  const activations = new Map<string, string>();
  for (const [alias, fn] of Object.entries(spec.activations ?? {})) {
    if (!IDENT.test(alias)) throw new CustomCellError(`function name ${JSON.stringify(alias)} is not a name (letters, digits, _)`, ['activations', alias]);
    if (!isActivationName(fn) && fn !== 'identity') throw new CustomCellError(`"${fn}" is not an activation the engine knows`, ['activations', alias]);
    activations.set(alias, fn === 'identity' ? 'linear' : fn);
  }
  const used = new Set<string>();
  let current: { path: (string | number)[]; text: string } = { path: [], text: '' };
  const scope: Scope = {
    features,
    units,
    states: new Map(states.map((s, i) => [s.name, i])),
    gates: new Map(),
    weights: weightMap,
    activations,
    weightPlans: new Map(),
    spend: (values, col) => spend(values, current.path, col, current.text),
  };

  const check = (text: string, path: (string | number)[], what: string): ExprNode => {
    current = { path, text };
    try {
      const tree = parseExpr(text);
      const plan = planOf(tree, scope);
      spend(planElements(plan), path, 1, text);
      if (plan.k === 'scalar' || plan.k === 'matrix') throw new ExprError(`${what} must be a vector of ${units} (units); this expression is ${plan.k === 'scalar' ? 'a number' : 'a matrix'}`, 1);
      if (plan.n !== units) throw new ExprError(`${what} must be a vector of ${units} values (units), one per unit; this expression gives ${plan.n}`, 1);
      collectNames(tree, used);
      return tree;
    } catch (e) {
      if (e instanceof ExprError) throw new CustomCellError(e.message, path, e.column, text);
      throw e;
    }
  };

  const gates = spec.gates.map((g, i): CustomGate => {
    claim(g.name, 'gate', ['gates', i, 'name']);
    const tree = check(g.expr, ['gates', i, 'expr'], `gate "${g.name}"`);
    scope.gates.set(g.name, i);
    return { name: g.name, expr: g.expr, tree, label: g.label ?? g.name, description: g.description ?? `gate ${g.name} = ${g.expr}`, role: g.role ?? 'gate' };
  });
  const updated = new Set<string>();
  const updates = spec.updates.map((u, i) => {
    const path = [...(u.path ?? ['updates', i])];
    if (!scope.states.has(u.state)) throw new CustomCellError(`"${u.state}" is not a state; states: ${states.map((s) => s.name).join(', ')}`, path);
    if (updated.has(u.state)) throw new CustomCellError(`state "${u.state}" is updated twice`, path);
    updated.add(u.state);
    return { state: u.state, expr: u.expr, tree: check(u.expr, path, `the new value of state "${u.state}"`) };
  });
  if (!updates.length) throw new CustomCellError('at least one state update, e.g. {"h": "tanh(W @ x + U @ h + b)"}', ['updates']);
  const output = spec.output ?? (scope.states.has('h') ? 'h' : states[0]!.name);
  if (!scope.states.has(output) && !scope.gates.has(output)) {
    throw new CustomCellError(`output "${output}" is neither a gate nor a state; gates: ${gates.map((g) => g.name).join(', ') || 'none'}; states: ${states.map((s) => s.name).join(', ')}`, ['output']);
  }
  for (const name of weightMap.keys()) {
    if (!used.has(name)) throw new CustomCellError(`weight "${name}" is used by no expression`, ['weights', name], undefined, undefined, name);
  }
  return { units, features, states, gates, updates, output, activations: nameRecord(activations), weights: nameRecord(weightMap) };
}

function collectNames(node: ExprNode, into: Set<string>): void {
  switch (node.op) {
    case 'name':
      into.add(node.name);
      return;
    case 'neg':
    case 'transpose':
      collectNames(node.arg, into);
      return;
    case 'bin':
      collectNames(node.a, into);
      collectNames(node.b, into);
      return;
    case 'call':
    case 'concat':
      node.args.forEach((a) => collectNames(a, into));
      return;
    case 'num':
      return;
  }
}

/** Each definition's weight plans, shared by every scope the compiler makes for it. */
const weightPlansOf = new WeakMap<CustomCellDef, Map<string, Plan>>();

/** Scope for compiling: every gate visible (the compiler plans gate i with only gates < i, as the checker did). */
export function scopeFor(def: CustomCellDef, gatesVisible: number): Scope {
  let weightPlans = weightPlansOf.get(def);
  if (!weightPlans) weightPlansOf.set(def, (weightPlans = new Map()));
  return {
    features: def.features,
    units: def.units,
    states: new Map(def.states.map((s, i) => [s.name, i])),
    gates: new Map(def.gates.slice(0, gatesVisible).map((g, i) => [g.name, i])),
    weights: new Map(Object.entries(def.weights)),
    activations: new Map(Object.entries(def.activations)),
    weightPlans,
  };
}

/** Parameter count: every weight value. */
export function customParams(def: CustomCellDef): number {
  return Object.values(def.weights).reduce((s, t) => s + t.data.length, 0);
}
