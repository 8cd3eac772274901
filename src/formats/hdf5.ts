/**
 * Read-only HDF5 access for Keras files, over jsfive (a pure-JavaScript HDF5 reader: no WebAssembly, no native
 * code, so it bundles into the extension host, the CLI and a browser alike). Everything a Keras loader needs is
 * here: groups and their member names, attributes, and numeric datasets as Tensors, each failure a LoadError that
 * names the file and the HDF5 path (`/layers/lstm/cell/vars/0`), and sizes checked before data is read.
 */
// jsfive ships no type declarations; the few members used are typed by the interfaces below.
// @ts-expect-error TS7016: untyped JavaScript module
import * as jsfive from 'jsfive';
import type { Tensor } from '../engine/tensor';
import { checkDeclaredSize } from './binary-limits';
import { LoadError, type JsonPath } from './load-error';
import { checkElements, resolveLimits, type LoadLimits } from './limits';
import { isHdf5 } from './binary-formats';

interface JsfiveNode {
  readonly name: string;
  readonly attrs: Record<string, unknown>;
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

const ITEM_SIZE = /^[<>|=]?([fiu])(\d+)$/;

function message(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

export class H5File {
  private constructor(
    private readonly root: JsfiveGroup,
    readonly where: H5Where,
  ) {}

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
    let root: JsfiveGroup;
    try {
      root = new lib.File(buffer, where.file);
      void root.keys;
    } catch (e) {
      throw new LoadError({
        file: where.file,
        path: where.prefix,
        expected: `${where.label}: a readable HDF5 file`,
        found: `a damaged or truncated file (${bytes.length} bytes; the HDF5 reader said: ${message(e)})`,
        hint: 'save the model again; a partly copied or downloaded file is the usual cause',
      });
    }
    return new H5File(root, where);
  }

  /** The error path of an HDF5 object: the prefix, then `/a/b/c` as one element. */
  pathOf(h5path: string): JsonPath {
    return [...this.where.prefix, h5path.startsWith('/') ? h5path : `/${h5path}`];
  }

  private damaged(h5path: string, e: unknown, what: string): LoadError {
    if (e instanceof LoadError) return e;
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
    let at: JsfiveGroup | JsfiveDataset = this.root;
    let walked = '';
    for (const part of parts) {
      if (!(at instanceof lib.Group)) return undefined;
      const group: JsfiveGroup = at;
      let keys: string[];
      try {
        keys = group.keys;
      } catch (e) {
        throw this.damaged(walked || '/', e, 'a readable group');
      }
      if (!keys.includes(part)) return undefined;
      walked += `/${part}`;
      let next: JsfiveGroup | JsfiveDataset | null;
      try {
        next = group.get(part);
      } catch (e) {
        throw this.damaged(walked, e, 'a readable group or dataset');
      }
      if (!next) return undefined;
      at = next;
    }
    return at;
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
    try {
      return n.keys;
    } catch (e) {
      throw this.damaged(h5path, e, 'a readable group');
    }
  }

  /** An attribute's value as jsfive decodes it (strings, numbers, arrays); undefined when absent. */
  attr(h5path: string, name: string): unknown {
    const n = this.node(h5path);
    if (!n) return undefined;
    let attrs: Record<string, unknown>;
    try {
      attrs = n.attrs;
    } catch (e) {
      throw this.damaged(h5path, e, 'readable attributes');
    }
    return Object.prototype.hasOwnProperty.call(attrs, name) ? attrs[name] : undefined;
  }

  attrNames(h5path: string): string[] {
    const n = this.node(h5path);
    if (!n) return [];
    try {
      return Object.keys(n.attrs);
    } catch (e) {
      throw this.damaged(h5path, e, 'readable attributes');
    }
  }

  /** A numeric dataset (float, int, uint of any width) as float64 values; size checked before reading. */
  tensor(h5path: string, subject?: string): Tensor {
    const n = this.node(h5path);
    const path = this.pathOf(h5path);
    const base = { file: this.where.file, path, ...(subject ? { subject } : {}) };
    if (!(n instanceof lib.Dataset)) {
      throw new LoadError({ ...base, expected: `${this.where.label}: a dataset at ${h5path}`, found: n ? 'a group' : 'nothing (no such dataset)' });
    }
    let shape: number[];
    let dtype: unknown;
    try {
      shape = [...n.shape];
      dtype = n.dtype;
    } catch (e) {
      throw this.damaged(h5path, e, 'a dataset header');
    }
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
    let values: ArrayLike<unknown>;
    try {
      values = n.value;
    } catch (e) {
      throw this.damaged(h5path, e, 'readable dataset values');
    }
    if (!values || values.length !== count) {
      throw new LoadError({ ...base, expected: `${count} values (shape [${shape.join(', ')}])`, found: `${values?.length ?? 0} values` });
    }
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const v = values[i];
      data[i] = typeof v === 'bigint' ? Number(v) : (v as number);
    }
    return { shape, data };
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
