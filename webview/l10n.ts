/**
 * The page's words and numbers in VS Code's display language. Strings are written in English in the code, as
 * `t('Step {0} of {1}', …)`, and translated through the same `l10n/bundle.l10n.<lang>.json` the host reads with
 * `vscode.l10n.t`: the host writes the display language and its bundle into the page (panelHtml), so every string
 * has one translation, shared by host and page. Numbers go through Intl.NumberFormat for that language (a decimal
 * comma in French, Portuguese and Polish, the same digits as toFixed/toPrecision); machine-readable text (CSV, JSON, the CLI) never comes here.
 */

import { ERROR_NOT_FINITE, fill, type Phrase, type PhraseArg } from '../src/phrase';

/** A bundle as vscode.l10n has it: a message by its English text (a value may carry translator comments). */
export type L10nBundle = Record<string, string | { message: string; comment?: string[] }>;

let bundle: L10nBundle = {};
let language = 'en';

/** Sets the language and bundle (from the page, or a message for the notebook renderer); unknown languages fall back to English numbers. */
export function setL10n(lang: string, b: L10nBundle): void {
  language = Intl.NumberFormat.supportedLocalesOf([lang]).length ? lang : 'en';
  bundle = b;
  grouping = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  decimalMark = new Intl.NumberFormat(language).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
}

/** Reads what panelHtml wrote: `<html lang>` and the bundle in `<meta name="cellscope-l10n">`. */
export function readL10n(doc: Document): void {
  let b: L10nBundle = {};
  try {
    b = JSON.parse(doc.querySelector('meta[name="cellscope-l10n"]')?.getAttribute('content') || '{}') as L10nBundle;
  } catch {
    // A damaged bundle must not take the panel down: English it is.
  }
  setL10n(doc.documentElement.lang || 'en', b);
}

export const displayLanguage = (): string => language;

/**
 * The display language's text for `message`, `{0}`, `{1}`… replaced by `args`. Integer arguments are grouped for
 * the language (1 234 in French); other numbers should be formatted by the caller (`fixed`, `sig`) at the precision
 * they need.
 */
export function t(message: string, ...args: (string | number)[]): string {
  const entry = bundle[message];
  const text = typeof entry === 'string' ? entry : (entry?.message ?? message);
  return text.replace(/\{(\d+)\}/g, (whole, i: string) => {
    const a = args[Number(i)];
    return a === undefined ? whole : typeof a === 'number' ? (Number.isInteger(a) ? int(a) : sig(a)) : a;
  });
}

/** The display language's decimal mark ("," in French, Portuguese and Polish). */
let decimalMark = '.';
let grouping = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** A number as JavaScript writes it (same rounding, same exponent form), with the language's decimal mark. */
const local = (s: string): string => (decimalMark === '.' ? s : s.replace('.', decimalMark));

/** A number someone else wrote as JavaScript does (an axis tick, `1.5e-3`), with the language's decimal mark. */
export const localise = local;

/** An integer (a count, an index) with the language's grouping: 12 345 in French, 12,345 in English. */
export function int(n: number): string {
  return Number.isFinite(n) ? grouping.format(n) : String(n);
}

/** `String(x)` in the display language: `0,001` for 0.001 in French. */
export const plain = (x: number): string => local(String(x));

/** `x.toFixed(digits)` in the display language: `0,125` in French. */
export const fixed = (x: number, digits: number): string => local(x.toFixed(digits));

/** `x.toPrecision(digits)` in the display language. */
export const sig = (x: number, digits = 4): string => local(x.toPrecision(digits));

/** `x.toExponential(digits)` in the display language: `1,25e-5` in French. */
export const exp = (x: number, digits: number): string => local(x.toExponential(digits));

/**
 * A text from the engine's own tables, not from this code: a quantity's description (src/engine/cells). Translated
 * when the bundle has it (test/repository/l10n-bundles.test.ts collects those texts from the cells), else as given:
 * a custom cell's descriptions are the user's own words.
 */
export function known(text: string): string {
  const entry = bundle[text];
  return typeof entry === 'string' ? entry : (entry?.message ?? text);
}

/** A quantity's description in the display language (pre-activations are described from their gate's label). */
export function describe(q: { role: string; description: string }): string {
  const pre = q.role === 'pre_activation' ? /^(.*) before its activation$/.exec(q.description) : null;
  return pre ? t('{0} before its activation', pre[1]!) : known(q.description);
}

/**
 * A sentence the core worded (src/phrase.ts: a diagnosis line, a hypothesis, the loader's semantics line) in the
 * display language: its message through the bundle, its arguments rendered here (integers grouped, an error in
 * exponent form with the language's decimal mark, lists and nested phrases in turn).
 */
export function phrase(p: Phrase): string {
  return fill(known(p.message), p.args, phraseArg);
}

function phraseArg(a: PhraseArg): string {
  if (typeof a === 'string') return a;
  if (typeof a === 'number') return Number.isInteger(a) ? int(a) : sig(a);
  if ('error' in a) return Number.isFinite(a.error) ? exp(a.error, 2) : phrase(ERROR_NOT_FINITE);
  if ('list' in a) return a.list.map(phraseArg).join(a.by);
  return phrase(a);
}
