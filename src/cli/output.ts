/**
 * What the CLI prints is safe for a terminal and readable back: names from a user's file (a layer called
 * `\x1b]0;…\x07` or `a\nb`) are shown escaped, never interpreted, and every error stays on one line; numbers that
 * JSON has no literal for are written as the tokens Python's `json` writes and Cellscope reads (NaN, Infinity,
 * -Infinity), with a warning on stderr, instead of JSON.stringify's `null`, which reads back as a different value.
 */
import { fdSink, openOutput, type OutputSink } from './files';

// C0 controls, DEL and C1 controls (ESC, BEL, CSI … start terminal escape sequences), and Unicode line separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

function escapeOne(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Every control character escaped (`\n` becomes the two characters \ n): for one line of text. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/** Control characters escaped except newline and tab: for multi-line text whose lines Cellscope made. */
export function terminalText(text: string): string {
  return text.replace(CONTROL_BUT_LINES, escapeOne);
}

/**
 * A copy of a value for display with every string in it made one line (layer, weight and gate names come from the
 * user's file); numbers, arrays and nesting kept. Typed arrays are left as they are.
 */
export function displayCopy<T>(v: T): T {
  if (typeof v === 'string') return oneLine(v) as T;
  if (Array.isArray(v)) return v.map((x) => displayCopy(x)) as T;
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = displayCopy(x);
    return out as T;
  }
  return v;
}

/** Counts of the values JSON has no literal for. */
export interface NonFinite {
  nan: number;
  inf: number;
}

/** One number as JSON text, NaN and ±Infinity as Python's tokens (counted in `seen`). */
export function numberToken(v: number, seen: NonFinite): string {
  if (Number.isFinite(v)) return String(v);
  if (Number.isNaN(v)) {
    seen.nan++;
    return 'NaN';
  }
  seen.inf++;
  return v > 0 ? 'Infinity' : '-Infinity';
}

/**
 * `[v, v, …]` with Python's tokens; pieces of at most `chunk` values are handed to `write`. A piece with only finite
 * values (nearly always) is one JSON.stringify of a plain array: V8's serialiser writes the same digits as String(v)
 * at ~3× the speed of a String() per value. Pieces of 4096 values (~80 KB of text) stay below V8's large-object size,
 * so they are made and dropped in the young generation's pages instead of fresh memory each.
 */
export function writeNumberArray(data: ArrayLike<number>, write: (text: string) => void, seen: NonFinite, chunk = 4096): void {
  write('[');
  for (let i = 0; i < data.length; i += chunk) {
    const end = Math.min(data.length, i + chunk);
    const values: number[] = [];
    let finite = true;
    for (let k = i; k < end; k++) {
      const v = data[k]!;
      if (v - v !== 0) finite = false; // NaN and ±Infinity, in one test
      values.push(v);
    }
    let text: string;
    if (finite) text = JSON.stringify(values).slice(1, -1);
    else {
      const parts = new Array<string>(values.length);
      for (let k = 0; k < values.length; k++) parts[k] = numberToken(values[k]!, seen);
      text = parts.join(',');
    }
    if (i) write(',');
    write(text);
  }
  write(']');
}

/** The stderr line that goes with output holding NaN or ±Infinity; undefined when there are none. */
export function nonFiniteWarning(seen: NonFinite, what: string): string | undefined {
  if (!seen.nan && !seen.inf) return undefined;
  const parts = [seen.nan ? `${seen.nan} NaN` : '', seen.inf ? `${seen.inf} ±Infinity` : ''].filter(Boolean).join(' and ');
  return `cellscope: warning: ${what} holds ${parts} value(s), written as NaN / Infinity / -Infinity (what Python's json writes and reads; strict JSON readers refuse them)`;
}

/** Text up to this size goes to stdout through `print` in one piece; beyond, it is written to fd 1 as it is made. */
const PRINT_WHOLE_CHARS = 32 * 1024 * 1024;

/**
 * Output made piece by piece by `produce`: to --out (a regular file, see openOutput), or to stdout. Nothing builds
 * one string of the whole output, which for a long trace would pass V8's string limit ("Invalid string length").
 */
export function emitStream(out: { out?: string; force: boolean }, produce: (write: (text: string) => void) => void, print: (text: string) => void): void {
  if (out.out) {
    const sink = openOutput(out.out, out.force);
    try {
      produce((t) => sink.write(t));
    } finally {
      sink.close();
    }
    return;
  }
  let pieces: string[] = [];
  let size = 0;
  let sink: OutputSink | undefined;
  produce((t) => {
    if (sink) return sink.write(t);
    pieces.push(t);
    size += t.length;
    if (size > PRINT_WHOLE_CHARS) {
      sink = fdSink(1, 'stdout', false);
      for (const p of pieces) sink.write(terminalText(p));
      pieces = [];
    }
  });
  if (sink) {
    sink.write('\n');
    sink.close();
  } else print(pieces.join(''));
}
