/**
 * The input playground's pure parts, shared by the webview (text → token ids, the edited rows) and the host (the
 * edited tensor, the file it saves): no vscode, no DOM.
 */
import type { FloatArray, Tensor } from '../engine/tensor';

export interface Tokenized {
  ids: number[];
  /** Characters of the text that no vocabulary entry matches (left out of the ids), with their offset in the text. */
  unknown: { text: string; at: number }[];
}

/**
 * Text → token ids through the vocabulary: at each offset the longest entry that matches (a character model's entries
 * are single characters; a word or sub-word vocabulary works the same way). A character no entry starts with is
 * reported in `unknown` and skipped, never silently.
 */
export function tokenize(text: string, vocabulary: readonly string[]): Tokenized {
  const byFirst = new Map<string, { token: string; id: number }[]>();
  vocabulary.forEach((token, id) => {
    if (!token) return;
    const list = byFirst.get(token[0]!) ?? [];
    list.push({ token, id });
    byFirst.set(token[0]!, list);
  });
  for (const list of byFirst.values()) list.sort((a, b) => b.token.length - a.token.length || a.id - b.id);
  const ids: number[] = [];
  const unknown: Tokenized['unknown'] = [];
  for (let i = 0; i < text.length; ) {
    const hit = byFirst.get(text[i]!)?.find((e) => text.startsWith(e.token, i));
    if (hit) {
      ids.push(hit.id);
      i += hit.token.length;
    } else {
      const cp = String.fromCodePoint(text.codePointAt(i)!);
      unknown.push({ text: cp, at: i });
      i += cp.length;
    }
  }
  return { ids, unknown };
}

/** Token ids → text (an id outside the vocabulary as ⟨id⟩). */
export function detokenize(ids: ArrayLike<number>, vocabulary: readonly string[]): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) s += vocabulary[ids[i]!] ?? `⟨${ids[i]}⟩`;
  return s;
}

/** "3 characters are not in the vocabulary and were left out: “b” (at 2, 9), “h” (at 5). The vocabulary: …" */
export function unknownText(unknown: Tokenized['unknown'], vocabulary: readonly string[]): string {
  if (!unknown.length) return '';
  const where = new Map<string, number[]>();
  for (const u of unknown) where.set(u.text, [...(where.get(u.text) ?? []), u.at]);
  const list = [...where].map(([c, at]) => `“${c === '\n' ? '↵' : c}” (at ${at.slice(0, 5).join(', ')}${at.length > 5 ? ', …' : ''})`).join(', ');
  const vocab = vocabulary.length <= 100 ? vocabulary.map((t) => (t === '\n' ? '↵' : t === ' ' ? '␣' : t)).join(' ') : `${vocabulary.length} tokens`;
  const n = unknown.length;
  return `${n} character${n > 1 ? 's are' : ' is'} not in the model's vocabulary and ${n > 1 ? 'were' : 'was'} left out of the run: ${list}. The vocabulary: ${vocab}`;
}

/** One batch item's input as edited in the panel: `steps` rows of the input's features. */
export interface InputEdit {
  batch: number;
  steps: number;
  data: FloatArray;
}

/**
 * The input with one batch item replaced by its edited rows. A different length is possible when the batch holds one
 * item (typed text is as long as it is); with several, every item shares the time axis. Throws with the reason.
 */
export function applyEdit(input: Tensor, edit: InputEdit): Tensor {
  const [B = 1, T = 1] = input.shape;
  const rest = input.shape.slice(2);
  const F = rest.reduce((a, d) => a * d, 1);
  if (edit.batch >= B) throw new RangeError(`batch item ${edit.batch} is out of range (batch ${B})`);
  if (edit.data.length !== edit.steps * F) throw new RangeError(`the edited input holds ${edit.data.length} values, not ${edit.steps} steps × ${F}`);
  if (edit.steps < 1) throw new RangeError('the edited input is empty: a run needs at least one step');
  if (edit.steps !== T && B > 1) throw new RangeError(`the batch's ${B} items share one length (${T} steps): the edit has ${edit.steps}`);
  const shape = [B, edit.steps, ...rest];
  const data = input.data instanceof Float32Array ? new Float32Array(B * edit.steps * F) : new Float64Array(B * edit.steps * F);
  if (B === 1) data.set(edit.data);
  else {
    data.set(input.data);
    data.set(edit.data, edit.batch * T * F);
  }
  return { shape, data };
}

/**
 * The file "Save input as…" writes: `{shape, dtype, data}` as every Cellscope input reader (and numpy) reads it. Strict
 * JSON: ±Infinity as ±1e999 (which every JSON reader turns back into Infinity), NaN as Python's NaN token.
 */
export function inputFileText(input: Tensor, tokens: boolean): string {
  const dtype = tokens ? 'int32' : input.data instanceof Float32Array ? 'float32' : 'float64';
  const data = Array.from(input.data, (x) => (Number.isFinite(x) ? String(x) : Number.isNaN(x) ? 'NaN' : x > 0 ? '1e999' : '-1e999'));
  return `{"shape":${JSON.stringify(input.shape)},"dtype":"${dtype}","data":[${data.join(',')}]}\n`;
}
