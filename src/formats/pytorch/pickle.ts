/**
 * A restricted unpickler for the `data.pkl` of a `torch.save(module.state_dict(), path)` archive.
 *
 * Why not the npm `pickleparser` (0.2.1): it was evaluated — it can take a custom name resolver, but it is a
 * one-author 0.x package with two releases on a single day (Dec 2024) and none since, it constructs whatever its
 * resolver hands back with `Reflect.construct`, and it checks no declared lengths. A state dict needs ~35 opcodes of
 * protocol 2 (what torch.save writes) and five globals, so this file is an opcode table that builds plain values and
 * never calls anything from the file: a GLOBAL outside ALLOWED is refused by name the moment it is read (before any
 * REDUCE could "call" it), and REDUCE only applies the handful of known constructors below, written here.
 */
import { LoadError, type JsonPath } from '../load-error';

/** A Python tuple (kept apart from lists only where it matters: persistent ids and call arguments). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A global the file named, after it was checked against ALLOWED. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** `('storage', StorageType, key, location, numel)`: a reference to the archive member `data/<key>`. */
export interface StorageRef {
  kind: 'storage';
  /** torch dtype name: float32, float64, float16, bfloat16, … */
  dtype: string;
  key: string;
  numel: number;
}

/** What `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)` describes. */
export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

export type PyValue =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | Map<PyValue, PyValue>
  | PyGlobal
  | StorageRef
  | TensorRef;

/** Legacy typed storage classes → dtype. */
const STORAGE_DTYPES: Record<string, string> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** `torch.<dtype>` objects. */
const DTYPES = new Set(['float32', 'float64', 'float16', 'bfloat16', 'float', 'double', 'half', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool', 'long', 'int']);

/** The only globals a state-dict pickle may name. */
function allowed(module: string, name: string): boolean {
  if (module === 'collections' && name === 'OrderedDict') return true;
  if (module === 'torch._utils' && (name === '_rebuild_tensor_v2' || name === '_rebuild_parameter')) return true;
  if (module === 'torch' && (name in STORAGE_DTYPES || name === 'UntypedStorage' || DTYPES.has(name))) return true;
  return false;
}

/** Globals that mean "a whole pickled object graph" rather than a state dict: the refusal then says so. */
function isModuleClass(module: string): boolean {
  return module.startsWith('torch.nn.') || module === '__main__' || module.startsWith('torch.jit') || module.startsWith('torch.optim');
}

export interface UnpickleWhere {
  file: string;
  path: JsonPath;
}

/** Reads the pickle; every refusal is a LoadError naming the member and the byte offset. */
export function unpickleStateDict(bytes: Uint8Array, where: UnpickleWhere, maxItems = 1 << 22): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let pos = 0;
  let opOffset = 0;
  let stack: PyValue[] = [];
  const marks: PyValue[][] = [];
  const memo = new Map<number, PyValue>();
  let items = 0;

  const fail = (expected: string, found: string, hint?: string): never => {
    throw new LoadError({ file: where.file, path: [...where.path, `byte ${opOffset}`], expected, found, ...(hint ? { hint } : {}) });
  };
  const need = (n: number): void => {
    if (!Number.isFinite(n) || n < 0 || pos + n > bytes.length) fail('a complete pickle', `a pickle cut short (needs ${n} more bytes at byte ${pos}, has ${bytes.length - pos})`);
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++]!;
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > 256) fail('a GLOBAL module and name, each on one short line', 'no line end');
    const s = decoder.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    if (!stack.length) fail('a value on the pickle stack', 'an empty stack');
    return stack.pop()!;
  };
  const popMark = (): PyValue[] => {
    const top = stack;
    const prev = marks.pop();
    if (!prev) fail('a MARK before this opcode', 'none');
    stack = prev!;
    return top;
  };
  const count = (n: number): void => {
    items += n;
    if (items > maxItems) fail(`a pickle of at most ${maxItems} values`, 'more', 'a state dict of a recurrent model holds a few dozen entries; this file is not one');
  };
  const global = (module: string, name: string): PyGlobal => {
    if (allowed(module, name)) return new PyGlobal(module, name);
    if (isModuleClass(module)) {
      return fail(
        'a state dict (an OrderedDict of tensors), as torch.save(model.state_dict(), path) writes',
        `a whole pickled object (it names the class ${module}.${name}; loading it would run PyTorch code)`,
        'in Python, save the weights only: torch.save(model.state_dict(), "model.pt") — or use python/cellscope_torch_export.py',
      );
    }
    return fail(
      'only the globals a PyTorch state dict uses (collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter, torch storage types and dtypes)',
      `the global ${module}.${name}, which Cellscope refuses (unpickling it would run code from the file)`,
      'open only files you trust with PyTorch; for Cellscope save torch.save(model.state_dict(), "model.pt")',
    );
  };
  const reduce = (fn: PyValue, args: PyValue): PyValue => {
    if (!(fn instanceof PyGlobal) || !(args instanceof PyTuple)) return fail('a call of a known constructor', `a call of ${describe(fn)}`);
    const a = args.items;
    switch (fn.qualified) {
      case 'collections.OrderedDict':
        return new Map();
      case 'torch._utils._rebuild_tensor_v2':
        return rebuildTensor(a);
      case 'torch._utils._rebuild_parameter': {
        const t = a[0];
        if (!t || typeof t !== 'object' || !('kind' in t) || t.kind !== 'tensor') return fail('_rebuild_parameter(tensor, …)', describe(t ?? null));
        return t;
      }
      default:
        return fail('a call of OrderedDict or a tensor rebuild', `a call of ${fn.qualified}`);
    }
  };
  const intList = (v: PyValue | undefined, what: string): number[] => {
    const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null;
    if (!items || !items.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) return fail(`${what}: a tuple of whole numbers ≥ 0`, describe(v ?? null));
    return items as number[];
  };
  const rebuildTensor = (a: PyValue[]): TensorRef => {
    const storage = a[0];
    if (!storage || typeof storage !== 'object' || !('kind' in storage) || storage.kind !== 'storage') return fail('_rebuild_tensor_v2(storage, …)', describe(storage ?? null));
    const offset = a[1];
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return fail('a storage offset (a whole number ≥ 0)', describe(offset ?? null));
    const shape = intList(a[2], 'a tensor size');
    const stride = intList(a[3], 'a tensor stride');
    if (shape.length !== stride.length) fail('a stride per dimension', `size ${shape.length} dims, stride ${stride.length}`);
    return { kind: 'tensor', storage, offset, shape, stride };
  };
  const persistent = (pid: PyValue): StorageRef => {
    const t = pid instanceof PyTuple ? pid.items : null;
    if (!t || t[0] !== 'storage' || t.length < 5) return fail("a persistent id ('storage', type, key, location, numel)", describe(pid));
    const [, type, key, , numel] = t;
    let dtype: string | undefined;
    if (type instanceof PyGlobal && type.module === 'torch') dtype = STORAGE_DTYPES[type.name];
    // UntypedStorage: the dtype follows elsewhere in newer files; torch.save still writes typed names for tensors.
    if (type instanceof PyGlobal && type.name === 'UntypedStorage') dtype = 'uint8';
    if (!dtype) return fail('a torch storage type', describe(type ?? null));
    if (typeof key !== 'string' || !/^\d+$/.test(key)) return fail('a storage key (a decimal string)', describe(key ?? null));
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) return fail('a storage element count', describe(numel ?? null));
    return { kind: 'storage', dtype, key, numel };
  };
  const setItems = (target: PyValue, kv: PyValue[]): void => {
    if (!(target instanceof Map)) return void fail('a dict to set items in', describe(target));
    if (kv.length % 2) fail('key/value pairs', `${kv.length} values`);
    for (let i = 0; i < kv.length; i += 2) (target as Map<PyValue, PyValue>).set(kv[i]!, kv[i + 1]!);
  };

  try {
    for (;;) {
      opOffset = pos;
      const op = u8();
      count(1);
      switch (op) {
        case 0x80: // PROTO
          if (u8() > 5) fail('pickle protocol ≤ 5', 'a newer protocol');
          break;
        case 0x95: // FRAME
          take(8);
          break;
        case 0x2e: // STOP
          if (stack.length !== 1 || marks.length) fail('one value at STOP', `${stack.length} values, ${marks.length} open marks`);
          return stack[0]!;
        case 0x28: // MARK
          marks.push(stack);
          stack = [];
          break;
        case 0x30: // POP
          pop();
          break;
        case 0x31: // POP_MARK
          popMark();
          break;
        case 0x32: // DUP
          stack.push(stack[stack.length - 1] ?? fail('a value to DUP', 'an empty stack'));
          break;
        case 0x4e: // NONE
          stack.push(null);
          break;
        case 0x88: // NEWTRUE
          stack.push(true);
          break;
        case 0x89: // NEWFALSE
          stack.push(false);
          break;
        case 0x4a: // BININT
          need(4);
          stack.push(view.getInt32(pos, true));
          pos += 4;
          break;
        case 0x4b: // BININT1
          stack.push(u8());
          break;
        case 0x4d: // BININT2
          stack.push(u16());
          break;
        case 0x8a: {
          // LONG1: little-endian two's complement of n bytes
          const n = u8();
          const b = take(n);
          let v = 0n;
          for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
          if (n && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
          if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) fail('an integer of at most 2^53', `${v}`);
          stack.push(Number(v));
          break;
        }
        case 0x47: // BINFLOAT (big endian)
          need(8);
          stack.push(view.getFloat64(pos, false));
          pos += 8;
          break;
        case 0x58: // BINUNICODE
        case 0x8c: {
          // SHORT_BINUNICODE
          const n = op === 0x58 ? u32() : u8();
          stack.push(decoder.decode(take(n)));
          break;
        }
        case 0x54: // BINSTRING
        case 0x55: {
          // SHORT_BINSTRING
          const n = op === 0x54 ? u32() : u8();
          stack.push(decoder.decode(take(n)));
          break;
        }
        case 0x42: // BINBYTES
        case 0x43: {
          // SHORT_BINBYTES
          const n = op === 0x42 ? u32() : u8();
          stack.push(take(n).slice());
          break;
        }
        case 0x29: // EMPTY_TUPLE
          stack.push(new PyTuple([]));
          break;
        case 0x74: {
          // TUPLE (popMark swaps `stack`: take the items before naming the stack to push on)
          const t = new PyTuple(popMark());
          stack.push(t);
          break;
        }
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: {
          // TUPLE3
          const n = op - 0x84;
          if (stack.length < n) fail(`${n} values for a tuple`, `${stack.length}`);
          stack.push(new PyTuple(stack.splice(stack.length - n, n)));
          break;
        }
        case 0x5d: // EMPTY_LIST
          stack.push([]);
          break;
        case 0x6c: {
          // LIST
          const l = popMark();
          stack.push(l);
          break;
        }
        case 0x61: {
          // APPEND
          const v = pop();
          const list = stack[stack.length - 1];
          if (!Array.isArray(list)) fail('a list to append to', describe(list ?? null));
          (list as PyValue[]).push(v);
          break;
        }
        case 0x65: {
          // APPENDS
          const vs = popMark();
          const list = stack[stack.length - 1];
          if (!Array.isArray(list)) fail('a list to append to', describe(list ?? null));
          count(vs.length);
          for (const v of vs) (list as PyValue[]).push(v);
          break;
        }
        case 0x7d: // EMPTY_DICT
          stack.push(new Map());
          break;
        case 0x64: {
          // DICT
          const d = new Map<PyValue, PyValue>();
          setItems(d, popMark());
          stack.push(d);
          break;
        }
        case 0x73: {
          // SETITEM
          const v = pop();
          const k = pop();
          setItems(stack[stack.length - 1] ?? null, [k, v]);
          break;
        }
        case 0x75: // SETITEMS
        {
          const kv = popMark();
          setItems(stack[stack.length - 1] ?? null, kv);
          break;
        }
        case 0x63: // GLOBAL
        {
          const module = line();
          const name = line();
          stack.push(global(module, name));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = pop();
          const module = pop();
          if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL module and name strings', `${describe(module)}, ${describe(name)}`);
          stack.push(global(module as string, name as string));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = pop();
          const fn = pop();
          stack.push(reduce(fn, args));
          break;
        }
        case 0x81: {
          // NEWOBJ: cls.__new__(cls, *args): only OrderedDict is a class we know
          const args = pop();
          const cls = pop();
          stack.push(reduce(cls, args));
          break;
        }
        case 0x62: {
          // BUILD: obj.__setstate__(state). A state dict's OrderedDict gets {'_metadata': …}; kept as no-op.
          const state = pop();
          const obj = stack[stack.length - 1];
          if (!(obj instanceof Map)) fail('BUILD on a dict (a state dict keeps its _metadata so)', `BUILD on ${describe(obj ?? null)}`);
          void state;
          break;
        }
        case 0x51: // BINPERSID
          stack.push(persistent(pop()));
          break;
        case 0x68: // BINGET
        case 0x6a: {
          // LONG_BINGET
          const i = op === 0x68 ? u8() : u32();
          if (!memo.has(i)) fail(`memo entry ${i}`, 'none');
          stack.push(memo.get(i)!);
          break;
        }
        case 0x71: // BINPUT
        case 0x72: // LONG_BINPUT
        case 0x94: {
          // MEMOIZE
          const i = op === 0x71 ? u8() : op === 0x72 ? u32() : memo.size;
          if (!stack.length) fail('a value to memoize', 'an empty stack');
          memo.set(i, stack[stack.length - 1]!);
          break;
        }
        default:
          fail('a pickle opcode a state dict uses', `opcode 0x${op.toString(16).padStart(2, '0')} (${JSON.stringify(String.fromCharCode(op))})`, 'this is not a PyTorch state-dict pickle, or it was written by something other than torch.save');
      }
    }
  } catch (e) {
    if (e instanceof LoadError) throw e;
    if (e instanceof RangeError) fail('a readable pickle', e.message);
    throw e;
  }
}

export function describe(v: PyValue): string {
  if (v === null) return 'None';
  if (v instanceof PyTuple) return `a tuple of ${v.items.length}`;
  if (v instanceof PyGlobal) return v.qualified;
  if (v instanceof Map) return `a dict of ${v.size}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === 'object') return v.kind === 'tensor' ? `a tensor of size [${v.shape.join(', ')}]` : `a ${v.dtype} storage`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  return String(v);
}
