/**
 * What marks a JSON file as Cellscope's business: the format tags and file names the loaders, the Problems
 * diagnostics and the model finder go by. No runtime imports: the small activation bundle uses it to decide, without
 * loading the rest of the extension, whether a document needs it.
 */

/** `format` tags of model files; other tagged files (recordings, indexes) are not models. */
export const MODEL_FORMATS: readonly string[] = ['keras-model-fixture/v1', 'keras-recorded-fixture/v1', 'keras-export/v1'];
export const RECORDING_FORMAT = 'cellscope-recording/v1';

/** `input*.json` / `recording*.json`: inputs and expected outputs, when a model sits in the same folder. */
export const INPUT_NAME = /^input[^/\\]*\.json$/i;
export const RECORDING_NAME = /^recording[^/\\]*\.json$/i;
/** Sibling names that mean "a model lives in this folder". */
export const MODEL_SIBLING_NAME = /(\.keras|\.h5|\.hdf5|\.cellscope\.json|\.cellscope-fixture\.json)$|^model[^/\\]*\.json$/i;
/** Documents above this many characters are not checked while typing (the panel and CLI still load them). */
export const MAX_CHECKED_CHARS = 5 * 1024 * 1024;

/** A TF.js layers model: its JSON names neither a format nor weights (they sit beside it in shards). */
export const TFJS_MODEL_PATH = /(^|\/)model\.json$/;

/** The last segment of a URI path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A JSON document, by language or by file name (whatever its scheme). */
export function isJsonDocument(doc: { languageId: string; uri: { path: string } }): boolean {
  return doc.languageId === 'json' || doc.languageId === 'jsonc' || doc.uri.path.toLowerCase().endsWith('.json');
}

/**
 * Could the JSON text at `path` be a Cellscope model, input or recording? Plain substring tests, deliberately
 * generous: false only where the real checks (the diagnostics' parsed top-level keys and format, the editor button's
 * `looksLikeModelJson`) would surely say no too. Only the first MAX_CHECKED_CHARS count: a longer document gets no
 * diagnostics, and the button looks at its first few kilobytes.
 */
export function mayBeCellscopeJson(path: string, text: string): boolean {
  const name = baseName(path);
  if (TFJS_MODEL_PATH.test(path) || INPUT_NAME.test(name) || RECORDING_NAME.test(name)) return true;
  const plain = withoutEscapes(text.length > MAX_CHECKED_CHARS ? text.slice(0, MAX_CHECKED_CHARS) : text);
  if (MODEL_FORMATS.some((f) => plain.includes(f)) || plain.includes(RECORDING_FORMAT)) return true;
  return plain.includes('"model"') && plain.includes('"weights"');
}

/**
 * The text with JSON's `\uXXXX` and `\/` escapes undone, so that a key or tag spelled with them (`"mod\u0065l"`,
 * `"keras-export\/v1"`) reads as itself. Undoing an escaped backslash's neighbour by mistake only adds a "maybe".
 */
function withoutEscapes(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\u([0-9a-fA-F]{4})|\\\//g, (_, hex?: string) => (hex ? String.fromCharCode(parseInt(hex, 16)) : '/'));
}
