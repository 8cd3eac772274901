/**
 * The parts of an HDF5 file that make a reader work in proportion to what the file *says* rather than to its size,
 * read here with budgets instead of by jsfive: v1 B-trees (a group's links, a dataset's chunks) walked with every
 * node address remembered, so a cycle or a node shared by two parents (a 16 KB DAG whose naive walk visits 64^4
 * leaves) ends at the first repeat; and numeric datasets decoded chunk by chunk into one Float64Array, each chunk
 * inflated into a buffer of exactly its declared size, every decoded byte and every visited node counted against
 * the load's budgets (maxDecodedBytes, maxHdf5Objects) before the work.
 *
 * Why not jsfive for these: it walks B-trees level by level without remembering addresses, inflates chunks with no
 * output bound, and builds each dataset as a JavaScript array of boxed numbers with several small arrays allocated
 * per element (a 16 M-value dataset took seconds and gigabytes). It stays the reader of the file's object headers,
 * attributes and link names, which are bounded by the file's own size; hdf5.ts guards its entry points.
 *
 * Layout references are from the HDF5 File Format Specification v3 (III.A.1 B-trees v1, III.B.1 symbol table
 * nodes, IV.A.2.i data layout, IV.A.2.l filter pipeline).
 */
import { unzlibSync } from 'fflate';
import type { Budget, LimitWhere } from './limits';
import { float16FromBits } from './half-float';

/** A structural problem in the file, in words for the `found` part of a LoadError. */
export class H5Refusal extends Error {
  constructor(
    message: string,
    /** What a sound file would have had there. */
    readonly expected: string,
  ) {
    super(message);
    this.name = 'H5Refusal';
  }
}

/** The budgets one file's reading spends, and where a refusal is reported. */
export interface H5Guard {
  visits: Budget;
  decoded: Budget;
  /** Values allocated for the file's datasets together. */
  allocated: Budget;
  where: LimitWhere;
}

/** jsfive's DataObjects, as far as it is used here (its object header, parsed; it is internal to jsfive). */
export interface JsfiveDataObjects {
  readonly offset: number;
  find_msg_type(type: number): Map<string, number>[];
  _get_data_message_properties(msgOffset: number): [number, number, number, number];
  _get_chunk_params(): void;
  readonly _chunk_address: number | null;
  readonly _chunk_dims: number | null;
  readonly _chunks: number[] | null;
  readonly filter_pipeline: Map<string, unknown>[] | null;
}

const UNDEFINED = 0xffffffffffffffffn;

/** A file address, or undefined for HDF5's "undefined address" and anything beyond 2^53 (no such file). */
function address(view: DataView, off: number): number | undefined {
  const v = view.getBigUint64(off, true);
  return v === UNDEFINED || v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
}

/** jsfive reads addresses as doubles (the undefined address becomes ~1.8e19). */
function definedAddress(a: number | null | undefined): number | undefined {
  return typeof a === 'number' && Number.isSafeInteger(a) && a >= 0 ? a : undefined;
}

function need(view: DataView, off: number, bytes: number, what: string): void {
  if (!(off >= 0 && off + bytes <= view.byteLength)) {
    throw new H5Refusal(`damaged or truncated data: ${what} at byte ${off} (${bytes} bytes) past the end of the file (${view.byteLength} bytes)`, `${what} inside the file`);
  }
}

function signature(view: DataView, off: number, sig: string): boolean {
  for (let i = 0; i < 4; i++) if (view.getUint8(off + i) !== sig.charCodeAt(i)) return false;
  return true;
}

/**
 * Walks a v1 B-tree from `root`, calling `leaf(keyOffset, child)` for each entry of its level-0 nodes. Each node is
 * counted as a visit; a node reached twice (a cycle, or a DAG whose naive walk would multiply) ends the walk.
 */
export function walkBTreeV1(view: DataView, root: number, nodeType: 0 | 1, dims: number, guard: H5Guard, leaf: (keyOffset: number, child: number) => void): void {
  const keySize = nodeType === 0 ? 8 : 8 + 8 * dims;
  const seen = new Set<number>();
  const stack: { at: number; level: number | undefined }[] = [{ at: root, level: undefined }];
  while (stack.length) {
    const { at, level: expectedLevel } = stack.pop()!;
    if (seen.has(at)) {
      throw new H5Refusal(`a B-tree node at byte ${at} reached a second time (a cycle, or one node shared by two parents)`, 'a B-tree: each node reached once');
    }
    seen.add(at);
    guard.visits.spend(1, guard.where);
    need(view, at, 24, 'a B-tree node');
    if (!signature(view, at, 'TREE') || view.getUint8(at + 4) !== nodeType) {
      throw new H5Refusal(`no version 1 B-tree node of type ${nodeType} at byte ${at}`, `a B-tree node ("TREE", type ${nodeType})`);
    }
    const level = view.getUint8(at + 5);
    if (expectedLevel !== undefined && level !== expectedLevel) {
      throw new H5Refusal(`a B-tree node at byte ${at} of level ${level} below a node of level ${expectedLevel + 1}`, 'each child one level below its parent');
    }
    const entries = view.getUint16(at + 6, true);
    need(view, at + 24, entries * (keySize + 8) + keySize, 'the entries of a B-tree node');
    for (let i = 0; i < entries; i++) {
      const keyOffset = at + 24 + i * (keySize + 8);
      const child = address(view, keyOffset + keySize);
      if (child === undefined) throw new H5Refusal(`an undefined child address in the B-tree node at byte ${at}`, 'a defined address for every child');
      if (level > 0) stack.push({ at: child, level: level - 1 });
      else leaf(keyOffset, child);
    }
  }
}

const SYMBOL_TABLE_MSG = 0x11;
const LINK_INFO_MSG = 0x02;
const DATA_LAYOUT_MSG = 0x08;

/**
 * Checks a group's link storage before jsfive lists it: a symbol table's B-tree and symbol-table nodes (each
 * visited once, each a visit), or new-style link storage whose name index is a single leaf. A multi-level v2 B-tree
 * of links is refused: jsfive walks it without remembering nodes, and Keras and h5py's default format never write one.
 */
export function checkGroupLinks(bytes: Uint8Array, dobj: JsfiveDataObjects, guard: H5Guard): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const msg of dobj.find_msg_type(SYMBOL_TABLE_MSG)) {
    const off = msg.get('offset_to_message')!;
    need(view, off, 16, 'a symbol table message');
    const btree = address(view, off);
    if (btree === undefined) continue;
    const nodes = new Set<number>();
    walkBTreeV1(view, btree, 0, 0, guard, (_key, snod) => {
      if (nodes.has(snod)) throw new H5Refusal(`a symbol table node at byte ${snod} listed twice in one group's B-tree`, 'each symbol table node listed once');
      nodes.add(snod);
      guard.visits.spend(1, guard.where);
      need(view, snod, 8, 'a symbol table node');
      if (!signature(view, snod, 'SNOD')) throw new H5Refusal(`no symbol table node at byte ${snod}`, 'a symbol table node ("SNOD")');
    });
  }
  for (const msg of dobj.find_msg_type(LINK_INFO_MSG)) {
    const off = msg.get('offset_to_message')!;
    need(view, off, 2, 'a link info message');
    const flags = view.getUint8(off + 1);
    const at = off + 2 + (flags & 1 ? 8 : 0);
    need(view, at, 16, 'a link info message');
    const names = address(view, at + 8);
    if (names === undefined) continue;
    need(view, names, 16, 'a version 2 B-tree header');
    if (!signature(view, names, 'BTHD')) throw new H5Refusal(`no version 2 B-tree header at byte ${names}`, 'a B-tree header ("BTHD")');
    const depth = view.getUint16(names + 12, true);
    if (depth > 0) {
      throw new H5Refusal(
        `a group whose links are indexed by a version 2 B-tree ${depth + 1} levels deep`,
        "links stored as Keras and h5py write them (a symbol table, or new-style links in a single B-tree leaf); save the file again with h5py's default format",
      );
    }
  }
}

// ---- numeric datasets ---------------------------------------------------------------------------------------

const DTYPE = /^([<>|=]?)([fiub])(\d+)$/;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

type Getter = (view: DataView, off: number) => number;

function getter(dtype: string): { get: Getter; size: number } {
  const m = DTYPE.exec(dtype);
  if (!m) throw new H5Refusal(`HDF5 type ${dtype}`, 'a numeric dataset (float or integer)');
  const little = m[1] !== '>';
  const size = Number(m[3]);
  const kind = `${m[2]}${size}`;
  const get: Getter | undefined = {
    f2: (v: DataView, o: number) => float16FromBits(v.getUint16(o, little)),
    // bfloat16 (`<b2`, see hdf5.ts datasetDtype): the upper half of a float32.
    b2: (v: DataView, o: number) => ((u32[0] = v.getUint16(o, little) << 16), f32[0]!),
    f4: (v: DataView, o: number) => v.getFloat32(o, little),
    f8: (v: DataView, o: number) => v.getFloat64(o, little),
    i1: (v: DataView, o: number) => v.getInt8(o),
    u1: (v: DataView, o: number) => v.getUint8(o),
    i2: (v: DataView, o: number) => v.getInt16(o, little),
    u2: (v: DataView, o: number) => v.getUint16(o, little),
    i4: (v: DataView, o: number) => v.getInt32(o, little),
    u4: (v: DataView, o: number) => v.getUint32(o, little),
    i8: (v: DataView, o: number) => Number(v.getBigInt64(o, little)),
    u8: (v: DataView, o: number) => Number(v.getBigUint64(o, little)),
  }[kind];
  if (!get) throw new H5Refusal(`HDF5 type ${dtype}`, 'a numeric dataset of 1, 2, 4 or 8-byte integers or 2, 4 or 8-byte floats');
  return { get, size };
}

const GZIP = 1;
const SHUFFLE = 2;
const FLETCHER32 = 3;

/** A chunk's bytes through the filter pipeline (last filter first), inflating into exactly `bytes` bytes. */
function unfilter(raw: Uint8Array, pipeline: Map<string, unknown>[], mask: number, itemSize: number, bytes: number): Uint8Array {
  let buf = raw;
  for (let i = pipeline.length - 1; i >= 0; i--) {
    if (mask & (1 << i)) continue;
    const id = pipeline[i]!.get('filter_id');
    if (id === FLETCHER32) {
      if (buf.length < 4) throw new H5Refusal('a chunk shorter than its Fletcher-32 checksum', 'a checksummed chunk');
      buf = buf.subarray(0, buf.length - 4);
    } else if (id === GZIP) {
      let out: Uint8Array;
      try {
        // One byte more than the chunk holds: a stream that fills it decodes to more than declared.
        out = unzlibSync(buf, { out: new Uint8Array(bytes + 1) });
      } catch (e) {
        throw new H5Refusal(`a chunk that does not inflate (${e instanceof Error ? e.message : String(e)})`, 'a gzip-compressed chunk');
      }
      if (out.length > bytes) throw new H5Refusal(`a compressed chunk that inflates to more than its ${bytes} bytes`, `chunks of ${bytes} bytes`);
      buf = out;
    } else if (id === SHUFFLE) {
      const out = new Uint8Array(buf.length);
      const n = Math.floor(buf.length / itemSize);
      for (let j = 0; j < itemSize; j++) for (let k = 0; k < n; k++) out[k * itemSize + j] = buf[j * n + k]!;
      buf = out;
    } else {
      throw new H5Refusal(`HDF5 filter ${String(id)} (only gzip, shuffle and fletcher32 are read)`, 'a dataset compressed with gzip (what h5py and Keras use)');
    }
  }
  return buf;
}

/**
 * A numeric dataset's values as float64, read from contiguous or chunked storage. `count` is the product of
 * `shape`, already checked against the per-array limits by the caller; every byte decoded is spent from the
 * file's budget before it is decoded.
 */
export function readNumeric(bytes: Uint8Array, dobj: JsfiveDataObjects, shape: readonly number[], dtype: string, guard: H5Guard): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { get, size } = getter(dtype);
  const count = shape.reduce((a, d) => a * d, 1);
  const layoutMsg = dobj.find_msg_type(DATA_LAYOUT_MSG)[0];
  if (!layoutMsg) throw new H5Refusal('no data layout message', 'a dataset with a data layout');
  const [version, , layout, props] = dobj._get_data_message_properties(layoutMsg.get('offset_to_message')!);
  // The whole dataset, before anything of it is allocated or decoded (chunks then inflate into exact-size buffers).
  guard.decoded.spend(count * size, guard.where);
  guard.allocated.spend(count, guard.where);
  if (layout === 1) {
    need(view, props, 8, 'a contiguous layout message');
    const at = address(view, props);
    if (at === undefined) throw noStorage(count, shape);
    need(view, at, count * size, 'the dataset values');
    const out = new Float64Array(count);
    const fast = floatView(new DataView(bytes.buffer, bytes.byteOffset + at, count * size), dtype);
    if (fast) out.set(fast);
    else for (let i = 0; i < count; i++) out[i] = get(view, at + i * size);
    return out;
  }
  if (layout === 0 && version === 3) {
    need(view, props, 2, 'a compact layout message');
    const stored = view.getUint16(props, true);
    if (stored < count * size) throw new H5Refusal(`${stored} bytes of compact data`, `${count * size} bytes for ${count} values`);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = get(view, props + 2 + i * size);
    return out;
  }
  if (layout !== 2) throw new H5Refusal(`data layout class ${layout}`, 'contiguous or chunked storage');
  dobj._get_chunk_params();
  const root = definedAddress(dobj._chunk_address);
  if (root === undefined) throw noStorage(count, shape);
  const dims = dobj._chunk_dims ?? 0;
  const chunk = [...(dobj._chunks ?? [])];
  const rank = shape.length;
  if (chunk.length !== rank || dims !== rank + 1 || chunk.some((c) => !(c > 0))) {
    throw new H5Refusal(`chunks of shape [${chunk.join(', ')}] for a dataset of shape [${shape.join(', ')}]`, 'one positive chunk size per dataset axis');
  }
  const chunkCount = chunk.reduce((a, c) => a * c, 1);
  const chunkBytes = chunkCount * size;
  const grid = shape.map((d, i) => Math.ceil(d / chunk[i]!));
  const pipeline = dobj.filter_pipeline ?? [];
  const out = new Float64Array(count);
  const covered = new Set<number>();
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, d) => a * d, 1));
  walkBTreeV1(view, root, 1, dims, guard, (key, at) => {
    const stored = view.getUint32(key, true);
    const mask = view.getUint32(key + 4, true);
    const origin: number[] = [];
    let index = 0;
    for (let i = 0; i < rank; i++) {
      const o = Number(view.getBigUint64(key + 8 + 8 * i, true));
      if (!(o < shape[i]!) || o % chunk[i]! !== 0) throw new H5Refusal(`a chunk at [${origin.concat(o).join(', ')}…] outside the dataset's grid`, `chunk origins inside shape [${shape.join(', ')}] on multiples of [${chunk.join(', ')}]`);
      origin.push(o);
      index = index * grid[i]! + o / chunk[i]!;
    }
    if (covered.has(index)) throw new H5Refusal(`the chunk at [${origin.join(', ')}] listed twice`, 'each chunk listed once');
    covered.add(index);
    need(view, at, pipeline.length ? stored : chunkBytes, 'a chunk');
    const raw = bytes.subarray(at, at + (pipeline.length ? stored : chunkBytes));
    const data = pipeline.length ? unfilter(raw, pipeline, mask, size, chunkBytes) : raw;
    if (data.length < chunkBytes) throw new H5Refusal(`a chunk of ${data.length} bytes`, `chunks of ${chunkBytes} bytes`);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    copyChunk(dv, get, size, origin, chunk, shape, strides, out, floatView(dv, dtype));
  });
  return out;
}

function noStorage(count: number, shape: readonly number[]): H5Refusal {
  return new H5Refusal(`a dataset of shape [${shape.join(', ')}] (${count} values) with no data stored`, 'weights written to the file (Keras writes every weight)');
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A chunk's values as a typed array when the dtype is a little-endian float on a little-endian host (what Keras
 * writes): one aligned copy instead of a DataView call per value (16 M values: seconds → tens of milliseconds).
 */
function floatView(view: DataView, dtype: string): Float32Array | Float64Array | undefined {
  if (!LITTLE_ENDIAN_HOST) return undefined;
  const m = DTYPE.exec(dtype);
  if (!m || m[1] === '>' || m[2] !== 'f' || (m[3] !== '4' && m[3] !== '8')) return undefined;
  const size = Number(m[3]);
  const n = Math.floor(view.byteLength / size);
  const aligned = view.byteOffset % size === 0 ? view.buffer : view.buffer.slice(view.byteOffset, view.byteOffset + n * size);
  const offset = view.byteOffset % size === 0 ? view.byteOffset : 0;
  return size === 4 ? new Float32Array(aligned, offset, n) : new Float64Array(aligned, offset, n);
}

/** Copies one chunk into the row-major output, row by row along the last axis, clipping at the dataset's edges. */
function copyChunk(view: DataView, get: Getter, size: number, origin: number[], chunk: number[], shape: readonly number[], strides: number[], out: Float64Array, fast?: Float32Array | Float64Array): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = get(view, 0);
    return;
  }
  const last = rank - 1;
  const run = Math.min(chunk[last]!, shape[last]! - origin[last]!);
  const pos = new Array<number>(rank - 1).fill(0);
  const rows = chunk.slice(0, last).reduce((a, c) => a * c, 1);
  for (let r = 0; r < rows; r++) {
    let inside = true;
    let dst = origin[last]!;
    for (let i = 0; i < last; i++) {
      const a = origin[i]! + pos[i]!;
      if (a >= shape[i]!) inside = false;
      dst += a * strides[i]!;
    }
    if (inside) {
      if (fast) {
        const src = r * chunk[last]!;
        for (let k = 0; k < run; k++) out[dst + k] = fast[src + k]!;
      } else {
        const src = r * chunk[last]! * size;
        for (let k = 0; k < run; k++) out[dst + k] = get(view, src + k * size);
      }
    }
    for (let i = last - 1; i >= 0; i--) {
      if (++pos[i]! < chunk[i]!) break;
      pos[i] = 0;
    }
  }
}
