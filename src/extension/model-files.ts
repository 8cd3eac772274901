/** Finds the files in the workspace that Cellscope can load, without parsing any of them fully. */
import * as vscode from 'vscode';
import { MODEL_FORMATS, TFJS_MODEL_PATH } from '../formats/cellscope-files';

const EXCLUDE = '{**/node_modules/**,**/.git/**,**/.venv/**,**/venv/**,**/__pycache__/**}';
const MAX_FILES = 2000;
/** Bytes looked at to recognise a JSON model; `"format"` is first in our fixtures, keys can be anywhere otherwise. */
const HEAD_BYTES = 4096;
const MAX_FULL_SCAN_BYTES = 16 * 1024 * 1024;

const FORMAT_FIELD = /"format"\s*:\s*"([^"]*)"/;
const MODEL_KEY = /"model"\s*:/;
const WEIGHTS_KEY = /"weights"\s*:/;

/** Does this JSON text look like something `loadModelBytes` understands? */
export function looksLikeModelJson(head: string, whole?: string): boolean {
  const format = FORMAT_FIELD.exec(head)?.[1];
  if (format !== undefined) return MODEL_FORMATS.includes(format);
  const text = whole ?? head;
  return MODEL_KEY.test(text) && WEIGHTS_KEY.test(text);
}

async function isModelJson(uri: vscode.Uri): Promise<boolean> {
  if (TFJS_MODEL_PATH.test(uri.path)) return true;
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    // Regular files only: a FIFO or a device says size 0 and would never finish reading.
    if ((stat.type & vscode.FileType.File) === 0 || stat.size > MAX_FULL_SCAN_BYTES) return false;
    const bytes = await vscode.workspace.fs.readFile(uri);
    const decoder = new TextDecoder();
    const head = decoder.decode(bytes.subarray(0, HEAD_BYTES));
    if (looksLikeModelJson(head)) return true;
    return bytes.length > HEAD_BYTES && looksLikeModelJson(head, decoder.decode(bytes));
  } catch {
    return false;
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Model files in the workspace, sorted by path. */
export async function findModelFiles(token?: vscode.CancellationToken): Promise<vscode.Uri[]> {
  const [json, binary] = await Promise.all([
    vscode.workspace.findFiles('**/*.json', EXCLUDE, MAX_FILES, token),
    vscode.workspace.findFiles('**/*.{keras,h5,hdf5,pt,pth,safetensors,onnx}', EXCLUDE, MAX_FILES, token),
  ]);
  const keep = await mapLimit(json, 8, isModelJson);
  const found = [...json.filter((_, i) => keep[i]), ...binary];
  return found.sort((a, b) => a.path.localeCompare(b.path));
}
