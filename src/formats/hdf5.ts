/**
 * Read-only HDF5 access for Keras files, over jsfive (a pure-JavaScript HDF5 reader: no WebAssembly, no native
 * code, so it bundles into the extension host, the CLI and a browser alike). Everything a Keras loader needs is
 * here: groups and their member names, attributes, and numeric datasets as Tensors, each failure a LoadError that
 * names the file and the HDF5 path (`/layers/lstm/cell/vars/0`), and sizes checked before data is read.
 *
 * jsfive does unbounded work on hostile structure (B-trees walked without remembering nodes, chunks inflated without
 * an output bound, datasets built as arrays of boxed numbers), so it is bounded from the outside: numeric values
 * are read by hdf5-data.ts (chunk by chunk, every decoded byte counted), every group's link storage is checked
 * there before jsfive lists it (its DataObjects.get_links is wrapped: see guardJsfive), objects are visited once
 * per path and counted, and a group reached again along its own path (a link cycle) or by a second path is refused.
 * Replacing jsfive outright (h5wasm: libhdf5 in WebAssembly, 3 MB, itself unbounded on these structures) would
 * not remove the need for these budgets.
 */
// jsfive ships no type declarations; the few members used are typed by the interfaces below.
// @ts-expect-error TS7016: untyped JavaScript module
import * as jsfive from 'jsfive';
import type { Tensor } from '../engine/tensor';
import { checkDeclaredSize } from './binary-limits';
import { LoadError, type JsonPath } from './load-error';
import { Budget, checkElements, resolveLimits, type LoadLimits } from './limits';
import { isHdf5 } from './binary-formats';
import { H5Refusal, checkGroupLinks, readNumeric, type H5Guard, type JsfiveDataObjects } from './hdf5-data';

interface JsfiveNode {
  readonly name: string;
  readonly attrs: Record<string, unknown>;
  readonly _dataobjects: JsfiveDataObjects;
}
interface JsfiveGroup extends JsfiveNode {
  readonly keys: string[];
  get(path: string): JsfiveGroup | JsfiveDataset | null;
}
interface JsfiveDataset extends JsfiveNode {
  readonly shape: number[];
  readonly dtype: unknown;
  readonly value: ArrayLike<unknown>;
}

const lib = jsfive as { File: new (buffer: ArrayBuffer, name: string) => JsfiveGroup; Group: new (...a: never[]) => JsfiveGroup; Dataset: new (...a: never[]) => JsfiveDataset };

/** The file being read while jsfive runs (every call into it is synchronous, so one slot is enough). */
let active: { bytes: Uint8Array; guard: H5Guard } | undefined;

/**
 * jsfive lists a group's links as soon as it makes the group (its constructor calls DataObjects.get_links), and
 * DataObjects is not exported: its prototype is reached through a File made from an empty HDF5 file (800 bytes,
 * written by h5py) and get_links wrapped once, so every group jsfive makes is checked (checkGroupLinks) first.
 */
const EMPTY_H5 =
  'iUhERg0KGgoAAAAAAAgIAAQAEAAAAAAAAAAAAAAAAAD//////////yADAAAAAAAA//////////8AAAAAAAAAAGAAAAAAAAAAAQAAAAAAAACIAAAAAAAAAKgCAAAAAAAAAQABAAEAAAAYAAAAAAAAABEAEAAAAAAAiAAAAAAAAACoAgAAAAAAAFRSRUUAAAAA/////////////////////wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABIRUFQAAAAAFgAAAAAAAAACAAAAAAAAADIAgAAAAAAAAAAAAAAAAAAAQAAAAAAAABQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

let guarded = false;
function guardJsfive(): void {
  if (guarded) return;
  guarded = true;
  const proto = Object.getPrototypeOf((new lib.File(Uint8Array.from(atob(EMPTY_H5), (c) => c.charCodeAt(0)).buffer, 'empty.h5') as unknown as JsfiveNode)._dataobjects) as { get_links: (this: JsfiveDataObjects) => unknown };
  const getLinks = proto.get_links;
  proto.get_links = function (this: JsfiveDataObjects) {
    if (active) {
      active.guard.visits.spend(1, active.guard.where);
      checkGroupLinks(active.bytes, this, active.guard);
    }
    return getLinks.call(this);
  };
}

/** Where an HDF5 file sits: the file on disk and, inside an archive, the member (`model.weights.h5`). */
export interface H5Where {
  file: string;
  /** Prefix of every error path, e.g. ['model.weights.h5'] for a member of a .keras archive; [] for a .h5 file. */
  prefix: JsonPath;
  /** For messages: `model.weights.h5 in model.keras` or `the HDF5 file`. */
  label: string;
  /** Size limits for datasets (defaults when absent). */
  limits?: LoadLimits;
}

const ITEM_SIZE = /^[<>|=]?([fiub])(\d+)$/;

const DATATYPE_MSG = 0x0003;
const OPAQUE_CLASS = 5;

/**
 * A dataset's numpy-style type. jsfive refuses HDF5's opaque class, which is how h5py stores ml_dtypes' bfloat16 (a
 * 2-byte opaque type, no tag): Keras's variables under a `bfloat16` policy. Such a dataset reads as `<b2`.
 */
function datasetDtype(n: JsfiveNode, bytes: Uint8Array): unknown {
  try {
    return (n as unknown as { dtype: unknown }).dtype;
  } catch (e) {
    const msg = n._dataobjects.find_msg_type(DATATYPE_MSG)[0];
    const off = msg?.get('offset_to_message');
    if (off === undefined || off + 8 > bytes.length) throw e;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if ((view.getUint8(off) & 0x0f) === OPAQUE_CLASS && view.getUint32(off + 4, true) === 2) return '<b2';
    throw e;
  }
}

function message(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

export class H5File {
  /** Objects by path, each looked up once (a path walked again costs nothing and counts no visit). */
  private readonly nodes = new Map<string, JsfiveGroup | JsfiveDataset | undefined>();
  /** The first path each group's object header was reached by: a second path to it is a DAG, refused. */
  private readonly groupPaths = new Map<number, string>();
  /** Datasets read, by object address: a weight listed 200 times is decoded once. */
  private readonly tensors = new Map<number, Tensor>();

  private constructor(
    private readonly root: JsfiveGroup,
    readonly where: H5Where,
    private readonly bytes: Uint8Array,
    private readonly guard: H5Guard,
  ) {}

  /** Runs a call into jsfive with this file's budgets active, reporting refusals at `h5path`. */
  private guarded<T>(h5path: string, what: string, f: () => T): T {
    const before = active;
    this.guard.where = { file: this.where.file, path: this.pathOf(h5path) };
    active = { bytes: this.bytes, guard: this.guard };
    try {
      return f();
    } catch (e) {
      throw this.damaged(h5path, e, what);
    } finally {
      active = before;
    }
  }

  static open(bytes: Uint8Array, where: H5Where): H5File {
    if (!isHdf5(bytes)) {
      throw new LoadError({
        file: where.file,
        path: where.prefix,
        expected: `${where.label}: an HDF5 file (starting with the signature \\x89HDF\\r\\n\\x1a\\n)`,
        found: bytes.length < 8 ? `${bytes.length} bytes` : `bytes ${[...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`,
      });
    }
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    guardJsfive();
    const limits = where.limits ?? resolveLimits();
    const guard: H5Guard = {
      visits: new Budget('maxHdf5Objects', limits.maxHdf5Objects, 'HDF5 objects visited'),
      decoded: new Budget('maxDecodedBytes', limits.maxDecodedBytes, 'bytes decoded'),
      allocated: new Budget('maxAllocatedElements', limits.maxAllocatedElements, 'values allocated'),
      where: { file: where.file, path: where.prefix },
    };
    const own = new Uint8Array(buffer);
    let root: JsfiveGroup;
    const before = active;
    active = { bytes: own, guard };
    try {
      root = new lib.File(buffer, where.file);
      void root.keys;
    } catch (e) {
      if (e instanceof LoadError) throw e;
      if (e instanceof H5Refusal) throw new LoadError({ file: where.file, path: [...where.prefix, '/'], expected: `${where.label}: ${e.expected}`, found: e.message });
      throw new LoadError({
        file: where.file,
        path: where.prefix,
        expected: `${where.label}: a readable HDF5 file`,
        found: `a damaged or truncated file (${bytes.length} bytes; the HDF5 reader said: ${message(e)})`,
        hint: 'save the model again; a partly copied or downloaded file is the usual cause',
      });
    } finally {
      active = before;
    }
    return new H5File(root, where, own, guard);
  }

  /** The error path of an HDF5 object: the prefix, then `/a/b/c` as one element. */
  pathOf(h5path: string): JsonPath {
    return [...this.where.prefix, h5path.startsWith('/') ? h5path : `/${h5path}`];
  }

  private damaged(h5path: string, e: unknown, what: string): LoadError {
    if (e instanceof LoadError) return e;
    if (e instanceof H5Refusal) return new LoadError({ file: this.where.file, path: this.pathOf(h5path), expected: `${this.where.label}: ${e.expected}`, found: e.message });
    return new LoadError({
      file: this.where.file,
      path: this.pathOf(h5path),
      expected: `${this.where.label}: ${what}`,
      found: `damaged or truncated data (the HDF5 reader said: ${message(e)})`,
      hint: 'save the model again; a partly copied or downloaded file is the usual cause',
    });
  }

  /** The object at `h5path`, or undefined when no such link exists. */
  private node(h5path: string): JsfiveGroup | JsfiveDataset | undefined {
    const parts = h5path.split('/').filter((p) => p !== '');
    const key = `/${parts.join('/')}`;
    if (this.nodes.has(key)) return this.nodes.get(key);
    let at: JsfiveGroup | JsfiveDataset | undefined = this.root;
    let walked = '';
    const along = [this.root._dataobjects.offset];
    for (const part of parts) {
      if (!(at instanceof lib.Group)) {
        at = undefined;
        break;
      }
      const parent = walked || '/';
      walked += `/${part}`;
      const cached = this.nodes.get(walked);
      if (cached !== undefined || this.nodes.has(walked)) {
        at = cached;
        if (at) along.push(at._dataobjects.offset);
        continue;
      }
      const group: JsfiveGroup = at;
      const keys = this.guarded(parent, 'a readable group', () => group.keys);
      if (!keys.includes(part)) {
        at = undefined;
        break;
      }
      const next = this.guarded(walked, 'a readable group or dataset', () => {
        this.guard.visits.spend(1, this.guard.where);
        return group.get(part);
      });
      at = next ?? undefined;
      if (at) this.checkPlace(at, walked, along);
      this.nodes.set(walked, at);
    }
    this.nodes.set(key, at);
    return at;
  }

  /** A group met again along its own path is a link cycle; a group reached by a second path, a DAG: both refused. */
  private checkPlace(n: JsfiveGroup | JsfiveDataset, h5path: string, along: number[]): void {
    const address = n._dataobjects.offset;
    if (n instanceof lib.Group) {
      const refuse = (found: string) =>
        new LoadError({
          file: this.where.file,
          path: this.pathOf(h5path),
          expected: `${this.where.label}: a tree of groups, each reached by one path (what Keras writes)`,
          found,
          hint: 'the file links a group into itself or into two places; save the model again with Keras',
        });
      if (along.includes(address)) throw refuse('a hard link back to a group it is inside (a link cycle)');
      const first = this.groupPaths.get(address);
      if (first !== undefined && first !== h5path) throw refuse(`the group already reached as ${first} (a second link to one group)`);
      this.groupPaths.set(address, h5path);
    }
    along.push(address);
  }

  has(h5path: string): boolean {
    return this.node(h5path) !== undefined;
  }

  isGroup(h5path: string): boolean {
    return this.node(h5path) instanceof lib.Group;
  }

  isDataset(h5path: string): boolean {
    return this.node(h5path) instanceof lib.Dataset;
  }

  /** Member names of a group, in HDF5's stored order; undefined when `h5path` is not a group. */
  members(h5path: string): string[] | undefined {
    const n = this.node(h5path);
    if (!(n instanceof lib.Group)) return undefined;
    return this.guarded(h5path, 'a readable group', () => n.keys);
  }

  /** An attribute's value as jsfive decodes it (strings, numbers, arrays); undefined when absent. */
  attr(h5path: string, name: string): unknown {
    const n = this.node(h5path);
    if (!n) return undefined;
    const attrs = this.guarded(h5path, 'readable attributes', () => n.attrs);
    return Object.prototype.hasOwnProperty.call(attrs, name) ? attrs[name] : undefined;
  }

  attrNames(h5path: string): string[] {
    const n = this.node(h5path);
    if (!n) return [];
    return this.guarded(h5path, 'readable attributes', () => Object.keys(n.attrs));
  }

  /** A numeric dataset (float, int, uint of any width) as float64 values; size checked before reading. */
  tensor(h5path: string, subject?: string): Tensor {
    const n = this.node(h5path);
    const path = this.pathOf(h5path);
    const base = { file: this.where.file, path, ...(subject ? { subject } : {}) };
    if (!(n instanceof lib.Dataset)) {
      throw new LoadError({ ...base, expected: `${this.where.label}: a dataset at ${h5path}`, found: n ? 'a group' : 'nothing (no such dataset)' });
    }
    const { shape, dtype } = this.guarded(h5path, 'a dataset header', () => ({ shape: [...n.shape], dtype: datasetDtype(n, this.bytes) }));
    const m = typeof dtype === 'string' ? ITEM_SIZE.exec(dtype) : null;
    if (!m) {
      throw new LoadError({ ...base, expected: 'a numeric dataset (float or integer)', found: `HDF5 type ${typeof dtype === 'string' ? dtype : JSON.stringify(dtype)}` });
    }
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new LoadError({ ...base, expected: 'a dataset shape of non-negative integers', found: `[${shape.join(', ')}]` });
    }
    const count = shape.reduce((a, d) => a * d, 1);
    checkElements(count, base, this.where.limits ?? resolveLimits(), 'a dataset');
    checkDeclaredSize(count * Number(m[2]), 'a dataset', base);
    const address = n._dataobjects.offset;
    const known = this.tensors.get(address);
    if (known) return known;
    const data = this.guarded(h5path, 'readable dataset values', () => readNumeric(this.bytes, n._dataobjects, shape, dtype as string, this.guard));
    const t: Tensor = { shape, data };
    this.tensors.set(address, t);
    return t;
  }
}

/** A string attribute (jsfive gives fixed-length and variable-length strings as JS strings; bytes are decoded). */
export function attrString(v: unknown): string | undefined {
  // Fixed-length HDF5 strings come NUL-padded.
  if (typeof v === 'string') return v.replace(/\0+$/, '');
  if (v instanceof Uint8Array) return new TextDecoder().decode(v).replace(/\0+$/, '');
  if (Array.isArray(v) && v.length === 1) return attrString(v[0]);
  return undefined;
}

/** A list-of-strings attribute (`layer_names`, `weight_names`); an empty numeric array (h5py's `[]`) is []. */
export function attrStrings(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [attrString(v)!];
  if (ArrayBuffer.isView(v)) return (v as unknown as ArrayLike<unknown>).length === 0 ? [] : undefined;
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const x of v) {
    const s = attrString(x);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}
