/**
 * A checked custom cell → a CellStepper. Every node of every expression gets its own preallocated buffer in the
 * run's precision, so a float32 run rounds after every operation as Keras's float32 kernels do; products
 * accumulate in the same order as the built-in cells (Σ over the input index, rounding after each multiply-add).
 * Recorded quantities: the gates, then the states (their new values), then `pre_<gate>` for gates whose
 * expression is an activation call (the argument before the activation).
 */
import { activation } from '../activations';
import { preActivation, quantity, type CellStepper, type QuantityInfo } from '../cells/cell';
import type { CellContext } from '../cells/context';
import { rounding } from '../tensor';
import { allocate, type FloatArray } from '../tensor';
import { planOf, scopeFor, type CustomCellDef, type VecPlan } from './define';

/** Reads and writes the step's arrays; set before each evaluation. */
interface Frame {
  x: FloatArray;
  xOff: number;
  states: FloatArray[];
  sOff: number;
  out: FloatArray[];
  oOff: number;
}

interface Compiled {
  buf: FloatArray;
  run: () => void;
  /** For an activation: its argument, whose buffer keeps the value before the activation. */
  arg?: Compiled;
}

export function compileCustomCell(def: CustomCellDef, ctx: CellContext): CellStepper {
  const { units: u, features } = def;
  const round = rounding(ctx.precision);
  const frame: Frame = { x: new Float64Array(0), xOff: 0, states: [], sOff: 0, out: [], oOff: 0 };
  const nGates = def.gates.length;
  const stateQ = (i: number) => nGates + i;

  function constant(data: Float64Array): FloatArray {
    const a = allocate(data.length, ctx.precision);
    a.set(data);
    return a;
  }

  function build(p: VecPlan): Compiled {
    const n = p.n;
    const buf = allocate(n, ctx.precision);
    switch (p.k) {
      case 'x':
        return { buf, run: () => buf.set(frame.x.subarray(frame.xOff, frame.xOff + n)) };
      case 'state':
        return { buf, run: () => buf.set(frame.states[p.index]!.subarray(frame.sOff, frame.sOff + n)) };
      case 'gate':
        return { buf, run: () => buf.set(frame.out[p.index]!.subarray(frame.oOff, frame.oOff + n)) };
      case 'const':
        return { buf: constant(p.data), run: () => {} };
      case 'neg': {
        const a = build(p.a);
        return {
          buf,
          run: () => {
            a.run();
            for (let j = 0; j < n; j++) buf[j] = -a.buf[j]!;
          },
        };
      }
      case 'bin': {
        const a = typeof p.a === 'number' ? round(p.a) : build(p.a);
        const b = typeof p.b === 'number' ? round(p.b) : build(p.b);
        const av = typeof a === 'number' ? null : a;
        const bv = typeof b === 'number' ? null : b;
        const as = typeof a === 'number' ? a : 0;
        const bs = typeof b === 'number' ? b : 0;
        const f =
          p.o === '+' ? (x: number, y: number) => x + y : p.o === '-' ? (x: number, y: number) => x - y : p.o === '*' ? (x: number, y: number) => x * y : (x: number, y: number) => x / y;
        return {
          buf,
          run: () => {
            av?.run();
            bv?.run();
            const A = av?.buf;
            const B = bv?.buf;
            // A scalar, or a vector of 1 broadcast against the other operand (numpy style).
            for (let j = 0; j < n; j++) buf[j] = f(A ? A[A.length === 1 ? 0 : j]! : as, B ? B[B.length === 1 ? 0 : j]! : bs);
          },
        };
      }
      case 'matvec': {
        const m = constant(p.m);
        const v = build(p.v);
        const { rows, cols } = p;
        return {
          buf,
          run: () => {
            v.run();
            const vb = v.buf;
            for (let j = 0; j < rows; j++) {
              let acc = 0;
              const row = j * cols;
              for (let k = 0; k < cols; k++) acc = round(acc + vb[k]! * m[row + k]!);
              buf[j] = acc;
            }
          },
        };
      }
      case 'dot': {
        const a = build(p.a);
        const b = build(p.b);
        return {
          buf,
          run: () => {
            a.run();
            b.run();
            let acc = 0;
            for (let k = 0; k < a.buf.length; k++) acc = round(acc + a.buf[k]! * b.buf[k]!);
            buf[0] = acc;
          },
        };
      }
      case 'act': {
        const a = build(p.a);
        const f = activation(p.fn, ctx.hardSigmoid);
        return {
          buf,
          arg: a,
          run: () => {
            a.run();
            buf.set(a.buf);
            f(buf, 0, n);
          },
        };
      }
      case 'concat': {
        const parts = p.parts.map(build);
        return {
          buf,
          run: () => {
            let o = 0;
            for (const part of parts) {
              part.run();
              buf.set(part.buf, o);
              o += part.buf.length;
            }
          },
        };
      }
    }
  }

  const planVec = (tree: Parameters<typeof planOf>[0], gatesVisible: number): VecPlan => {
    const p = planOf(tree, scopeFor(def, gatesVisible));
    if (p.k === 'scalar' || p.k === 'matrix') throw new Error('custom cell: an expression is not a vector (the definition was not checked)');
    return p;
  };

  const gateQuantities: QuantityInfo[] = def.gates.map((g) => quantity(g.name, g.label, g.role, g.description));
  // A state's description is its update equation (the panel's cell diagram shows it); a state no update names keeps its value.
  const stateQuantities = def.states.map((s) => {
    const up = def.updates.find((u) => u.state === s.name);
    return quantity(s.name, s.name, 'state', up ? `${s.name} = ${up.expr}` : `state ${s.name} (kept)`);
  });
  const pre: { gate: number; q: number; arg: Compiled }[] = [];
  const preQuantities: QuantityInfo[] = [];
  const gates = def.gates.map((g, i) => build(planVec(g.tree, i)));
  // The argument buffer of a top-level activation still holds the value before the activation after a run.
  def.gates.forEach((_, i) => {
    const arg = gates[i]!.arg;
    if (arg) {
      pre.push({ gate: i, q: nGates + def.states.length + preQuantities.length, arg });
      preQuantities.push(preActivation(gateQuantities[i]!));
    }
  });
  const updates = def.updates.map((up) => ({ state: def.states.findIndex((s) => s.name === up.state), c: build(planVec(up.tree, nGates)) }));
  const quantities = [...gateQuantities, ...stateQuantities, ...preQuantities];
  const outputQuantity = quantities.findIndex((q) => q.key === def.output);

  return {
    units: u,
    features,
    quantities,
    stateNames: def.states.map((s) => s.name),
    outputQuantity,
    step(x, xOff, states, sOff, out, oOff) {
      frame.x = x;
      frame.xOff = xOff;
      frame.states = states;
      frame.sOff = sOff;
      frame.out = out;
      frame.oOff = oOff;
      for (let i = 0; i < nGates; i++) {
        const g = gates[i]!;
        g.run();
        out[i]!.set(g.buf, oOff);
      }
      for (const p of pre) out[p.q]!.set(p.arg.buf, oOff);
      // States not updated keep their value; record it too.
      for (let s = 0; s < states.length; s++) out[stateQ(s)]!.set(states[s]!.subarray(sOff, sOff + u), oOff);
      for (const up of updates) {
        up.c.run();
        out[stateQ(up.state)]!.set(up.c.buf, oOff);
        states[up.state]!.set(up.c.buf, sOff);
      }
    },
  };
}
