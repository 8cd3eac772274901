/**
 * A sentence the core writes once, in English, and the panel shows in VS Code's display language: a diagnosis line,
 * a hypothesis's title, the loader's account of the Keras semantics it chose. The English message is the key of
 * l10n/bundle.l10n.<lang>.json (the bundle host and page share, one translation per message) and `{0}`, `{1}`… are
 * its arguments, which travel with it through the protocol. The CLI prints `english(p)` (C-locale, as before); the
 * page renders it with its own bundle and number format (webview/l10n.ts `phrase`).
 *
 * Every message is a string literal, the first argument of `phrase`: test/repository/l10n-bundles.test.ts collects
 * them from src/ as keys that every bundle must translate.
 */

/** A max |Δ| (or any error measure): 2 digits in exponent form; not finite when shapes differ or the run failed. */
export interface ErrorArg {
  error: number;
}

/** Items shown one after another, `by` between them (`; ` or `, `). */
export interface ListArg {
  list: PhraseArg[];
  by: '; ' | ', ';
}

/**
 * A string is shown as it is (a layer's name, a dtype, a shape, a file); a number is an integer (a count, an index,
 * grouped for the language in the page); anything worded is a Phrase of its own.
 */
export type PhraseArg = string | number | Phrase | ErrorArg | ListArg;

export interface Phrase {
  message: string;
  args: PhraseArg[];
}

export const phrase = (message: string, ...args: PhraseArg[]): Phrase => ({ message, args });

/** Text that is not worded by this code (an exception's message, a user's name): shown as it is in every language. */
export const verbatim = (text: string): Phrase => ({ message: '{0}', args: [text] });

export const errorArg = (error: number): ErrorArg => ({ error });

export const listArg = (list: PhraseArg[], by: ListArg['by']): ListArg => ({ list, by });

export const isPhrase = (x: unknown): x is Phrase => typeof x === 'object' && x !== null && 'message' in x && 'args' in x;

/** A max |Δ| as the CLI writes it. */
export function fmtError(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : 'shapes differ / run failed';
}

/** The not-finite case of an ErrorArg, worded (the page translates it; `fmtError` is its English). */
export const ERROR_NOT_FINITE = phrase('shapes differ / run failed');

/**
 * `p` in English, placeholders filled, with `render` for the arguments that are not plain text (the page passes
 * its own, which formats numbers for the display language and looks messages up in its bundle).
 */
export function fill(message: string, args: readonly PhraseArg[], render: (a: PhraseArg) => string): string {
  return message.replace(/\{(\d+)\}/g, (whole, i: string) => {
    const a = args[Number(i)];
    return a === undefined ? whole : render(a);
  });
}

/** A phrase in English, as the CLI and the logs write it. */
export function english(p: Phrase | string): string {
  return typeof p === 'string' ? p : fill(p.message, p.args, englishArg);
}

function englishArg(a: PhraseArg): string {
  if (typeof a === 'string') return a;
  if (typeof a === 'number') return String(a);
  if ('error' in a) return fmtError(a.error);
  if ('list' in a) return a.list.map(englishArg).join(a.by);
  return english(a);
}
