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

export function renderLoadError(d: LoadErrorDetails): string {
  const where = d.path.length ? ` \`${formatJsonPath(d.path)}\`` : '';
  const subject = d.subject ? ` (${d.subject})` : '';
  const found = d.found !== undefined ? `; found ${d.found}` : '';
  const hint = d.hint ? `. Hint: ${d.hint}` : '';
  const position = d.line !== undefined ? `:${d.line}:${d.column ?? 1}` : '';
  return `${d.file}${position}:${where}${subject} expected ${d.expected}${found}${hint}`;
}

/** Short description of a JSON value for "found ..." texts. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
