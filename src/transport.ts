/**
 * What the panel's messages must survive on their way: VS Code's webview postMessage serialises a message as JSON,
 * except typed arrays and ArrayBuffers, which travel as binary. JSON has no NaN or ±Infinity — they arrive as null —
 * yet plain numbers in our messages can be non-finite: the statistics of a bias that is all +Infinity (seed 002's
 * counting LSTM), the max |Δ| of an output that went NaN. Such a message used to reach the webview with nulls, fail
 * its guard and be dropped, leaving the panel at "Loading…".
 *
 * `toWire` swaps every non-finite number outside typed arrays for a tagged object; `fromWire` puts it back. Both
 * sides call them around postMessage, so each side's guard sees the message exactly as the other built it. Values
 * without a non-finite number come back as the same objects (no copy of large messages).
 */

const TAG = '$cellscopeNumber';
type NonFinite = 'NaN' | 'Infinity' | '-Infinity';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer) && !Array.isArray(v);

/** `f` applied to every element / property; the same array or object when `f` changed nothing. */
function mapShallow(v: unknown, f: (x: unknown) => unknown): unknown {
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const x = f(v[i]);
      if (x !== v[i] && !out) out = v.slice(0, i);
      out?.push(x);
    }
    return out ?? v;
  }
  if (isPlainObject(v)) {
    let out: Record<string, unknown> | null = null;
    for (const [k, x] of Object.entries(v)) {
      const y = f(x);
      if (y !== x && !out) out = { ...v };
      if (out) out[k] = y;
    }
    return out ?? v;
  }
  return v;
}

/** The message as it can cross postMessage: non-finite numbers (outside typed arrays) tagged. */
export function toWire<T>(v: T): T {
  const enc = (x: unknown): unknown => {
    if (typeof x === 'number') return Number.isFinite(x) ? x : { [TAG]: String(x) as NonFinite };
    return mapShallow(x, enc);
  };
  return enc(v) as T;
}

function isTagged(v: unknown): v is Record<typeof TAG, NonFinite> {
  if (!isPlainObject(v) || !(TAG in v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (v[TAG] === 'NaN' || v[TAG] === 'Infinity' || v[TAG] === '-Infinity');
}

/** The message as it was built: tagged numbers restored. Unknown input is returned for the guards to judge. */
export function fromWire(v: unknown): unknown {
  const dec = (x: unknown): unknown => (isTagged(x) ? Number(x[TAG]) : mapShallow(x, dec));
  return dec(v);
}

/** One side of the panel's message channel: every message out and in takes the same wire, guard and log steps. */
export interface Channel<In, Out> {
  send(m: Out): void;
  /** The message as it was built, or null (logged) when it fails the guard. */
  receive(wire: unknown): In | null;
}

export function channel<In, Out>(o: {
  /** postMessage of this side (webview.postMessage on the host, vscode.postMessage in the webview). */
  post(wire: unknown): void;
  /** The guard of the messages this side receives (derived from the protocol's schema). */
  accepts(v: unknown): v is In;
  /** Where a dropped message is reported, with a short description (never the whole payload). */
  log(text: string): void;
}): Channel<In, Out> {
  return {
    send: (m) => o.post(toWire(m)),
    receive(wire) {
      const m = fromWire(wire);
      if (o.accepts(m)) return m;
      o.log(`dropped a malformed message ${describe(m)}`);
      return null;
    },
  };
}

/** A short description of what was wrong with a message, for the log (never the whole payload). */
export function describe(v: unknown): string {
  if (!isPlainObject(v)) return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
  return `{type: ${JSON.stringify(v.type)}, keys: ${Object.keys(v).slice(0, 8).join(', ')}}`;
}
