/**
 * A custom cell backwards: reverse-mode differentiation of its expression plans (src/engine/custom/define.ts).
 * Each step re-evaluates the gates and state updates in float64 from the states before the step and the step's x,
 * keeping every node's value (a small tape), then walks the updates and gates in reverse order:
 *   an update of state s takes the gradient of s's new value (s's gradient before it is then 0, since an update
 *   replaces the value) and hands it to the nodes it read; a gate takes the gradient the later gates, the updates
 *   and the output gave it. Leaves: x → dx, a state → that state's gradient, an earlier gate → that gate's gradient.
 */
import { activation } from '../../engine/activations';
import { planOf, scopeFor, type CustomCellDef, type VecPlan } from '../../engine/custom/define';
import type { RecurrentLayer } from '../../engine/model';
import { activationVjp } from '../derivatives';
import type { BackwardContext, CellBackward, StepValues } from './cell';

/** A node's value at this step, with its operands' tapes. */
interface Tape {
  p: VecPlan;
  v: Float64Array;
  kids: Tape[];
}

interface Env {
  x: Float64Array;
  states: Float64Array[];
  gates: Float64Array[];
}

/** Where backpropagated gradients land. */
interface Sinks {
  dx: Float64Array;
  dStates: Float64Array[];
  dGates: Float64Array[];
}

function vecPlan(def: CustomCellDef, tree: Parameters<typeof planOf>[0], gatesVisible: number): VecPlan {
  const p = planOf(tree, scopeFor(def, gatesVisible));
  if (p.k === 'scalar' || p.k === 'matrix') throw new Error('custom cell: an expression is not a vector (the definition was not checked)');
  return p;
}

/** Operand value at j, broadcasting a number or a length-1 vector. */
function at(t: Tape | number, j: number): number {
  return typeof t === 'number' ? t : t.v[t.v.length === 1 ? 0 : j]!;
}

export function customBackward(layer: RecurrentLayer, ctx: BackwardContext): CellBackward {
  const def = layer.custom!;
  const u = def.units;
  const gates = def.gates.map((g, i) => vecPlan(def, g.tree, i));
  const updates = def.updates.map((up) => ({ state: def.states.findIndex((s) => s.name === up.state), plan: vecPlan(def, up.tree, def.gates.length) }));
  const outputState = def.states.findIndex((s) => s.name === def.output);
  const outputGate = def.gates.findIndex((g) => g.name === def.output);
  const acts = new Map<string, ReturnType<typeof activation>>();
  const vjps = new Map<string, ReturnType<typeof activationVjp>>();
  const actOf = (fn: string) => acts.get(fn) ?? acts.set(fn, activation(fn, ctx.hardSigmoid)).get(fn)!;
  const vjpOf = (fn: string) => vjps.get(fn) ?? vjps.set(fn, activationVjp(fn, ctx.hardSigmoid)).get(fn)!;

  function evaluate(p: VecPlan, env: Env): Tape {
    const v = new Float64Array(p.n);
    switch (p.k) {
      case 'x':
        v.set(env.x);
        return { p, v, kids: [] };
      case 'state':
        v.set(env.states[p.index]!);
        return { p, v, kids: [] };
      case 'gate':
        v.set(env.gates[p.index]!);
        return { p, v, kids: [] };
      case 'const':
        v.set(p.data);
        return { p, v, kids: [] };
      case 'neg': {
        const a = evaluate(p.a, env);
        for (let j = 0; j < p.n; j++) v[j] = -a.v[j]!;
        return { p, v, kids: [a] };
      }
      case 'bin': {
        const a = typeof p.a === 'number' ? p.a : evaluate(p.a, env);
        const b = typeof p.b === 'number' ? p.b : evaluate(p.b, env);
        for (let j = 0; j < p.n; j++) {
          const x = at(a, j);
          const y = at(b, j);
          v[j] = p.o === '+' ? x + y : p.o === '-' ? x - y : p.o === '*' ? x * y : x / y;
        }
        return { p, v, kids: [a, b].filter((t): t is Tape => typeof t !== 'number') };
      }
      case 'matvec': {
        const a = evaluate(p.v, env);
        for (let j = 0; j < p.rows; j++) {
          let acc = 0;
          for (let k = 0; k < p.cols; k++) acc += a.v[k]! * p.m[j * p.cols + k]!;
          v[j] = acc;
        }
        return { p, v, kids: [a] };
      }
      case 'dot': {
        const a = evaluate(p.a, env);
        const b = evaluate(p.b, env);
        let acc = 0;
        for (let k = 0; k < a.v.length; k++) acc += a.v[k]! * b.v[k]!;
        v[0] = acc;
        return { p, v, kids: [a, b] };
      }
      case 'act': {
        const a = evaluate(p.a, env);
        v.set(a.v);
        actOf(p.fn)(v, 0, p.n);
        return { p, v, kids: [a] };
      }
      case 'concat': {
        const parts = p.parts.map((q) => evaluate(q, env));
        let o = 0;
        for (const t of parts) {
          v.set(t.v, o);
          o += t.v.length;
        }
        return { p, v, kids: parts };
      }
    }
  }

  /** Adds ∂y/∂(every leaf) given d = ∂y/∂(this node's value). */
  function back(t: Tape, d: Float64Array, s: Sinks): void {
    const p = t.p;
    const add = (dst: Float64Array, src: Float64Array) => {
      for (let j = 0; j < dst.length; j++) dst[j] = dst[j]! + src[j]!;
    };
    switch (p.k) {
      case 'x':
        return add(s.dx, d);
      case 'state':
        return add(s.dStates[p.index]!, d);
      case 'gate':
        return add(s.dGates[p.index]!, d);
      case 'const':
        return;
      case 'neg':
        return back(t.kids[0]!, d.map((x) => -x), s);
      case 'bin': {
        let k = 0;
        const a = typeof p.a === 'number' ? p.a : t.kids[k++]!;
        const b = typeof p.b === 'number' ? p.b : t.kids[k++]!;
        // ∂/∂a and ∂/∂b per element, summed into a length-1 operand that was broadcast.
        const grad = (operand: Tape, partial: (j: number) => number) => {
          const g = new Float64Array(operand.v.length);
          for (let j = 0; j < p.n; j++) g[operand.v.length === 1 ? 0 : j] += d[j]! * partial(j);
          back(operand, g, s);
        };
        if (typeof a !== 'number') {
          grad(a, p.o === '+' || p.o === '-' ? () => 1 : p.o === '*' ? (j) => at(b, j) : (j) => 1 / at(b, j));
        }
        if (typeof b !== 'number') {
          grad(b, p.o === '+' ? () => 1 : p.o === '-' ? () => -1 : p.o === '*' ? (j) => at(a, j) : (j) => -at(a, j) / (at(b, j) * at(b, j)));
        }
        return;
      }
      case 'matvec': {
        const g = new Float64Array(p.cols);
        for (let j = 0; j < p.rows; j++) for (let k = 0; k < p.cols; k++) g[k] += p.m[j * p.cols + k]! * d[j]!;
        return back(t.kids[0]!, g, s);
      }
      case 'dot': {
        const [a, b] = t.kids as [Tape, Tape];
        back(a, b.v.map((x) => x * d[0]!), s);
        back(b, a.v.map((x) => x * d[0]!), s);
        return;
      }
      case 'act': {
        const a = t.kids[0]!;
        const g = new Float64Array(p.n);
        vjpOf(p.fn)(a.v, 0, d, 0, g, 0, p.n);
        return back(a, g, s);
      }
      case 'concat': {
        let o = 0;
        for (const part of t.kids) {
          back(part, d.slice(o, o + part.v.length), s);
          o += part.v.length;
        }
        return;
      }
    }
  }

  return {
    units: u,
    features: def.features,
    stateNames: def.states.map((s) => s.name),
    outputState,
    step(v: StepValues, dStates: Float64Array[], dOut: Float64Array | null, dx: Float64Array, dxOff: number): void {
      const env: Env = {
        x: Float64Array.from(v.x.subarray(v.xOff, v.xOff + def.features)),
        states: v.prev.map((a) => Float64Array.from(a.subarray(v.prevOff, v.prevOff + u))),
        gates: [],
      };
      const gateTapes = gates.map((p) => {
        const t = evaluate(p, env);
        env.gates.push(t.v);
        return t;
      });
      const updateTapes = updates.map((up) => {
        const t = evaluate(up.plan, env);
        env.states[up.state] = t.v;
        return t;
      });
      const sinks: Sinks = { dx: new Float64Array(def.features), dStates, dGates: gates.map((p) => new Float64Array(p.n)) };
      if (outputGate >= 0 && dOut) for (let j = 0; j < u; j++) sinks.dGates[outputGate]![j] += dOut[j]!;
      for (let k = updates.length - 1; k >= 0; k--) {
        const s = updates[k]!.state;
        const d = dStates[s]!.slice();
        dStates[s]!.fill(0);
        back(updateTapes[k]!, d, sinks);
      }
      for (let g = gates.length - 1; g >= 0; g--) back(gateTapes[g]!, sinks.dGates[g]!, sinks);
      for (let k = 0; k < def.features; k++) dx[dxOff + k] += sinks.dx[k]!;
    },
  };
}
