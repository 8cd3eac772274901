/**
 * `torch.save(module.state_dict(), path)` files (the zip format, PyTorch ≥ 1.6): `<archive>/data.pkl` (the pickled
 * OrderedDict, read by pickle.ts), `<archive>/data/<key>` (one member per storage, raw little-endian elements) and
 * `<archive>/byteorder`. Only those members are inflated, each after its declared size is checked.
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import type { Tensor } from '../../engine/tensor';
import { LoadError } from '../load-error';
import { MAX_DECLARED_BYTES, MAX_JSON_MEMBER_BYTES, bytesText, checkDeclaredSize } from '../binary-limits';
import { unsafeMemberName } from '../keras-archive';
import { checkFileBytes, type LoadLimits } from '../limits';
import { PyTuple, describe, unpickleStateDict, type PyValue, type TensorRef } from './pickle';
import { FLOAT_ITEMSIZE, decodeTensor } from './tensor-data';

const SAVE_HINT = 'save the weights with torch.save(model.state_dict(), "model.pt") (or use python/cellscope_torch_export.py)';

function members(bytes: Uint8Array, file: string, limits: LoadLimits): { root: string; files: Map<string, Uint8Array> } {
  let refusal: LoadError | undefined;
  let total = 0;
  let root: string | undefined;
  const filter = (info: UnzipFileInfo): boolean => {
    if (refusal) return false;
    const path = [info.name];
    if (unsafeMemberName(info.name)) {
      refusal = new LoadError({ file, path, expected: 'archive members with plain relative names', found: `member ${JSON.stringify(info.name)}, a path that leaves the archive's folder`, hint: 'this archive was not written by torch.save; do not unpack it' });
      return false;
    }
    const m = /^([^/]+)\/(data\.pkl|byteorder|data\/\d+)$/.exec(info.name);
    if (!m) return false;
    if (root !== undefined && m[1] !== root) return false;
    root ??= m[1];
    try {
      const small = m[2] !== 'data.pkl' && !m[2]!.startsWith('data/');
      checkDeclaredSize(info.originalSize, `archive member ${info.name}`, { file, path }, small ? 64 : m[2] === 'data.pkl' ? MAX_JSON_MEMBER_BYTES : MAX_DECLARED_BYTES);
      total += info.originalSize;
      checkFileBytes(total, { file, path }, limits, 'the archive\'s members together (uncompressed)');
    } catch (e) {
      refusal = e as LoadError;
      return false;
    }
    return true;
  };
  let out: Record<string, Uint8Array>;
  try {
    out = unzipSync(bytes, { filter });
  } catch (e) {
    if (refusal) throw refusal;
    throw new LoadError({
      file,
      path: [],
      expected: 'a readable zip archive (torch.save writes one)',
      found: `a damaged or truncated archive (${bytesText(bytes.length)}; the zip reader said: ${e instanceof Error ? e.message : String(e)})`,
      hint: 'save the state dict again; a partly copied file is the usual cause',
    });
  }
  if (refusal) throw refusal;
  return { root: root ?? '', files: new Map(Object.entries(out)) };
}

/**
 * The state dict by key, in the file's order; only the tensors `wanted` asks for are decoded (the others, e.g. a
 * large embedding or BatchNorm's int64 counter, are null): a recurrent module is usually a small part of a model.
 */
export function readTorchStateDict(bytes: Uint8Array, file: string, limits: LoadLimits, wanted: (key: string) => boolean = () => true): Map<string, Tensor | null> {
  const { root, files } = members(bytes, file, limits);
  const pklName = `${root}/data.pkl`;
  const pkl = files.get(pklName);
  if (!pkl) throw new LoadError({ file, path: [], expected: 'a member <archive>/data.pkl (torch.save\'s zip format)', found: 'none', hint: SAVE_HINT });
  const order = files.get(`${root}/byteorder`);
  if (order && new TextDecoder().decode(order).trim() !== 'little') {
    throw new LoadError({ file, path: [`${root}/byteorder`], expected: 'little-endian storages', found: JSON.stringify(new TextDecoder().decode(order)), hint: 'save the state dict on a little-endian machine (any x86 or ARM computer)' });
  }
  const value = unpickleStateDict(pkl, { file, path: [pklName] });
  const dict = stateDictOf(value, file, pklName);
  const out = new Map<string, Tensor | null>();
  for (const [key, ref] of dict) {
    if (!wanted(key)) {
      out.set(key, null);
      continue;
    }
    const memberName = `${root}/data/${ref.storage.key}`;
    const storage = files.get(memberName);
    const where = { file, path: [pklName, key], subject: `tensor "${key}"` };
    if (!storage) throw new LoadError({ ...where, expected: `its storage in archive member ${memberName}`, found: 'no such member', hint: 'the archive is incomplete; save it again' });
    const itemsize = FLOAT_ITEMSIZE[ref.storage.dtype] ?? 1;
    if (storage.length < ref.storage.numel * itemsize) {
      throw new LoadError({ ...where, expected: `${ref.storage.numel} elements of ${ref.storage.dtype} in ${memberName}`, found: `${storage.length} bytes` });
    }
    out.set(key, decodeTensor(storage, { dtype: ref.storage.dtype, shape: ref.shape, stride: ref.stride, offset: ref.offset }, where, limits));
  }
  return out;
}

function stateDictOf(value: PyValue, file: string, pklName: string): Map<string, TensorRef> {
  const notDict = (found: string): never => {
    throw new LoadError({ file, path: [pklName], expected: 'a state dict: a dict of tensor names to tensors', found, hint: SAVE_HINT });
  };
  if (!(value instanceof Map)) return notDict(describe(value));
  const out = new Map<string, TensorRef>();
  for (const [k, v] of value) {
    if (typeof k !== 'string') notDict(`a key ${describe(k)}`);
    // A checkpoint dict ({"model": state_dict, "optimizer": …}) is a common shape; name the way out.
    if (v instanceof Map) {
      throw new LoadError({ file, path: [pklName, k as string], expected: 'a state dict (tensor values)', found: `a nested dict under "${k}" (a training checkpoint?)`, hint: `save only the model's weights: torch.save(checkpoint["${k}"], "model.pt")` });
    }
    if (v === null || typeof v !== 'object' || v instanceof PyTuple || Array.isArray(v) || v instanceof Uint8Array || !('kind' in v) || v.kind !== 'tensor') {
      // Non-tensor extras (e.g. BatchNorm's num_batches_tracked is a tensor; plain numbers are not state-dict values).
      notDict(`the value of "${k}" is ${describe(v)}`);
    }
    out.set(k as string, v as TensorRef);
  }
  return out;
}
