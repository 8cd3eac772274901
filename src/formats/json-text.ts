/**
 * JSON text in, values out. Python's `json` writes NaN / Infinity / -Infinity, which JSON.parse rejects, so those
 * files take a slower second pass through JSON5. Errors carry line:column and offset for editor diagnostics.
 */
import JSON5 from 'json5';
import { findNodeAtLocation, parseTree, printParseErrorCode, visit } from 'jsonc-parser';
import { LoadError, type JsonPath } from './load-error';

/** No model, input or recording nests this deep; deeper text is refused before any recursive reader sees it. */
export const MAX_JSON_DEPTH = 256;

// What the depth scan stops at: outside strings, a bracket or a string's opening quote; inside, its end or an escape.
const STRUCTURAL = /[[\]{}"]/g;
const STRING_STOP = /["\\]/g;

/**
 * Offset of the first bracket that opens level MAX_JSON_DEPTH + 1, or -1 (strings skipped; one linear pass). The
 * regular expressions jump over runs of numbers in native code: a weight file is millions of digits and a few
 * hundred brackets, and a charCodeAt loop over it cost more than a third of JSON.parse.
 */
export function tooDeepAt(text: string): number {
  return scanJson(text).tooDeepAt;
}

/**
 * One linear pass over the structure: where the text first nests deeper than MAX_JSON_DEPTH, and where a string
 * opens that never closes (-1 when neither). Both are answered here so no later reader (JSON5, jsonc-parser) has
 * to walk a hostile text: those take seconds on megabytes of escapes.
 */
export function scanJson(text: string): { tooDeepAt: number; unterminatedAt: number } {
  let depth = 0;
  STRUCTURAL.lastIndex = 0;
  for (let m = STRUCTURAL.exec(text); m; m = STRUCTURAL.exec(text)) {
    const c = text.charCodeAt(m.index);
    if (c === 0x22) {
      const end = stringEnd(text, m.index + 1);
      if (end < 0) return { tooDeepAt: -1, unterminatedAt: m.index };
      STRUCTURAL.lastIndex = end + 1;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return { tooDeepAt: m.index, unterminatedAt: -1 };
    } else depth--;
  }
  return { tooDeepAt: -1, unterminatedAt: -1 };
}

/** Offset of the quote that closes the string whose body starts at `from` (escapes skipped), or -1 if none does. */
function stringEnd(text: string, from: number): number {
  STRING_STOP.lastIndex = from;
  for (let m = STRING_STOP.exec(text); m; m = STRING_STOP.exec(text)) {
    if (text.charCodeAt(m.index) === 0x22) return m.index;
    STRING_STOP.lastIndex = m.index + 2;
  }
  return -1;
}

/** JSON5 (comments, trailing commas, single quotes) is tried only on texts this small: it takes ~1 s per MB. */
const JSON5_MAX_CHARS = 1024 * 1024;

export function parseJsonText(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const bomOffset = text.length - body.length;
  const scan = scanJson(body);
  if (scan.tooDeepAt >= 0) {
    const deep = scan.tooDeepAt;
    const { line, column } = lineColumnAt(body, deep);
    throw new LoadError({
      file,
      path: [],
      subject: `JSON nested too deep at line ${line}, column ${column}, offset ${deep + bomOffset}`,
      expected: `JSON nested at most ${MAX_JSON_DEPTH} levels deep (a Keras config, weights or an input need far fewer)`,
      found: `more than ${MAX_JSON_DEPTH} nested arrays or objects`,
      offset: deep + bomOffset,
      length: 1,
      line,
      column,
    });
  }
  checkArrayLengths(body, file, bomOffset);
  try {
    return JSON.parse(body);
  } catch {
    // fall through: maybe Python's NaN/Infinity
  }
  if (scan.unterminatedAt >= 0) throw syntaxErrorAt(body, file, bomOffset, { offset: scan.unterminatedAt, length: 1, code: 'UnexpectedEndOfString' });
  const python = withoutPythonNumbers(body);
  if (python) {
    try {
      return python.hasNaN ? JSON.parse(python.text, (_k, v) => (v === NAN_SENTINEL ? NaN : v)) : JSON.parse(python.text);
    } catch {
      // fall through: JSON5 for the rest of its syntax, and the error position from the original text
    }
  }
  if (body.length <= JSON5_MAX_CHARS) {
    try {
      return JSON5.parse(body);
    } catch {
      // fall through
    }
  }
  throw syntaxError(body, file, bomOffset);
}

/**
 * V8 cannot hold an array of more than 2^27 - 1 elements (FixedArray's limit): JSON.parse of a longer one does not
 * throw, it aborts the process ("invalid size error"). Only a text of at least 2^28 characters can hold one
 * (a digit and a comma per value), so only those pay for this count; the refusal points at the array.
 */
export const V8_MAX_ARRAY = 2 ** 27 - 1;
export function longArrayAt(text: string, maxLength = V8_MAX_ARRAY): number {
  if (text.length < 2 * maxLength) return -1;
  const counts: number[] = [];
  const opens: number[] = [];
  const scan = /[[\]{}",]/g;
  for (let m = scan.exec(text); m; m = scan.exec(text)) {
    const c = text.charCodeAt(m.index);
    if (c === 0x22) {
      const end = stringEnd(text, m.index + 1);
      if (end < 0) return -1;
      scan.lastIndex = end + 1;
    } else if (c === 0x5b || c === 0x7b) {
      counts.push(0);
      opens.push(c === 0x5b ? m.index : -1);
    } else if (c === 0x2c) {
      const top = counts.length - 1;
      if (top >= 0 && ++counts[top]! >= maxLength && opens[top]! >= 0) return opens[top]!;
    } else {
      counts.pop();
      opens.pop();
    }
  }
  return -1;
}

function checkArrayLengths(body: string, file: string, bomOffset: number): void {
  const at = longArrayAt(body);
  if (at < 0) return;
  const { line, column } = lineColumnAt(body, at);
  throw new LoadError({
    file,
    path: [],
    subject: `JSON array at line ${line}, column ${column}, offset ${at + bomOffset}`,
    expected: `arrays of at most ${V8_MAX_ARRAY} values (the most a JavaScript array can hold; use {"shape", "data"} split over several arrays or a binary format)`,
    found: 'a longer array',
    offset: at + bomOffset,
    length: 1,
    line,
    column,
  });
}

const NAN_SENTINEL = '\u0000cellscope:NaN\u0000';
// Outside strings: a string's opening quote, or the first letter of NaN / Infinity.
const PYTHON_STOP = /["NI]/g;

/**
 * Python's NaN / Infinity / -Infinity rewritten so JSON.parse reads them (JSON5 takes ~1 s per MB; a large export
 * with one NaN weight would take minutes): ±Infinity as ±1e999, NaN as a sentinel string a reviver turns back.
 * Undefined when the text has none of them outside strings. One linear pass (strings skipped with stringEnd): the
 * regular expression this replaces backtracked quadratically on an unterminated string of `\"` (320 KB: 22 s).
 */
export function withoutPythonNumbers(text: string): { text: string; hasNaN: boolean } | undefined {
  const pieces: string[] = [];
  let copied = 0;
  let hasNaN = false;
  PYTHON_STOP.lastIndex = 0;
  for (let m = PYTHON_STOP.exec(text); m; m = PYTHON_STOP.exec(text)) {
    const i = m.index;
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i + 1);
      if (end < 0) break; // an unterminated string: nothing after it is outside a string
      PYTHON_STOP.lastIndex = end + 1;
      continue;
    }
    const word = c === 0x4e ? 'NaN' : 'Infinity';
    if (!text.startsWith(word, i)) continue;
    const start = text.charCodeAt(i - 1) === 0x2d ? i - 1 : i;
    pieces.push(text.slice(copied, start), word === 'NaN' ? JSON.stringify(NAN_SENTINEL) : start < i ? '-1e999' : '1e999');
    if (word === 'NaN') hasNaN = true;
    copied = i + word.length;
    PYTHON_STOP.lastIndex = copied;
  }
  if (!pieces.length) return undefined;
  pieces.push(text.slice(copied));
  return { text: pieces.join(''), hasNaN };
}

export interface LineColumn {
  /** 1-based */
  line: number;
  /** 1-based, in UTF-16 code units */
  column: number;
}

export function lineColumnAt(text: string, offset: number): LineColumn {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

// Python's non-standard number tokens; jsonc-parser reports them as errors but we accept them.
const PYTHON_NUMBER_TOKEN = /^-?(NaN|Infinity)/;

function syntaxError(text: string, file: string, bomOffset: number): LoadError {
  let first: { offset: number; length: number; code: string } | undefined;
  // jsonc-parser follows each Python token with a "value expected" at the next token: not the user's error either.
  let pythonEnd = -1;
  visit(
    text,
    {
      onError: (error, offset, length) => {
        if (first) return;
        const code = printParseErrorCode(error);
        if (code === 'InvalidSymbol' && PYTHON_NUMBER_TOKEN.test(text.slice(offset, offset + 9))) {
          pythonEnd = offset + length;
          return;
        }
        if (code === 'ValueExpected' && pythonEnd >= 0 && pythonEnd <= offset && text.slice(pythonEnd, offset).trim() === '') return;
        first = { offset, length, code };
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return syntaxErrorAt(text, file, bomOffset, first ?? { offset: text.length, length: 0, code: 'unknown syntax error' });
}

function syntaxErrorAt(text: string, file: string, bomOffset: number, at: { offset: number; length: number; code: string }): LoadError {
  const { line, column } = lineColumnAt(text, at.offset);
  const snippet = text.slice(at.offset, at.offset + 20).split('\n')[0] ?? '';
  return new LoadError({
    file,
    path: [],
    // line:column lead the message (file:line:column:), so the subject does not repeat them.
    subject: `JSON syntax error at offset ${at.offset + bomOffset}`,
    expected: `valid JSON (${describeCode(at.code)})`,
    found: snippet ? JSON.stringify(snippet) : 'the end of the file',
    offset: at.offset + bomOffset,
    length: Math.max(at.length, 1),
    line,
    column,
  });
}

function describeCode(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'an unexpected symbol',
    InvalidNumberFormat: 'a malformed number',
    PropertyNameExpected: 'a property name in double quotes',
    ValueExpected: 'a value',
    ColonExpected: 'a colon',
    CommaExpected: 'a comma',
    CloseBraceExpected: 'a closing brace',
    CloseBracketExpected: 'a closing bracket',
    EndOfFileExpected: 'the end of the file after the top-level value',
    InvalidCommentToken: 'no comments',
    UnexpectedEndOfComment: 'a closed comment',
    UnexpectedEndOfString: 'a closing double quote',
    UnexpectedEndOfNumber: 'a complete number',
    InvalidUnicode: 'a valid \\u escape',
    InvalidEscapeCharacter: 'a valid escape',
    InvalidCharacter: 'no control characters inside strings',
  };
  return words[code] ?? code;
}

/** Where a JSON path's value sits in the text, for editor ranges; undefined if the path is not in the document. */
export function locateJsonPath(text: string, path: JsonPath): { offset: number; length: number } | undefined {
  const root = parseTree(text, [], { allowTrailingComma: true });
  if (!root) return undefined;
  const node = findNodeAtLocation(root, [...path]);
  return node ? { offset: node.offset, length: node.length } : undefined;
}

/** Decodes UTF-8 bytes (with or without BOM). */
export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}
