/**
 * The expression language of custom cells, parsed by a small recursive-descent parser (never `eval`).
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '@') unary)*          // Python precedence: @ binds like * and /
 *   unary   := ('-' | '+') unary | postfix
 *   postfix := primary ('.T')*                           // transpose of a weight matrix
 *   primary := NUMBER | NAME | NAME '(' args ')' | '(' expr ')' | '[' args ']'
 *   args    := expr (',' expr)*
 *
 * NAME is a weight, `x`, a state, an earlier gate; a call names an activation (`sigmoid`, `relu`, ...) or `concat`;
 * `[a, b]` is `concat(a, b)`. Numbers are decimal (`1`, `0.5`, `.5`, `1e-3`) or `inf`.
 */

export type BinaryOp = '+' | '-' | '*' | '/' | '@';

/** Every node carries the 1-based column where it starts in the expression text, for errors. */
export type ExprNode =
  | { op: 'num'; value: number; col: number }
  | { op: 'name'; name: string; col: number }
  | { op: 'neg'; arg: ExprNode; col: number }
  | { op: 'bin'; o: BinaryOp; a: ExprNode; b: ExprNode; col: number }
  | { op: 'call'; fn: string; args: ExprNode[]; col: number; fnCol: number }
  | { op: 'concat'; args: ExprNode[]; col: number }
  | { op: 'transpose'; arg: ExprNode; col: number };

/** A syntax or type error at a column of the expression. */
export class ExprError extends Error {
  constructor(
    message: string,
    /** 1-based column in the expression text. */
    readonly column: number,
  ) {
    super(message);
    this.name = 'ExprError';
  }
}

/** The expression with a caret under the column, for messages. */
export function caretLines(text: string, column: number): string {
  // A long expression is shown as a window around the column (… at the cut ends), so the message stays readable.
  const from = Math.max(0, column - 1 - CARET_CONTEXT);
  const to = Math.min(text.length, column - 1 + CARET_CONTEXT);
  const head = from > 0 ? '…' : '';
  const shown = `${head}${text.slice(from, to)}${to < text.length ? '…' : ''}`;
  return `${shown}\n${' '.repeat(Math.max(0, column - 1 - from + head.length))}^`;
}

/** Characters shown on each side of the column in caretLines. */
const CARET_CONTEXT = 60;

interface Token {
  kind: 'num' | 'name' | 'op' | 'end';
  text: string;
  value?: number;
  col: number;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const OPS = new Set(['+', '-', '*', '/', '@', '(', ')', '[', ']', ',', '.']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const col = i + 1;
    NUMBER.lastIndex = i;
    const num = /[\d]/.test(ch) || (ch === '.' && /\d/.test(text[i + 1] ?? '')) ? NUMBER.exec(text) : null;
    if (num) {
      tokens.push({ kind: 'num', text: num[0], value: Number(num[0]), col });
      i += num[0].length;
      if (/[A-Za-z_]/.test(text[i] ?? '')) throw new ExprError(`a number followed by a name ("${num[0]}${text[i]}"); write the * between them`, i + 1);
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(text);
    if (name) {
      tokens.push({ kind: 'name', text: name[0], col });
      i += name[0].length;
      continue;
    }
    if (OPS.has(ch)) {
      tokens.push({ kind: 'op', text: ch, col });
      i++;
      continue;
    }
    const hint = ch === '^' || (ch === '*' && text[i + 1] === '*') ? ' (powers are not supported)' : ch === '=' ? ' (an expression has no assignment; the name is the gate or state it defines)' : '';
    throw new ExprError(`unexpected character ${JSON.stringify(ch)}${hint}`, col);
  }
  tokens.push({ kind: 'end', text: 'the end of the expression', col: text.length + 1 });
  return tokens;
}

function describe(t: Token): string {
  return t.kind === 'end' ? t.text : `"${t.text}"`;
}

/**
 * How deep an expression tree may be: parentheses, unary signs and chains of operators all count (`a + b + c` is a
 * tree three deep). A cell's gate is a few levels deep; the limit keeps every recursive walk of the tree (the
 * parser, the checker, the compiler) far from the stack's end, which a 5,000-deep text would reach.
 */
export const MAX_EXPR_DEPTH = 256;

function tooDeep(col: number): ExprError {
  return new ExprError(`the expression is nested more than ${MAX_EXPR_DEPTH} levels deep (parentheses, signs and chained operators count); split it into gates`, col);
}

/** Depth of a tree, without recursion (the tree may come from elsewhere than parseExpr). */
export function exprDepth(root: ExprNode): number {
  let max = 0;
  const stack: [ExprNode, number][] = [[root, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (d > max) max = d;
    if (n.op === 'neg' || n.op === 'transpose') stack.push([n.arg, d + 1]);
    else if (n.op === 'bin') stack.push([n.a, d + 1], [n.b, d + 1]);
    else if (n.op === 'call' || n.op === 'concat') for (const a of n.args) stack.push([a, d + 1]);
  }
  return max;
}

/** Parses one expression; throws ExprError at the offending column (also when it nests deeper than MAX_EXPR_DEPTH). */
export function parseExpr(text: string): ExprNode {
  const tokens = tokenize(text);
  let p = 0;
  // Nesting of the parser's own recursion: refused before the stack runs out, at the token that goes too deep.
  let nesting = 0;
  const enter = () => {
    if (++nesting > MAX_EXPR_DEPTH) throw tooDeep(peek().col);
  };
  const peek = () => tokens[p]!;
  const isOp = (s: string) => peek().kind === 'op' && peek().text === s;
  const expect = (s: string, what: string) => {
    if (!isOp(s)) throw new ExprError(`expected ${what}, found ${describe(peek())}`, peek().col);
    p++;
  };

  function expr(): ExprNode {
    enter();
    let a = term();
    while (isOp('+') || isOp('-')) {
      const t = tokens[p++]!;
      a = { op: 'bin', o: t.text as BinaryOp, a, b: term(), col: a.col };
    }
    nesting--;
    return a;
  }
  function term(): ExprNode {
    let a = unary();
    while (isOp('*') || isOp('/') || isOp('@')) {
      const t = tokens[p++]!;
      a = { op: 'bin', o: t.text as BinaryOp, a, b: unary(), col: a.col };
    }
    return a;
  }
  function unary(): ExprNode {
    if (isOp('-') || isOp('+')) {
      const t = tokens[p++]!;
      enter();
      const arg = unary();
      nesting--;
      return t.text === '-' ? { op: 'neg', arg, col: t.col } : arg;
    }
    return postfix();
  }
  function postfix(): ExprNode {
    let a = primary();
    while (isOp('.')) {
      p++;
      const t = peek();
      if (t.kind !== 'name' || t.text !== 'T') throw new ExprError(`expected "T" after "." (only the transpose .T is supported), found ${describe(t)}`, t.col);
      p++;
      a = { op: 'transpose', arg: a, col: a.col };
    }
    return a;
  }
  function args(close: string, what: string): ExprNode[] {
    const list: ExprNode[] = [];
    if (isOp(close)) throw new ExprError(`expected ${what}, found "${close}"`, peek().col);
    for (;;) {
      list.push(expr());
      if (isOp(',')) {
        p++;
        continue;
      }
      expect(close, `"," or "${close}"`);
      return list;
    }
  }
  function primary(): ExprNode {
    const t = peek();
    if (t.kind === 'num') {
      p++;
      return { op: 'num', value: t.value!, col: t.col };
    }
    if (t.kind === 'name') {
      p++;
      if (isOp('(')) {
        p++;
        const list = args(')', 'an argument');
        return t.text === 'concat' ? { op: 'concat', args: list, col: t.col } : { op: 'call', fn: t.text, args: list, col: t.col, fnCol: t.col };
      }
      if (t.text === 'inf') return { op: 'num', value: Infinity, col: t.col };
      return { op: 'name', name: t.text, col: t.col };
    }
    if (isOp('(')) {
      p++;
      const inner = expr();
      expect(')', '")"');
      return inner;
    }
    if (isOp('[')) {
      p++;
      return { op: 'concat', args: args(']', 'a vector to concatenate'), col: t.col };
    }
    throw new ExprError(`expected a number, a name, "(" or "[", found ${describe(t)}`, t.col);
  }

  const tree = expr();
  if (peek().kind !== 'end') throw new ExprError(`expected an operator or the end of the expression, found ${describe(peek())}`, peek().col);
  if (exprDepth(tree) > MAX_EXPR_DEPTH) throw tooDeep(1);
  return tree;
}
