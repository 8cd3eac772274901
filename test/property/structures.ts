/**
 * Generators of hostile *structures* (issue 18), where mutate.ts changes bytes and values: HDF5 B-trees rewired into
 * cycles and DAGs, entry counts and chunk keys changed, chunks pointed at zlib bombs, symbol-table entries pointed at
 * their parents; zips with nested archives and repeated members; custom cells with huge derived sizes and deep
 * expressions; special files. Each generator gives bytes (or a path) and a description for reports.
 */
import fc from 'fast-check';
import { zlibSync, zipSync } from 'fflate';

// ---- HDF5 ------------------------------------------------------------------------------------------------------

/** Byte offsets of a signature ("TREE", "SNOD") in a file. */
export function findAll(bytes: Uint8Array, sig: string): number[] {
  const out: number[] = [];
  const s = [...sig].map((c) => c.charCodeAt(0));
  for (let i = 0; i + 4 <= bytes.length; i++) if (bytes[i] === s[0] && bytes[i + 1] === s[1] && bytes[i + 2] === s[2] && bytes[i + 3] === s[3]) out.push(i);
  return out;
}

export type H5Mutation =
  | { k: 'child'; node: number; entry: number; to: 'tree' | 'snod' | 'self' | 'random'; target: number }
  | { k: 'entries'; node: number; value: number }
  | { k: 'level'; node: number; value: number }
  | { k: 'chunk-size'; node: number; entry: number; value: number }
  | { k: 'chunk-offset'; node: number; entry: number; dim: number; value: number }
  | { k: 'bomb'; node: number; entry: number; megabytes: number }
  | { k: 'snod-entry'; snod: number; entry: number; to: 'parent' | 'sibling' | 'tree'; target: number };

const idx = fc.nat({ max: 1000 });
export const h5MutationArb: fc.Arbitrary<H5Mutation> = fc.oneof(
  fc.record({ k: fc.constant('child' as const), node: idx, entry: idx, to: fc.constantFrom('tree' as const, 'snod' as const, 'self' as const, 'random' as const), target: fc.nat() }),
  fc.record({ k: fc.constant('entries' as const), node: idx, value: fc.constantFrom(0, 1, 2, 63, 64, 65, 1000, 65535) }),
  fc.record({ k: fc.constant('level' as const), node: idx, value: fc.constantFrom(0, 1, 2, 5, 255) }),
  fc.record({ k: fc.constant('chunk-size' as const), node: idx, entry: idx, value: fc.constantFrom(0, 1, 4, 100, 2 ** 20, 2 ** 31, 2 ** 32 - 1) }),
  fc.record({ k: fc.constant('chunk-offset' as const), node: idx, entry: idx, dim: fc.nat({ max: 2 }), value: fc.constantFrom(0, 1, 2, 16, 31, 32, 2 ** 31, 2 ** 52) }),
  fc.record({ k: fc.constant('bomb' as const), node: idx, entry: idx, megabytes: fc.constantFrom(1, 16, 128) }),
  fc.record({ k: fc.constant('snod-entry' as const), snod: idx, entry: idx, to: fc.constantFrom('parent' as const, 'sibling' as const, 'tree' as const), target: fc.nat() }),
);

/** zlib streams of N MB of zeros, made once per size (a 1 GB bomb compresses to ~1 MB). */
const bombs = new Map<number, Uint8Array>();
function bomb(mb: number): Uint8Array {
  let b = bombs.get(mb);
  if (!b) {
    // Compress 1 MB and repeat its deflate body is not valid; compress the whole thing once (fast for zeros).
    b = zlibSync(new Uint8Array(mb * 1024 * 1024), { level: 9 });
    bombs.set(mb, b);
  }
  return b;
}

const put64 = (v: DataView, at: number, x: number) => v.setBigUint64(at, BigInt(x), true);

/** Applies structural mutations to an HDF5 file (a copy; appended data grows it). */
export function mutateH5(seed: Uint8Array, mutations: readonly H5Mutation[]): { bytes: Uint8Array; desc: string } {
  let bytes = seed.slice();
  const descs: string[] = [];
  for (const m of mutations) {
    const trees = findAll(bytes, 'TREE');
    const snods = findAll(bytes, 'SNOD');
    let view = new DataView(bytes.buffer);
    const treeNode = (i: number) => trees[i % Math.max(1, trees.length)];
    const entryAt = (node: number, entry: number): { key: number; child: number; type: number } | undefined => {
      const type = bytes[node + 4]!;
      const entries = view.getUint16(node + 6, true);
      if (!entries) return undefined;
      const e = entry % entries;
      // Chunk keys: 8 bytes + 8 per dimension (rank + 1: the seed's datasets are 2-D, so 3 × 8).
      const keySize = type === 0 ? 8 : 8 + 8 * 3;
      const key = node + 24 + e * (keySize + 8);
      return key + keySize + 8 <= bytes.length ? { key, child: key + keySize, type } : undefined;
    };
    switch (m.k) {
      case 'child': {
        const n = treeNode(m.node);
        const e = n === undefined ? undefined : entryAt(n, m.entry);
        if (!e) continue;
        const to = m.to === 'tree' ? trees[m.target % trees.length]! : m.to === 'snod' ? (snods[m.target % Math.max(1, snods.length)] ?? 0) : m.to === 'self' ? n! : m.target % bytes.length;
        put64(view, e.child, to);
        descs.push(`TREE@${n} entry ${m.entry} → ${m.to} ${to}`);
        break;
      }
      case 'entries':
      case 'level': {
        const n = treeNode(m.node);
        if (n === undefined) continue;
        if (m.k === 'entries') view.setUint16(n + 6, m.value, true);
        else bytes[n + 5] = m.value;
        descs.push(`TREE@${n} ${m.k} = ${m.value}`);
        break;
      }
      case 'chunk-size':
      case 'chunk-offset':
      case 'bomb': {
        const chunkTrees = trees.filter((t) => bytes[t + 4] === 1 && bytes[t + 5] === 0);
        const n = chunkTrees[m.node % Math.max(1, chunkTrees.length)];
        const e = n === undefined ? undefined : entryAt(n, m.entry);
        if (!e) continue;
        if (m.k === 'chunk-size') view.setUint32(e.key, m.value, true);
        else if (m.k === 'chunk-offset') put64(view, e.key + 8 + 8 * m.dim, m.value);
        else {
          const b = bomb(m.megabytes);
          const at = bytes.length;
          const grown = new Uint8Array(at + b.length);
          grown.set(bytes);
          grown.set(b, at);
          bytes = grown;
          view = new DataView(bytes.buffer);
          view.setUint32(e.key, b.length, true);
          put64(view, e.child, at);
        }
        descs.push(`chunk TREE@${n} entry ${m.entry}: ${m.k} ${'value' in m ? m.value : `${m.megabytes} MB`}`);
        break;
      }
      case 'snod-entry': {
        const s = snods[m.snod % Math.max(1, snods.length)];
        if (s === undefined) continue;
        const count = view.getUint16(s + 6, true);
        if (!count) continue;
        const e = s + 8 + (m.entry % count) * 40;
        if (e + 40 > bytes.length) continue;
        // Object header address of the entry: the header of another entry, or a B-tree node's address.
        const other = s + 8 + (m.target % count) * 40;
        const to = m.to === 'tree' ? trees[m.target % Math.max(1, trees.length)]! : m.to === 'sibling' ? Number(view.getBigUint64(other + 8, true)) : 96;
        put64(view, e + 8, to);
        descs.push(`SNOD@${s} entry ${m.entry} header → ${m.to} ${to}`);
        break;
      }
    }
  }
  return { bytes, desc: descs.join('; ') || 'unchanged' };
}

// ---- zips -------------------------------------------------------------------------------------------------------

export interface ZipShape {
  members: { name: 'config.json' | 'metadata.json' | 'model.weights.h5' | 'inner.keras' | 'x'; payload: 'seed' | 'nested' | 'empty' | 'zeros' }[];
  /** Rename the second member to the first's name (a repeated member). */
  repeat: boolean;
  nestDepth: number;
}

export const zipShapeArb: fc.Arbitrary<ZipShape> = fc.record({
  members: fc.array(
    fc.record({
      name: fc.constantFrom('config.json' as const, 'metadata.json' as const, 'model.weights.h5' as const, 'inner.keras' as const, 'x' as const),
      payload: fc.constantFrom('seed' as const, 'nested' as const, 'empty' as const, 'zeros' as const),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  repeat: fc.boolean(),
  nestDepth: fc.nat({ max: 4 }),
});

/** A .keras-like archive from the seed's members, nesting archives and repeating names as the shape says. */
export function buildZip(seed: Record<string, Uint8Array<ArrayBuffer>> | Record<string, Uint8Array>, shape: ZipShape): { bytes: Uint8Array; desc: string } {
  const nested = (depth: number): Uint8Array => (depth <= 0 ? zipSync(seed) : zipSync({ 'inner.keras': nested(depth - 1), ...seed }));
  const files: Record<string, Uint8Array> = {};
  shape.members.forEach((m, i) => {
    const data = m.payload === 'seed' ? (seed[m.name] ?? new Uint8Array()) : m.payload === 'nested' ? nested(shape.nestDepth) : m.payload === 'zeros' ? new Uint8Array(1 << 20) : new Uint8Array();
    // A name already taken gets its last character replaced by a digit: same length, so `repeat` can restore it.
    files[m.name in files ? `${m.name.slice(0, -1)}${i % 10}` : m.name] = data;
  });
  let bytes: Uint8Array = zipSync(files);
  const names = Object.keys(files);
  if (shape.repeat && names.length >= 2) {
    // Same-length names: rewrite the second to the first wherever it appears (local and central headers).
    const a = names[0]!;
    const b = names.find((n) => n !== a && n.length === a.length);
    if (b) bytes = replaceAll(bytes, b, a);
  }
  return { bytes, desc: `members ${names.join(', ')}${shape.repeat ? ' (repeated)' : ''}, nesting ${shape.nestDepth}` };
}

function replaceAll(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const f = new TextEncoder().encode(from);
  const t = new TextEncoder().encode(to);
  const out = bytes.slice();
  for (let i = 0; i + f.length <= out.length; i++) {
    let hit = true;
    for (let k = 0; k < f.length && hit; k++) hit = out[i + k] === f[k];
    if (hit) out.set(t, i);
  }
  return out;
}

// ---- custom cells -----------------------------------------------------------------------------------------------

export interface CellShape {
  units: number;
  states: number;
  initial: boolean;
  depth: number;
  nesting: 'parens' | 'signs' | 'chain' | 'calls' | 'concat';
  weightRefs: number;
  weightName: string;
}

export const cellShapeArb: fc.Arbitrary<CellShape> = fc.record({
  units: fc.constantFrom(1, 2, 16, 1000, 1e6, 1e8, 1e9, 1e12, 2 ** 53),
  states: fc.integer({ min: 1, max: 6 }),
  initial: fc.boolean(),
  depth: fc.constantFrom(1, 10, 100, 255, 256, 257, 1000, 5000),
  nesting: fc.constantFrom('parens' as const, 'signs' as const, 'chain' as const, 'calls' as const, 'concat' as const),
  weightRefs: fc.constantFrom(0, 1, 10, 1500),
  weightName: fc.constantFrom('W', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'),
});

/** A keras-model-fixture/v1 text with one CustomCell of that shape (weights real only while small). */
export function buildCell(c: CellShape): { text: string; desc: string } {
  const names = Array.from({ length: c.states }, (_, i) => (i ? `s${i}` : 'h'));
  const core = c.weightRefs ? Array.from({ length: c.weightRefs }, () => `${c.weightName} @ h`).join(' + ') : 'h';
  const d = c.depth;
  const expr =
    c.nesting === 'parens' ? `${'('.repeat(d)}${core}${')'.repeat(d)}` : c.nesting === 'signs' ? `${'-'.repeat(d)}(${core})` : c.nesting === 'chain' ? `${core}${' + h'.repeat(d)}` : c.nesting === 'calls' ? `${'tanh('.repeat(d)}${core}${')'.repeat(d)}` : `${'concat('.repeat(d)}${core}${')'.repeat(d)}`;
  const small = c.units <= 64;
  const weights = c.weightRefs && small ? [{ name: c.weightName, shape: [c.units, c.units], dtype: 'float32', data: new Array(c.units * c.units).fill(0.01) }] : [];
  const doc = {
    format: 'keras-model-fixture/v1',
    layers: [
      {
        class_name: 'CustomCell',
        config: { name: 'cell', units: c.units, input_shape: [null, 1], states: names.map((n) => (c.initial ? { name: n, initial: 0.5 } : n)), updates: { h: expr } },
        weights,
      },
    ],
  };
  return { text: JSON.stringify(doc), desc: `units ${c.units}, ${c.states} states${c.initial ? ' (initial 0.5)' : ''}, ${c.nesting} ×${d}, ${c.weightRefs} refs to ${c.weightName}` };
}

// ---- special files ----------------------------------------------------------------------------------------------

export type SpecialKind = 'fifo' | 'directory' | 'dev-zero' | 'dev-null' | 'link-loop' | 'dangling' | 'link-to-dir' | 'regular-empty';
export const specialKindArb: fc.Arbitrary<SpecialKind> = fc.constantFrom('fifo', 'directory', 'dev-zero', 'dev-null', 'link-loop', 'dangling', 'link-to-dir', 'regular-empty');
