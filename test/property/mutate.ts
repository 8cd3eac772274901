/**
 * Mutations of real, valid files: JSON-level (wrong types, dropped keys, changed shapes, NaN/Infinity, absurd
 * sizes, deep nesting), text-level (truncation, flipped bytes) and byte-level (truncation, flips, overwritten
 * ranges) ones. Each mutation is a plain record of small numbers, so fast-check shrinks it to the smallest failing
 * case, and a description that names what was done, for failure and hang reports.
 */
import fc from 'fast-check';

// ---- JSON ---------------------------------------------------------------------------------------------------

type Path = (string | number)[];

/** Values written in place of a real one: every JSON type, absurd sizes, and Python's NaN / Infinity (as text). */
export const REPLACEMENTS: readonly unknown[] = [
  null, true, false, 0, -1, 1, 0.5, -0.5, 1e9, 2 ** 31, 2 ** 53, 1e300, 65536, 3, '', 'x', 'LSTM', 'tanh', 'unknown_activation',
  'NoSuchLayer', 'float32', [], [0], [[]], [null], ['x'], {}, { a: 1 }, { class_name: 'Dense', config: {} }, '__NaN__', '__Infinity__', '__-Infinity__',
];

/** Integers that make shapes and units absurd. */
export const ABSURD_INTS: readonly number[] = [0, -1, 1, 2, 7, 1000, 65535, 1e6, 1e7, 2 ** 28 + 1, 2 ** 31, 2 ** 32, 1e12, 2 ** 53, 1.5];

export interface JsonMutation {
  kind: 'replace' | 'drop' | 'truncateArray' | 'extendArray' | 'wrap' | 'unwrap' | 'absurdInt' | 'nonFinite' | 'deep' | 'swapSiblings';
  /** Which node (index into the node list, modulo its length). */
  node: number;
  /** A parameter: replacement index, new length, nesting depth, … */
  arg: number;
}

export const jsonMutationArb: fc.Arbitrary<JsonMutation> = fc.record({
  kind: fc.constantFrom<JsonMutation['kind']>('replace', 'drop', 'truncateArray', 'extendArray', 'wrap', 'unwrap', 'absurdInt', 'nonFinite', 'deep', 'swapSiblings'),
  node: fc.nat({ max: 1 << 20 }),
  arg: fc.nat({ max: 1 << 16 }),
});

export interface TextMutation {
  kind: 'truncate' | 'flip' | 'insert' | 'none';
  at: number;
  arg: number;
}

export const textMutationArb: fc.Arbitrary<TextMutation> = fc.record({
  kind: fc.constantFrom<TextMutation['kind']>('none', 'none', 'none', 'none', 'none', 'none', 'truncate', 'flip', 'insert'),
  at: fc.nat({ max: 1 << 24 }),
  arg: fc.nat({ max: 255 }),
});

/** Paths of the document's nodes; arrays of numbers list only themselves and their first and last element. */
function nodePaths(doc: unknown): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, path: Path, depth: number): void => {
    out.push(path);
    if (depth > 40 || out.length > 50_000) return;
    if (Array.isArray(v)) {
      const numeric = v.length > 2 && v.every((x) => typeof x === 'number');
      const idx = numeric ? [0, v.length - 1] : v.length > 64 ? [0, 1, Math.floor(v.length / 2), v.length - 1] : v.map((_, i) => i);
      for (const i of idx) walk(v[i], [...path, i], depth + 1);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k], depth + 1);
    }
  };
  walk(doc, [], 0);
  return out;
}

function get(doc: unknown, path: Path): unknown {
  let v: any = doc;
  for (const k of path) v = v?.[k];
  return v;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

const DEEP = '__DEEP__';

/** Applies the mutations to a copy of `doc`; returns the JSON text (NaN, Infinity and deep nesting spliced in). */
export function mutateJson(doc: unknown, mutations: readonly JsonMutation[]): { text: string; desc: string } {
  let root: unknown = clone(doc);
  const descs: string[] = [];
  let deep: { depth: number; open: string; close: string } | undefined;
  for (const m of mutations) {
    const paths = nodePaths(root);
    const path = paths[m.node % paths.length]!;
    const target = get(root, path);
    const parent = path.length ? get(root, path.slice(0, -1)) : undefined;
    const key = path[path.length - 1];
    const where = JSON.stringify(path);
    const set = (v: unknown) => {
      if (!path.length) root = v;
      else (parent as any)[key as any] = v;
    };
    switch (m.kind) {
      case 'replace': {
        const v = REPLACEMENTS[m.arg % REPLACEMENTS.length];
        set(clone(v));
        descs.push(`replace ${where} with ${JSON.stringify(v)}`);
        break;
      }
      case 'drop':
        if (!path.length) break;
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete (parent as any)[key as string];
        descs.push(`drop ${where}`);
        break;
      case 'truncateArray':
        if (Array.isArray(target)) {
          target.length = target.length ? m.arg % target.length : 0;
          descs.push(`truncate array ${where} to ${target.length}`);
        }
        break;
      case 'extendArray':
        if (Array.isArray(target)) {
          const extra = 1 + (m.arg % 3);
          for (let i = 0; i < extra; i++) target.push(target.length ? clone(target[target.length - 1]) : 0);
          descs.push(`extend array ${where} by ${extra}`);
        }
        break;
      case 'wrap':
        set([target]);
        descs.push(`wrap ${where} in a list`);
        break;
      case 'unwrap':
        if (Array.isArray(target)) {
          set(target[0]);
          descs.push(`unwrap ${where}`);
        }
        break;
      case 'absurdInt': {
        // On a number: replace it; on an array of sizes: scale one entry.
        const v = ABSURD_INTS[m.arg % ABSURD_INTS.length]!;
        if (Array.isArray(target) && target.length && target.every((x) => typeof x === 'number' || x === null)) {
          const i = (m.arg >> 4) % target.length;
          target[i] = v;
          descs.push(`set ${where}[${i}] to ${v}`);
        } else {
          set(v);
          descs.push(`set ${where} to ${v}`);
        }
        break;
      }
      case 'nonFinite': {
        const token = ['__NaN__', '__Infinity__', '__-Infinity__'][m.arg % 3]!;
        if (Array.isArray(target) && target.length && typeof target[0] === 'number') {
          const i = (m.arg >> 2) % target.length;
          target[i] = token;
          descs.push(`${token.slice(2, -2)} at ${where}[${i}]`);
        } else {
          set(token);
          descs.push(`${token.slice(2, -2)} at ${where}`);
        }
        break;
      }
      case 'deep': {
        if (deep) break;
        const depth = [64, 1000, 20_000, 200_000][m.arg % 4]!;
        const arrays = (m.arg >> 2) % 2 === 0;
        deep = { depth, open: arrays ? '[' : '{"a":', close: arrays ? ']' : '}' };
        set(DEEP);
        descs.push(`nest ${where} ${depth} levels deep in ${arrays ? 'arrays' : 'objects'}`);
        break;
      }
      case 'swapSiblings':
        if (Array.isArray(parent) && parent.length > 1) {
          const j = ((key as number) + 1 + (m.arg % (parent.length - 1))) % parent.length;
          [parent[key as number], parent[j]] = [parent[j], parent[key as number]];
          descs.push(`swap ${where} with index ${j}`);
        }
        break;
    }
  }
  let text = JSON.stringify(root) ?? ""; // an unwrapped empty list leaves nothing: an empty file
  text = text.replace(/"__(-?Infinity|NaN)__"/g, '$1');
  if (deep) text = text.replace(`"${DEEP}"`, () => deep!.open.repeat(deep!.depth) + '1' + deep!.close.repeat(deep!.depth));
  return { text, desc: descs.join('; ') || 'unchanged' };
}

export function mutateText(text: string, m: TextMutation): { text: string; desc: string } {
  if (m.kind === 'none' || !text.length) return { text, desc: '' };
  const at = m.at % text.length;
  switch (m.kind) {
    case 'truncate':
      return { text: text.slice(0, at), desc: `text truncated at ${at}` };
    case 'flip': {
      const c = String.fromCharCode(text.charCodeAt(at) ^ (1 + (m.arg % 127)));
      return { text: text.slice(0, at) + c + text.slice(at + 1), desc: `char ${at} flipped` };
    }
    case 'insert': {
      const pieces = [',', ']', '}', '[', '{', '"', 'NaN', '-', 'e', '1e999', '\u0000', '\uFEFF'];
      const p = pieces[m.arg % pieces.length]!;
      return { text: text.slice(0, at) + p + text.slice(at), desc: `${JSON.stringify(p)} inserted at ${at}` };
    }
  }
}

// ---- bytes --------------------------------------------------------------------------------------------------

export interface ByteMutation {
  kind: 'truncate' | 'flip' | 'fill' | 'flipHead';
  at: number;
  len: number;
  value: number;
}

export const byteMutationArb: fc.Arbitrary<ByteMutation> = fc.record({
  kind: fc.constantFrom<ByteMutation['kind']>('truncate', 'flip', 'flip', 'fill', 'flipHead', 'flipHead'),
  at: fc.nat({ max: 1 << 24 }),
  len: fc.integer({ min: 1, max: 64 }),
  value: fc.nat({ max: 255 }),
});

export function mutateBytes(bytes: Uint8Array, mutations: readonly ByteMutation[]): { bytes: Uint8Array; desc: string } {
  let out = bytes.slice();
  const descs: string[] = [];
  for (const m of mutations) {
    if (!out.length) break;
    switch (m.kind) {
      case 'truncate': {
        const at = m.at % out.length;
        out = out.slice(0, at);
        descs.push(`truncated to ${at} bytes`);
        break;
      }
      case 'flip':
      case 'flipHead': {
        // flipHead: inside the first 4 KiB, where HDF5 superblocks, object headers and zip headers sit.
        const span = m.kind === 'flipHead' ? Math.min(out.length, 4096) : out.length;
        const at = m.at % span;
        out[at] = out[at]! ^ (1 + (m.value % 255));
        descs.push(`byte ${at} xor ${1 + (m.value % 255)}`);
        break;
      }
      case 'fill': {
        const at = m.at % out.length;
        const v = m.value % 2 ? 0xff : 0x00;
        out.fill(v, at, at + m.len * 16);
        descs.push(`bytes ${at}..${at + m.len * 16} set to ${v}`);
        break;
      }
    }
  }
  return { bytes: out, desc: descs.join('; ') };
}

/** Sets a member's uncompressed size in its central directory entry and/or local header. */
export function patchDeclaredSize(zip: Uint8Array, member: string, size: number, central: boolean, local: boolean): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  for (let i = 0; i + 30 < out.length; i++) {
    const sig = view.getUint32(i, true);
    if (central && sig === 0x02014b50 && i + 46 <= out.length) {
      const n = view.getUint16(i + 28, true);
      if (new TextDecoder().decode(out.subarray(i + 46, i + 46 + n)) === member) view.setUint32(i + 24, size, true);
    } else if (local && sig === 0x04034b50) {
      const n = view.getUint16(i + 26, true);
      if (new TextDecoder().decode(out.subarray(i + 30, i + 30 + n)) === member) view.setUint32(i + 22, size, true);
    }
  }
  return out;
}
