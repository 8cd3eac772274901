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
  let depth = 0;
  STRUCTURAL.lastIndex = 0;
  for (let m = STRUCTURAL.exec(text); m; m = STRUCTURAL.exec(text)) {
    const c = text.charCodeAt(m.index);
    if (c === 0x22) {
      const end = stringEnd(text, m.index + 1);
      if (end < 0) return -1;
      STRUCTURAL.lastIndex = end + 1;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return m.index;
    } else depth--;
  }
  return -1;
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

export function parseJsonText(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const deep = tooDeepAt(body);
  if (deep >= 0) {
    const bomOffset = text.length - body.length;
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
  try {
    return JSON.parse(body);
  } catch {
    // fall through: maybe Python's NaN/Infinity
  }
  const python = withoutPythonNumbers(body);
  if (python) {
    try {
      return python.hasNaN ? JSON.parse(python.text, (_k, v) => (v === NAN_SENTINEL ? NaN : v)) : JSON.parse(python.text);
    } catch {
      // fall through: JSON5 for the rest of its syntax, and the error position from the original text
    }
  }
  try {
    return JSON5.parse(body);
  } catch {
    throw syntaxError(body, file, text.length - body.length);
  }
}

const NAN_SENTINEL = '\u0000cellscope:NaN\u0000';
const PYTHON_TOKENS = /"(?:[^"\\]|\\.)*"|(-?)(NaN|Infinity)/g;

/**
 * Python's NaN / Infinity / -Infinity rewritten so JSON.parse reads them (JSON5 takes ~1 s per MB; a large export
 * with one NaN weight would take minutes): ±Infinity as ±1e999, NaN as a sentinel string a reviver turns back.
 * Undefined when the text has none of them outside strings.
 */
function withoutPythonNumbers(text: string): { text: string; hasNaN: boolean } | undefined {
  let found = false;
  let hasNaN = false;
  const out = text.replace(PYTHON_TOKENS, (m, sign: string | undefined, word: string | undefined) => {
    if (!word) return m;
    found = true;
    if (word === 'Infinity') return `${sign ?? ''}1e999`;
    hasNaN = true;
    return JSON.stringify(NAN_SENTINEL);
  });
  return found ? { text: out, hasNaN } : undefined;
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
  const at = first ?? { offset: text.length, length: 0, code: 'unknown syntax error' };
  const { line, column } = lineColumnAt(text, at.offset);
  const snippet = text.slice(at.offset, at.offset + 20).split('\n')[0] ?? '';
  return new LoadError({
    file,
    path: [],
    subject: `JSON syntax error at line ${line}, column ${column}, offset ${at.offset + bomOffset}`,
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
