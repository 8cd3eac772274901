/**
 * Tensor data stored beside the model (`data_location: EXTERNAL`, what torch.onnx.export with dynamo=True and
 * onnx.save_model(..., save_as_external_data=True) write): read through the loader's `readSibling`, which only reads
 * inside the model's folder. Before anything is read, each location must be a plain relative path (no `..`, not
 * absolute), each tensor's dims must be within maxElements and the declared lengths together within maxFileBytes;
 * the bytes then become the tensor's raw_data and go through the same checks as data inside the file.
 */
import { LoadError } from '../formats/load-error';
import { checkElements, checkFileBytes, type LoadLimits } from '../formats/limits';
import type { ModelProto, TensorProto } from './proto';
import { DATA_LOCATION } from './schema';
import { size } from './tensor';

export type ReadSibling = (relativePath: string) => PromiseLike<Uint8Array>;

export function isExternal(t: TensorProto): boolean {
  return t.dataLocation === DATA_LOCATION.EXTERNAL || t.externalData.length > 0;
}

interface Where {
  file: string;
  index: number;
  name: string;
}

function fail(w: Where, expected: string, found: string, hint?: string): never {
  throw new LoadError({ file: w.file, path: ['graph', 'initializer', w.index, 'external_data'], subject: `initializer "${w.name}"`, expected, found, ...(hint ? { hint } : {}) });
}

/** A location is a file name or a relative path inside the model's folder. */
function safeLocation(w: Where, location: string | undefined): string {
  if (!location) fail(w, 'an external_data entry "location"', 'none');
  const parts = location!.split(/[\\/]/);
  if (location!.includes('\0') || /^([A-Za-z]:|[\\/])/.test(location!) || parts.some((p) => p === '..')) {
    fail(w, 'a location relative to the model\'s folder (no "..", not absolute)', JSON.stringify(location), 'keep the data file beside the .onnx file');
  }
  return location!;
}

function wholeNumber(w: Where, key: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(v)) fail(w, `external_data "${key}" as a whole number of bytes`, JSON.stringify(text));
  return v;
}

/** Replaces every external tensor's data with the bytes it names (in place); initializers only, as exporters write. */
export async function readExternalData(model: ModelProto, file: string, readSibling: ReadSibling, limits: LoadLimits): Promise<void> {
  const tensors = (model.graph?.initializer ?? []).map((t, index) => ({ t, w: { file, index, name: t.name } })).filter(({ t }) => isExternal(t));
  if (!tensors.length) return;
  const plans = tensors.map(({ t, w }) => {
    const entry = (key: string) => t.externalData.find((e) => e.key === key)?.value;
    const location = safeLocation(w, entry('location'));
    checkElements(size(t.dims), { file, path: ['graph', 'initializer', w.index], subject: `initializer "${t.name}"` }, limits, `tensor initializer "${t.name}"`);
    return { t, w, location, offset: wholeNumber(w, 'offset', entry('offset')) ?? 0, length: wholeNumber(w, 'length', entry('length')) };
  });
  checkFileBytes(
    plans.reduce((n, p) => n + (p.length ?? 0), 0),
    { file, path: ['graph', 'initializer'], subject: 'external data' },
    limits,
    'the external data together',
  );
  const files = new Map<string, Promise<Uint8Array>>();
  for (const p of plans) {
    let read = files.get(p.location);
    if (!read) files.set(p.location, (read = Promise.resolve(readSibling(p.location))));
    let data: Uint8Array;
    try {
      data = await read;
    } catch (e) {
      if (e instanceof LoadError) throw e;
      fail(p.w, `the external data file "${p.location}" beside the model`, (e as NodeJS.ErrnoException)?.code === 'ENOENT' ? 'no such file' : `a file that cannot be read (${(e as Error)?.message ?? String(e)})`, 'copy the .onnx file together with its data file, or save a single file: onnx.save_model(onnx.load(path), "single.onnx", save_as_external_data=False)');
    }
    const end = p.length === undefined ? data.length : p.offset + p.length;
    if (p.offset > data.length || end > data.length) fail(p.w, `bytes [${p.offset}, ${end}) inside "${p.location}"`, `a file of ${data.length} bytes`);
    p.t.rawData = data.subarray(p.offset, end);
    p.t.dataLocation = DATA_LOCATION.DEFAULT;
    p.t.externalData = [];
  }
}
