/**
 * The one error every loader throws for a file it cannot use. Rendered the same way by the CLI, the Problems panel
 * and the webview: file, place in the file (a JSON path or archive member), what was expected and what was found.
 */

/** Keys and indices from the document root, e.g. ['weights', 1] for `weights[1]`. */
export type JsonPath = readonly (string | number)[];

export interface LoadErrorDetails {
  file: string;
  /** Where in the file; empty for the file as a whole. */
  path: JsonPath;
  expected: string;
  found?: string;
  /** What the user can do about it. */
  hint?: string;
  /**
   * The file is sound but holds a layer only Python can run (a Lambda, a custom layer class), by name: the whole
   * model cannot run here, each recurrent layer can (layer replay on the exporter's recording).
   */
  pythonLayer?: string;
  /** What the path points at in words, e.g. `recurrent_kernel of layer "lstm"`. */
  subject?: string;
  /** Character offset in the file text, when known (for editor ranges). */
  offset?: number;
  length?: number;
  /** 1-based line and column of `offset`, when known; rendered as `file:line:column`. */
  line?: number;
  column?: number;
}

export class LoadError extends Error {
  readonly details: LoadErrorDetails;
  constructor(details: LoadErrorDetails) {
    super(renderLoadError(details));
    this.name = 'LoadError';
    this.details = details;
  }
  get file(): string {
    return this.details.file;
  }
  get path(): JsonPath {
    return this.details.path;
  }
}

/** `weights[1].data`, `model.config.layers[0]`; identifier-like keys dotted, others quoted. */
export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/**
 * The words around a LoadError's details. The CLI and the library use English; the extension host passes them in
 * the display language (src/extension/l10n.ts) while the details themselves stay as the loaders wrote them.
 */
export interface LoadErrorFrame {
  expected(what: string): string;
  /** Joined right after `expected`, separator included: `; found …`. */
  found(what: string): string;
  /** Joined at the end, separator included: `. Hint: …`. */
  hint(what: string): string;
}

const ENGLISH_FRAME: LoadErrorFrame = { expected: (x) => `expected ${x}`, found: (x) => `; found ${x}`, hint: (x) => `. Hint: ${x}` };

export function renderLoadError(d: LoadErrorDetails, frame: LoadErrorFrame = ENGLISH_FRAME): string {
  const position = d.line !== undefined ? `:${d.line}:${d.column ?? 1}` : '';
  return `${d.file}${position}: ${renderLoadErrorBody(d, frame)}`;
}

/** The message without its leading `file[:line:column]:`, for places that show the location themselves (Problems). */
export function renderLoadErrorBody(d: LoadErrorDetails, frame: LoadErrorFrame = ENGLISH_FRAME): string {
  const where = d.path.length ? `\`${formatJsonPath(d.path)}\` ` : '';
  const subject = d.subject ? `(${d.subject}) ` : '';
  const found = d.found !== undefined ? frame.found(d.found) : '';
  const hint = d.hint ? frame.hint(d.hint) : '';
  return `${where}${subject}${frame.expected(d.expected)}${found}${hint}`;
}

/** Short description of a JSON value for "found ..." texts. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
