/**
 * The messages of "Compare with another model…" (the port checker, src/port): the panel's model is A, the file
 * picked is B. Part of the panel's channel: src/protocol.ts lists `portCheck` among the host's messages.
 */
import * as v from 'valibot';
import { bool, checked, floatData, int, num, phrase, re, str } from './protocol-blocks';

/** B's values of one paired layer-direction, in input-time order [batch][time][unit], for the gate charts' overlay. */
const portOverlay = checked(
  v.object({ batch: int(1), steps: int(1), units: int(1), keys: v.array(str), values: v.array(floatData) }),
  (o) => o.keys.length === o.values.length && o.values.every((x) => x.length === o.batch * o.steps * o.units),
  'one array of batch × steps × units per key',
);
const portPair = v.object({
  /** A's layer-direction (its id in InitMessage.layers). */
  layer: int(),
  a: str,
  b: str,
  /** Why the pair cannot be compared value by value (cell kinds or sizes differ). */
  mismatch: v.nullable(str),
  pass: bool,
  /** Max |Δ| per recorded quantity: engine key, and the name in both frameworks (`g (PyTorch) = c (gate) (ONNX)`). */
  gates: v.array(v.object({ key: str, name: str, maxAbs: num })),
  /** The first value beyond the tolerance: input time step, batch item, unit, the gate's name, A's and B's values. */
  first: v.nullable(v.object({ step: int(), batch: int(), unit: int(), gate: str, a: num, b: num })),
  /** Null when B's trace of this pair is too long to send. */
  overlay: v.nullable(portOverlay),
});
export type PortPair = v.InferOutput<typeof portPair>;
const portSide = v.object({ file: str, framework: str });
/** What `cellscope compare A --against B --diagnose` says, for the panel's views. */
const portResult = v.object({
  a: portSide,
  b: portSide,
  atol: num,
  output: v.object({ pass: bool, maxAbs: num, text: str }),
  pairs: v.array(portPair),
  /** The CLI's lines (per layer, first divergence) for the text view. */
  lines: v.array(str),
  diagnosis: v.object({
    lines: v.array(str),
    /** The mistake found, the model that carries it and max |Δ| before → after the fix; null when none explains it. */
    found: v.nullable(v.object({ title: phrase, faulty: v.picklist(['A', 'B']), file: str, before: num, after: num })),
    notes: v.array(str),
    /** The correct weight mapping for this direction, as numpy code. */
    code: v.nullable(v.object({ title: str, code: str })),
  }),
});
export type PortResult = v.InferOutput<typeof portResult>;
/**
 * The answer to `requestPortCheck`: the result, or why there is none (the file could not be loaded or run: a
 * LoadError's text; or the user closed the file picker: `cancelled`).
 */
export const portCheck = checked(
  v.object({ type: v.literal('portCheck'), re, result: v.nullable(portResult), error: v.nullable(v.object({ message: str, cancelled: bool })) }),
  (m) => (m.result === null) !== (m.error === null),
  'a result or an error',
);
export type PortCheckMessage = v.InferOutput<typeof portCheck>;
