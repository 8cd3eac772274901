/**
 * Bytes in, model out: picks the loader from the file's content. Loaders are a plain table; binary formats
 * (.keras, .h5) go before the JSON ones, which share one parse of the text.
 */
import { shapeText, type Tensor } from '../engine/tensor';
import { LoadError, describeValue, type JsonPath } from './load-error';
import { readArrayValue } from './arrays';
import { isObject, keysText } from './json-read';
import { decodeUtf8, lineColumnAt, locateJsonPath, parseJsonText } from './json-text';
import { FAST_WEIGHTS_MIN_BYTES, parseWithPreparsedWeights } from './json-weights';
import { isKerasExport, loadKerasExport, KERAS_EXPORT_FORMAT, KERAS_EXPORT_TAG } from './keras-export';
import { MODEL_FIXTURE, RECORDED_FIXTURE, loadFixture } from './fixture';
import type { LoadedModel } from './loaded-model';
import { RECORDING_FORMAT, readRecording, type Recording } from './recording';
import { KERAS_ARCHIVE_FORMAT, KERAS_H5_FORMAT, isHdf5, isZip } from './binary-formats';
import { TFJS_FORMAT, isTfjsModelJson, loadTfjs } from './tfjs';
import { ONNX_FORMAT, isOnnx } from './onnx';
import { checkElements, checkFileBytes, checkSequenceLength, elementCount, resolveLimits, type LoadLimits } from './limits';
import { SAFETENSORS_FORMAT, TORCH_FORMAT, isLegacyTorch, isSafetensors, isTorchZip } from './pytorch/signature';
import type { TorchChoices } from './pytorch';

export type { LoadedModel } from './loaded-model';
export type { Recording, RecordedLayer } from './recording';
export { LoadError } from './load-error';
export { modelFromKerasConfig } from './keras-config';
export { checkModelInput } from './input-check';
export { locateJsonPath, parseJsonText } from './json-text';
export { DEFAULT_LIMITS, LIMIT_SETTINGS, limitsFromSettings, resolveLimits, type LoadLimits, type LimitSettings } from './limits';

export type ReadSibling = (relativePath: string) => PromiseLike<Uint8Array>;

/** What a file alone does not say and the user picks (CLI flags, panel pickers): PyTorch's module and nonlinearity. */
export type ModelChoices = TorchChoices;

/** One file being loaded; text and JSON are decoded once, on first use. */
export class ModelSource {
  private textCache: string | undefined;
  private jsonCache: { value: unknown } | undefined;
  constructor(
    readonly bytes: Uint8Array | undefined,
    readonly fileName: string,
    readonly readSibling?: ReadSibling,
    text?: string,
    readonly limits: LoadLimits = resolveLimits(),
    readonly choices: ModelChoices = {},
  ) {
    this.textCache = text;
  }
  text(): string {
    this.textCache ??= decodeUtf8(this.bytes ?? new Uint8Array());
    return this.textCache;
  }
  /** First non-blank character is `{`: JSON loaders only look at such files (a parse error then is the answer). */
  looksLikeJsonObject(): boolean {
    return this.firstNonBlank() === '{';
  }
  /** First non-blank character opens a JSON object or array (binary files are never decoded as text). */
  looksLikeJson(): boolean {
    const c = this.firstNonBlank();
    return c === '{' || c === '[';
  }
  private firstNonBlank(): string | undefined {
    if (this.bytes && this.textCache === undefined) {
      for (const b of this.bytes) {
        if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0xef || b === 0xbb || b === 0xbf) continue;
        return String.fromCharCode(b);
      }
      return undefined;
    }
    return /^\uFEFF?\s*(\S)/.exec(this.text())?.[1];
  }
  json(): unknown {
    // A large export JSON is its weights: those are read from the bytes straight into Float64Arrays (json-weights.ts).
    if (!this.jsonCache && this.bytes && this.textCache === undefined && this.bytes.length >= FAST_WEIGHTS_MIN_BYTES) {
      const doc = parseWithPreparsedWeights(this.bytes, this.fileName);
      if (doc !== undefined && isKerasExport(doc)) this.jsonCache = { value: doc };
    }
    this.jsonCache ??= { value: parseJsonText(this.text(), this.fileName) };
    return this.jsonCache.value;
  }
  formatField(): unknown {
    if (!this.looksLikeJsonObject()) return undefined;
    const doc = this.json();
    return isObject(doc) ? doc.format : undefined;
  }
}

export interface ModelLoader {
  /** SourceInfo.format of what it loads. */
  format: string;
  /** For "accepted formats" messages. */
  description: string;
  matches(src: ModelSource): boolean;
  load(src: ModelSource): LoadedModel | Promise<LoadedModel>;
}

export const MODEL_LOADERS: ModelLoader[] = [
  {
    format: TORCH_FORMAT,
    description: 'a PyTorch state dict (torch.save(model.state_dict(), "model.pt"))',
    // Before the .keras loader, which takes any other zip.
    matches: (src) => isTorchZip(src.bytes),
    load: async (src) => (await import('./pytorch')).loadTorchStateDict(src.bytes!, src.fileName, src.limits, src.choices),
  },
  {
    format: SAFETENSORS_FORMAT,
    description: 'a .safetensors file of a PyTorch state dict',
    // Before the JSON loaders: a header length whose low byte is `{` would look like JSON to them.
    matches: (src) => isSafetensors(src.bytes),
    load: async (src) => (await import('./pytorch')).loadSafetensorsModel(src.bytes!, src.fileName, src.limits, src.choices),
  },
  {
    format: KERAS_ARCHIVE_FORMAT,
    description: 'a Keras 3 .keras archive (model.save("model.keras"))',
    matches: (src) => isZip(src.bytes),
    // Loaded on demand, like the .h5 reader: fflate and jsfive are most of the bundle a JSON model never needs.
    load: async (src) => (await import('./keras-archive')).loadKerasArchive(src.bytes!, src.fileName, src.limits),
  },
  {
    format: KERAS_H5_FORMAT,
    description: 'a Keras HDF5 model file (model.save("model.h5"), Keras 2 or 3)',
    matches: (src) => isHdf5(src.bytes),
    load: async (src) => (await import('./keras-h5')).loadLegacyH5(src.bytes!, src.fileName, src.limits),
  },
  {
    format: ONNX_FORMAT,
    description: 'an ONNX model (.onnx, torch.onnx.export or tf2onnx) for cellscope run, compare and trace',
    matches: (src) => isOnnx(src.bytes, src.fileName),
    // The whole graph is checked (so its errors show where the file is opened); it then runs through
    // loadRunnableBytes (src/formats/runnable.ts), as a graph rather than a Keras layer chain.
    load: async (src) => (await import('../onnx/load')).loadOnnxAsLayerChain(src.bytes!, src.fileName, src.readSibling, src.limits),
  },
  {
    format: RECORDED_FIXTURE,
    description: `a ${RECORDED_FIXTURE} fixture ({"format": "${RECORDED_FIXTURE}", "layer", "weights", ...})`,
    matches: (src) => src.formatField() === RECORDED_FIXTURE,
    load: (src) => loadFixture(src.json(), src.fileName),
  },
  {
    format: MODEL_FIXTURE,
    description: `a ${MODEL_FIXTURE} file ({"format": "${MODEL_FIXTURE}", "layers": [{"class_name", "config", "weights"}]})`,
    matches: (src) => src.formatField() === MODEL_FIXTURE,
    load: (src) => loadFixture(src.json(), src.fileName),
  },
  {
    format: KERAS_EXPORT_FORMAT,
    description: 'a Keras export JSON ({"model": model.to_json(), "weights": model.get_weights() as lists}, format "keras-export/v1" optional)',
    matches: (src) => src.formatField() === KERAS_EXPORT_TAG || (src.looksLikeJsonObject() && isKerasExport(src.json())),
    load: (src) => loadKerasExport(src.json(), src.fileName),
  },
  {
    format: TFJS_FORMAT,
    description: 'a TensorFlow.js layers model (model.json with modelTopology and weightsManifest, shards beside it)',
    matches: (src) => src.looksLikeJsonObject() && isTfjsModelJson(src.json()),
    load: (src) => loadTfjs(src.json(), src.fileName, src.readSibling, src.limits),
  },
];

function unrecognised(src: ModelSource): LoadError {
  const accepted = MODEL_LOADERS.map((l) => l.description).join('; ');
  const base = { file: src.fileName, expected: `a model file: ${accepted}` };
  if (!src.looksLikeJsonObject()) {
    const kind = binaryKind(src.bytes);
    return new LoadError({
      ...base,
      path: [],
      found: kind ?? 'a file that is not a JSON object',
      ...(kind ? { hint: 'write a Keras export JSON from Python with python/cellscope_export.py (or json.dump({"model": json.loads(model.to_json()), "weights": [w.tolist() for w in model.get_weights()]}, f))' } : {}),
    });
  }
  const doc = src.json();
  const format = isObject(doc) ? doc.format : undefined;
  if (format === RECORDING_FORMAT) {
    return new LoadError({ ...base, path: ['format'], found: `a ${RECORDING_FORMAT} file`, hint: 'a recording holds expected outputs, not a model; open it as the expected output of a model' });
  }
  if (format !== undefined) return new LoadError({ ...base, path: ['format'], found: `format ${describeValue(format)}` });
  return new LoadError({ ...base, path: [], found: isObject(doc) ? keysText(doc) : describeValue(doc) });
}

/** Binary files no loader matched (the HDF5 and zip loaders take theirs by signature). */
function binaryKind(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes || bytes.length < 4) return undefined;
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'a zip archive that is not a .keras file';
  if (isLegacyTorch(bytes)) return 'a PyTorch file in the legacy (pre-1.6) format, or a whole pickled object; re-save with torch.save(model.state_dict(), "model.pt") in PyTorch ≥ 1.6';
  return undefined;
}

/** Adds the text position of the error's JSON path, so editors can underline it. */
/**
 * Texts longer than this keep their errors' JSON paths without a line:column: locating a path builds jsonc-parser's
 * tree of the whole text, ~50 bytes per value (a 20 MB input of 10^7 numbers: 7 s and 1 GB for one error position).
 */
const POSITION_MAX_CHARS = 8 * 1024 * 1024;

function positioned(e: unknown, src: ModelSource): unknown {
  if (!(e instanceof LoadError) || e.details.offset !== undefined || !e.details.path.length || !src.looksLikeJson()) return e;
  if ((src.bytes?.length ?? src.text().length) > POSITION_MAX_CHARS) return e;
  let loc: { offset: number; length: number } | undefined;
  try {
    loc = locateJsonPath(src.text(), e.details.path as JsonPath);
  } catch {
    return e;
  }
  if (!loc) return e;
  const { line, column } = lineColumnAt(src.text(), loc.offset);
  return new LoadError({ ...e.details, offset: loc.offset, length: loc.length, line, column });
}

function pick(src: ModelSource): ModelLoader {
  const loader = MODEL_LOADERS.find((l) => l.matches(src));
  if (!loader) throw unrecognised(src);
  return loader;
}

/** The file's size, before anything is decoded. */
function checkSize(length: number, fileName: string, limits: LoadLimits): void {
  checkFileBytes(length, { file: fileName, path: [] }, limits);
}

/** What a loaded model declares about its input: a sequence no longer than the limit. */
function checkLoaded(loaded: LoadedModel, fileName: string, limits: LoadLimits): LoadedModel {
  const shape = loaded.model.inputShape;
  if (shape.length >= 2 || loaded.model.inputIsTokens) {
    checkSequenceLength(shape[0], { file: fileName, path: [] }, limits, "the model's declared input length");
    if (shape[0] === 0) {
      throw new LoadError({ file: fileName, path: [], expected: 'a model whose declared input length is at least one time step (or None)', found: `input shape ${shapeText([null, ...shape])}` });
    }
  }
  for (const [key, t] of [['input', loaded.input], ['expected_output', loaded.expectedOutput]] as const) {
    if (t) checkTensorLimits(t, { file: fileName, path: [key] }, limits);
  }
  return loaded;
}

function checkTensorLimits(t: Tensor, where: { file: string; path: (string | number)[] }, limits: LoadLimits): void {
  checkElements(t.data.length, where, limits);
  if (t.shape.length >= 2) checkSequenceLength(t.shape[1], where, limits, 'an array whose axis 1 (time steps)');
}

/** Errors that are not LoadErrors (a bug in a loader or a library it uses) are still reported as the file's. */
function asLoadError(e: unknown, fileName: string): LoadError {
  if (e instanceof LoadError) return e;
  return new LoadError({
    file: fileName,
    path: [],
    expected: 'a file Cellscope can read',
    found: `a file that made the reader fail (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)})`,
    hint: 'the file is probably damaged; if it loads in Keras, please report this as a Cellscope bug',
  });
}

export async function loadModelBytes(bytes: Uint8Array, fileName: string, readSibling?: ReadSibling, limits?: Partial<LoadLimits>, choices?: ModelChoices): Promise<LoadedModel> {
  const resolved = resolveLimits(limits);
  const src = new ModelSource(bytes, fileName, readSibling, undefined, resolved, choices);
  try {
    checkSize(bytes.length, fileName, resolved);
    return checkLoaded(await pick(src).load(src), fileName, resolved);
  } catch (e) {
    throw positioned(asLoadError(e, fileName), src);
  }
}

/** For JSON formats only (editors hand over text); binary or multi-file formats need loadModelBytes. */
export function loadModelText(text: string, fileName: string, limits?: Partial<LoadLimits>): LoadedModel {
  const resolved = resolveLimits(limits);
  const src = new ModelSource(undefined, fileName, undefined, text, resolved);
  try {
    checkSize(text.length, fileName, resolved);
    const result = pick(src).load(src);
    if (result instanceof Promise) {
      throw new LoadError({ file: fileName, path: [], expected: 'a JSON model file (this format must be loaded from bytes)', found: 'a format that needs loadModelBytes' });
    }
    return checkLoaded(result, fileName, resolved);
  } catch (e) {
    throw positioned(asLoadError(e, fileName), src);
  }
}

/** An input or output array: nested lists, or {"shape", "data", "dtype"?}. */
/**
 * The shape an array file states first (`{"shape": [1, 10000000, 1], "data": [...]}`, as Cellscope and numpy-based
 * writers put it), read from the first bytes, so a declared length beyond the limits is refused before megabytes of
 * data are parsed. Undefined when the text does not start that way (the full check after parsing still applies).
 */
function shapeStatedFirst(bytes: Uint8Array): number[] | undefined {
  const head = decodeUtf8(bytes.subarray(0, 512));
  const m = /^\uFEFF?\s*\{\s*"shape"\s*:\s*\[([\d\s,.eE+]{0,200})\]/.exec(head);
  if (!m) return undefined;
  const dims = m[1]!.split(',').map((d) => Number(d.trim()));
  return dims.every((d) => Number.isInteger(d) && d >= 0) ? dims : undefined;
}

export function loadArrayBytes(bytes: Uint8Array, fileName: string, limits?: Partial<LoadLimits>): Tensor {
  const resolved = resolveLimits(limits);
  const src = new ModelSource(bytes, fileName, undefined, undefined, resolved);
  try {
    checkSize(bytes.length, fileName, resolved);
    const stated = shapeStatedFirst(bytes);
    if (stated) checkTensorLimits({ shape: stated, data: { length: elementCount(stated) } as Float64Array }, { file: fileName, path: ['shape'] }, resolved);
    const t = readArrayValue(src.json(), { file: fileName, path: [] }).tensor;
    checkTensorLimits(t, { file: fileName, path: [] }, resolved);
    return t;
  } catch (e) {
    throw positioned(asLoadError(e, fileName), src);
  }
}

function checkRecording(r: Recording, fileName: string, limits: LoadLimits): Recording {
  if (r.input) checkTensorLimits(r.input, { file: fileName, path: ['input'] }, limits);
  checkTensorLimits(r.output, { file: fileName, path: ['output'] }, limits);
  r.layers.forEach((l, i) => checkTensorLimits(l.output, { file: fileName, path: ['layers', i, 'output'] }, limits));
  return r;
}

export function loadRecordingBytes(bytes: Uint8Array, fileName: string, limits?: Partial<LoadLimits>): Recording {
  const resolved = resolveLimits(limits);
  const src = new ModelSource(bytes, fileName, undefined, undefined, resolved);
  try {
    checkSize(bytes.length, fileName, resolved);
    return checkRecording(readRecording(src.json(), fileName), fileName, resolved);
  } catch (e) {
    throw positioned(asLoadError(e, fileName), src);
  }
}

/** Expected outputs from a recording, a fixture (its expected_output and input), or a bare array. */
export function loadExpectedBytes(bytes: Uint8Array, fileName: string, limits?: Partial<LoadLimits>): Recording {
  const resolved = resolveLimits(limits);
  const src = new ModelSource(bytes, fileName, undefined, undefined, resolved);
  try {
    checkSize(bytes.length, fileName, resolved);
    return checkRecording(expectedFrom(src, fileName), fileName, resolved);
  } catch (e) {
    throw positioned(asLoadError(e, fileName), src);
  }
}

function expectedFrom(src: ModelSource, fileName: string): Recording {
  {
    const doc = src.json();
    const format = isObject(doc) ? doc.format : undefined;
    if (format === RECORDING_FORMAT) return readRecording(doc, fileName);
    if (format === RECORDED_FIXTURE || format === MODEL_FIXTURE) {
      const fixture = loadFixture(doc, fileName);
      if (!fixture.expectedOutput) {
        throw new LoadError({ file: fileName, path: ['expected_output'], expected: 'an expected_output array in the fixture', found: 'none' });
      }
      return { ...(fixture.input ? { input: fixture.input } : {}), output: fixture.expectedOutput, predictCalls: fixture.predictCalls, layers: [] };
    }
    if (format !== undefined) {
      throw new LoadError({ file: fileName, path: ['format'], expected: `expected outputs: a ${RECORDING_FORMAT} file, a fixture with expected_output, or a bare array`, found: `format ${describeValue(format)}` });
    }
    return { output: readArrayValue(doc, { file: fileName, path: [] }).tensor, predictCalls: 1, layers: [] };
  }
}
