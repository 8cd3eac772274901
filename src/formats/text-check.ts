/**
 * The editor-independent half of the Problems diagnostics: which JSON documents are Cellscope files, which loader
 * reads each, and the LoadError it throws turned into a message and a text range. No `vscode` import, so the CLI and
 * plain node tests can use it too.
 */
import { parseTree, type Node } from 'jsonc-parser';
import { loadArrayBytes, loadExpectedBytes, loadModelText, loadRecordingBytes, LoadError, type LoadLimits } from './index';
import { INPUT_NAME, MODEL_FORMATS, RECORDING_FORMAT, RECORDING_NAME } from './cellscope-files';
import { renderLoadErrorBody } from './load-error';

/** model: a fixture or Keras export; recording: expected outputs; input: an input array. */
export type CellscopeKind = 'model' | 'recording' | 'input';

/** Top-level keys and the `format` string of a JSON object text, tolerant of syntax errors further on. */
export function topLevelInfo(text: string): { keys: Set<string>; format: string | undefined } | undefined {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!/^\s*\{/.test(body)) return undefined;
  let root: Node | undefined;
  try {
    root = parseTree(body, [], { allowTrailingComma: true, disallowComments: false });
  } catch {
    root = undefined;
  }
  const keys = new Set<string>();
  let format: string | undefined;
  if (root?.type === 'object') {
    for (const prop of root.children ?? []) {
      const [k, v] = prop.children ?? [];
      if (k?.type !== 'string' || typeof k.value !== 'string') continue;
      keys.add(k.value);
      if (k.value === 'format' && v?.type === 'string' && typeof v.value === 'string') format ??= v.value;
    }
  }
  // A document broken early on: the format field, if it is there, still tells what the file is.
  format ??= /^\s*\{\s*"format"\s*:\s*"([^"]*)"/.exec(body)?.[1];
  return { keys, format };
}

/**
 * What kind of Cellscope file the text is, or undefined for JSON that is none of Cellscope's business.
 * `baseName` is the file name without folders; `modelInFolder` says whether a model file sits beside it.
 */
export function cellscopeKind(text: string, baseName: string, modelInFolder: boolean): CellscopeKind | undefined {
  const info = topLevelInfo(text);
  if (info?.format !== undefined) {
    if (MODEL_FORMATS.includes(info.format)) return 'model';
    if (info.format === RECORDING_FORMAT) return 'recording';
  }
  if (info && info.keys.has('model') && info.keys.has('weights')) return 'model';
  if (modelInFolder && INPUT_NAME.test(baseName)) return 'input';
  if (modelInFolder && RECORDING_NAME.test(baseName)) return 'recording';
  return undefined;
}

export interface TextProblem {
  /** The LoadError's text without the `file:line:column:` prefix. */
  message: string;
  /** Character range in the text; undefined when the error is about the file as a whole. */
  offset?: number;
  length?: number;
  line?: number;
  column?: number;
  error: LoadError;
}

/** The LoadError's message without its leading `file[:line:column]:` (the Problems panel shows the place itself). */
export function messageWithoutFile(e: LoadError): string {
  return renderLoadErrorBody(e.details);
}

/** Runs the loader for `kind` on the text; undefined when it loads. Non-LoadError failures are rethrown. */
export function checkText(text: string, kind: CellscopeKind, fileName: string, limits?: Partial<LoadLimits>): TextProblem | undefined {
  try {
    if (kind === 'model') loadModelText(text, fileName, limits);
    else {
      const bytes = new TextEncoder().encode(text);
      if (kind === 'input') loadArrayBytes(bytes, fileName, limits);
      else if (topLevelInfo(text)?.format === RECORDING_FORMAT) loadRecordingBytes(bytes, fileName, limits);
      else loadExpectedBytes(bytes, fileName, limits);
    }
    return undefined;
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    const d = e.details;
    return {
      message: messageWithoutFile(e),
      ...(d.offset !== undefined ? { offset: d.offset, length: d.length ?? 1 } : {}),
      ...(d.line !== undefined ? { line: d.line, column: d.column ?? 1 } : {}),
      error: e,
    };
  }
}
