/**
 * TensorFlow.js layers models: `model.json` with `modelTopology` (a Keras config, at the top or under
 * `model_config` as tensorflowjs_converter writes it) and `weightsManifest: [{paths: [shard files], weights:
 * [{name, shape, dtype, quantization?}]}]`, the weights' bytes concatenated over each group's shards in manifest
 * order. Shards are read through the caller's `readSibling`, only by plain names inside the model's folder.
 *
 * Weights are matched to layers by name (`lstm/kernel`, `bidirectional/forward_lstm/recurrent_kernel`) and put
 * in get_weights() order; quantised weights (uint8/uint16 affine with scale and min, float16) are de-quantised to
 * the float32 values TF.js itself would use. TF.js implements Keras 2 (hard_sigmoid = clip(0.2x + 0.5, 0, 1), GRU
 * reset_after=false), so the model runs with Keras 2 semantics whatever the topology's keras_version says.
 */
import type { Model } from '../engine/model';
import type { Tensor } from '../engine/tensor';
import { LoadError, describeValue, type JsonPath } from './load-error';
import { MAX_DECLARED_BYTES, checkDeclaredSize } from './binary-limits';
import { checkElements, checkFileBytes, resolveLimits, type LoadLimits } from './limits';
import { child, fail, isObject, readArray, readObject, readString, type At } from './json-read';
import { modelFromKerasConfig } from './keras-config';
import { planLayers } from './keras-layer-plan';
import { semanticsFor } from './keras-semantics';
import type { LoadedModel } from './loaded-model';
import type { WeightEntry } from './weights';
import { float16FromBits } from './half-float';
import { phrase } from '../phrase';

export const TFJS_FORMAT = 'tfjs-layers-model';

/** Reads a shard by its manifest path; `size`, when the host can tell, gives its size on disk without reading it. */
type ReadSibling = ((relativePath: string) => PromiseLike<Uint8Array>) & { size?: (relativePath: string) => PromiseLike<number> };

export function isTfjsModelJson(doc: unknown): boolean {
  return isObject(doc) && 'modelTopology' in doc && doc.format !== 'keras-export/v1';
}

/** A shard path that stays in the model's folder: relative, no `..`, no scheme, no drive letter. */
export function safeShardPath(p: string): boolean {
  if (!p || p.includes('\0')) return false;
  if (p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(p)) return false;
  return !p.split(/[\\/]/).some((part) => part === '..');
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'uint8' | 'uint16'; scale: number; min: number } | { dtype: 'float16' };
  bytes: number;
  at: At;
  /** tf.io marks optimizer state with group "optimizer"; it belongs to no layer. */
  optimizer: boolean;
}

interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
  at: At;
  totalBytes: number;
}

function readSpec(v: unknown, where: At, limits: LoadLimits): WeightSpec {
  const w = readObject(v, where, 'a weight entry {"name", "shape", "dtype"}');
  const name = readString(w.name, child(where, 'name'), 'the weight name (a string such as "lstm/kernel")');
  const shapeAt = child(where, 'shape');
  const shape = readArray(w.shape, shapeAt, 'the weight shape (a list of sizes)').map((d, i) =>
    typeof d === 'number' && Number.isInteger(d) && d >= 0 ? d : fail(child(shapeAt, i), 'a size (an integer ≥ 0)', describeValue(d)),
  );
  const dtype = w.dtype;
  if (dtype !== 'float32' && dtype !== 'int32') {
    fail(child(where, 'dtype'), 'dtype "float32" or "int32" (what layers weights are stored as)', describeValue(dtype), { subject: `weight "${name}"` });
  }
  let quantization: WeightSpec['quantization'];
  if (w.quantization !== undefined) {
    const qAt = child(where, 'quantization');
    const q = readObject(w.quantization, qAt, 'a quantization object {"dtype", "scale", "min"}');
    if (q.dtype === 'float16') {
      if (dtype !== 'float32') fail(child(where, 'dtype'), 'dtype "float32" (float16 quantisation only applies to float32 weights)', describeValue(dtype), { subject: `weight "${name}"` });
      quantization = { dtype: 'float16' };
    } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
      const num = (key: string) =>
        typeof q[key] === 'number' && Number.isFinite(q[key]) ? (q[key] as number) : fail(child(qAt, key), `the ${key} of ${q.dtype} quantisation (a finite number)`, describeValue(q[key]), { subject: `weight "${name}"` });
      quantization = { dtype: q.dtype, scale: num('scale'), min: num('min') };
    } else {
      fail(child(qAt, 'dtype'), 'a quantization dtype "uint8", "uint16" or "float16"', describeValue(q.dtype), { subject: `weight "${name}"` });
    }
  }
  const count = shape.reduce((a, d) => a * d, 1);
  const bytes = count * BYTES[quantization?.dtype ?? dtype]!;
  checkElements(count, { file: where.file, path: shapeAt.path, subject: `weight "${name}"` }, limits, `weight "${name}"`);
  checkDeclaredSize(bytes, `weight "${name}"`, { file: where.file, path: shapeAt.path, subject: `weight "${name}"` });
  return { name, shape, dtype, ...(quantization ? { quantization } : {}), bytes, at: where, optimizer: w.group === 'optimizer' };
}

function readManifest(doc: Record<string, unknown>, file: string, limits: LoadLimits): ManifestGroup[] {
  const at: At = { file, path: ['weightsManifest'] };
  // A shard belongs to one place in one group: listing it again (1,000 times, say) only multiplies the reading.
  const listed = new Map<string, string>();
  const groups = readArray(doc.weightsManifest, at, 'weightsManifest: a list of {"paths": [shard files], "weights": [...]}').map((g, gi) => {
    const gAt = child(at, gi);
    const group = readObject(g, gAt, 'a manifest group {"paths", "weights"}');
    const pathsAt = child(gAt, 'paths');
    const paths = readArray(group.paths, pathsAt, 'the shard file names of this group').map((p, pi) => {
      const pAt = child(pathsAt, pi);
      const path = readString(p, pAt, 'a shard file name');
      if (!safeShardPath(path)) {
        fail(pAt, 'a shard file name inside the model\'s folder (relative, without "..")', `the path ${JSON.stringify(path)}, which leaves it`, {
          hint: 'Cellscope reads shards only from the folder of model.json; move the shard beside it and name it plainly',
        });
      }
      const before = listed.get(path);
      if (before !== undefined) fail(pAt, 'each shard file listed once in the manifest', `${JSON.stringify(path)} again (already at ${before})`);
      listed.set(path, `weightsManifest[${gi}].paths[${pi}]`);
      return path;
    });
    const weights = readArray(group.weights, child(gAt, 'weights'), 'the weights of this group').map((w, wi) => readSpec(w, child(gAt, 'weights', wi), limits));
    const totalBytes = weights.reduce((a, w) => a + w.bytes, 0);
    checkDeclaredSize(totalBytes, 'the weights of one manifest group', gAt, MAX_DECLARED_BYTES);
    if (weights.length && !paths.length) fail(pathsAt, 'at least one shard file for the group\'s weights', 'an empty list');
    return { paths, weights, at: gAt, totalBytes };
  });
  checkFileBytes(groups.reduce((a, g) => a + g.totalBytes, 0), at, limits, 'the weight shards together');
  return groups;
}

/** Little-endian, as TF.js writes shards (typed arrays on little-endian hosts). */
function decode(spec: WeightSpec, bytes: Uint8Array): Tensor {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = spec.bytes / BYTES[spec.quantization?.dtype ?? spec.dtype]!;
  const data = new Float64Array(count);
  const q = spec.quantization;
  const round = spec.dtype === 'int32' ? Math.round : Math.fround;
  for (let i = 0; i < count; i++) {
    if (!q) data[i] = spec.dtype === 'int32' ? view.getInt32(i * 4, true) : view.getFloat32(i * 4, true);
    else if (q.dtype === 'float16') data[i] = float16FromBits(view.getUint16(i * 2, true));
    else {
      const v = q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
      // TF.js de-quantises into a Float32Array (int32 weights: rounded).
      data[i] = round(v * q.scale + q.min);
    }
  }
  return { shape: spec.shape, data };
}

/** A shard's read (or size) failure as the manifest entry's LoadError; our own LoadErrors (a FIFO, a link out) pass. */
function shardError(e: unknown, group: ManifestGroup, pi: number, path: string, file: string): LoadError {
  if (e instanceof LoadError) return new LoadError({ ...e.details, file, path: [...group.at.path, 'paths', pi], subject: `shard ${JSON.stringify(path)}` });
  const code = isObject(e) && typeof e.code === 'string' ? e.code : undefined;
  return new LoadError({
    file,
    path: [...group.at.path, 'paths', pi],
    subject: `shard ${JSON.stringify(path)}`,
    expected: `the shard file ${JSON.stringify(path)} beside ${file.replace(/^.*[\\/]/, '')}`,
    // Node's fs says ENOENT; VS Code's workspace.fs says FileNotFound.
    found: code === 'ENOENT' || code === 'FileNotFound' ? 'no such file' : `a file that could not be read (${e instanceof Error ? e.message : String(e)})`,
    hint: 'a TF.js model is model.json plus every shard its weightsManifest lists; copy them all into one folder',
  });
}

/** The shards' sizes on disk against the manifest, before any is read (a sparse 1.9 GB shard is never read). */
async function checkShardSizes(group: ManifestGroup, gi: number, file: string, size: (p: string) => PromiseLike<number>): Promise<void> {
  let total = 0;
  for (const [pi, path] of group.paths.entries()) {
    try {
      total += await size(path);
    } catch (e) {
      throw shardError(e, group, pi, path, file);
    }
    if (total > group.totalBytes) break;
  }
  if (total === group.totalBytes) return;
  throw new LoadError({
    file,
    path: [...group.at.path, 'paths'],
    expected: `${group.totalBytes} bytes in the shards of weightsManifest[${gi}], as its ${group.weights.length} weights declare`,
    found: total > group.totalBytes ? `shards of more than that on disk (at least ${total} bytes); none was read` : `${total} bytes on disk: the shards end ${group.totalBytes - total} bytes early`,
    hint: 'the shard is truncated or belongs to another model; copy the model\'s files again',
  });
}

async function readGroup(group: ManifestGroup, gi: number, file: string, readSibling: ReadSibling): Promise<Map<WeightSpec, Tensor>> {
  if (readSibling.size) await checkShardSizes(group, gi, file, readSibling.size);
  const parts: { path: string; start: number; bytes: Uint8Array }[] = [];
  let total = 0;
  for (const [pi, path] of group.paths.entries()) {
    let bytes: Uint8Array;
    try {
      bytes = await readSibling(path);
    } catch (e) {
      throw shardError(e, group, pi, path, file);
    }
    parts.push({ path, start: total, bytes });
    total += bytes.length;
  }
  const shardList = group.paths.map((p) => JSON.stringify(p)).join(' + ');
  if (total !== group.totalBytes) {
    let offset = 0;
    const short = group.weights.find((w) => (offset += w.bytes) > total);
    const last = parts[parts.length - 1]!;
    throw new LoadError({
      file,
      path: short ? short.at.path : [...group.at.path, 'paths', group.paths.length - 1],
      subject: `shard ${JSON.stringify(last.path)}`,
      expected: `${group.totalBytes} bytes in the shards of weightsManifest[${gi}] (${shardList}), as its ${group.weights.length} weights declare`,
      found:
        total < group.totalBytes
          ? `${total} bytes: the shards end ${group.totalBytes - total} bytes early${short ? `, inside weight "${short.name}"` : ''}`
          : `${total} bytes, ${total - group.totalBytes} more than the manifest describes`,
      hint: 'the shard is truncated or belongs to another model; copy the model\'s files again',
    });
  }
  // Weights may straddle shards (TF.js cuts shards at byte counts), so decode from the concatenation.
  let all: Uint8Array;
  if (parts.length === 1) all = parts[0]!.bytes;
  else {
    all = new Uint8Array(total);
    for (const p of parts) all.set(p.bytes, p.start);
  }
  const out = new Map<WeightSpec, Tensor>();
  let offset = 0;
  for (const w of group.weights) {
    out.set(w, decode(w, all.subarray(offset, offset + w.bytes)));
    offset += w.bytes;
  }
  return out;
}

const ROLE_RANK: Record<string, number> = { kernel: 0, embeddings: 0, recurrent_kernel: 1, bias: 2 };

/** Sort key of a weight inside its layer: forward before backward, then kernel, recurrent_kernel, bias. */
function orderKey(name: string): [number, number] {
  const parts = name.replace(/:\d+$/, '').split('/');
  const direction = parts.slice(1, -1).some((p) => p.startsWith('backward')) ? 1 : 0;
  const role = (parts[parts.length - 1] ?? '').replace(/_\d+$/, '');
  return [direction, ROLE_RANK[role] ?? 3];
}

function weightsByLayer(specs: readonly WeightSpec[], tensors: Map<WeightSpec, Tensor>, modelJson: unknown, configPath: JsonPath, file: string): WeightEntry[] {
  const plan = planLayers(modelJson, configPath, file);
  if (!plan) return [];
  const layerSpecs = specs.filter((s) => !s.optimizer);
  const used = new Set<WeightSpec>();
  const out: WeightEntry[] = [];
  for (const layer of plan) {
    const mine = layerSpecs
      .map((s, i) => ({ s, i, key: orderKey(s.name) }))
      .filter(({ s }) => s.name.split('/')[0] === layer.name)
      .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.i - b.i);
    for (const { s } of mine) {
      used.add(s);
      out.push({ tensor: tensors.get(s)!, path: [...s.at.path], name: s.name });
    }
  }
  const stray = layerSpecs.find((s) => !used.has(s));
  if (stray) {
    throw new LoadError({
      file,
      path: [...stray.at.path, 'name'],
      subject: `weight "${stray.name}"`,
      expected: `a weight named after a layer of modelTopology (${plan.map((l) => JSON.stringify(l.name)).join(', ')}), as "<layer>/<weight>"`,
      found: `the name ${JSON.stringify(stray.name)}, which belongs to none`,
      hint: 'the manifest and the topology come from different models, or the weights were renamed',
    });
  }
  return out;
}

/** Keras flags TF.js serialises as null when left unset (`"mask_zero": null`); Keras itself writes the default. */
const NULLABLE_FLAGS = new Set(['mask_zero', 'use_bias', 'return_sequences', 'return_state', 'go_backwards', 'stateful', 'reset_after', 'unroll', 'time_major']);

/** A copy of the topology with those nulls removed, so the defaults apply as they do in TF.js. */
function withoutNullFlags(v: unknown, depth = 0): unknown {
  if (depth > 32) return v;
  if (Array.isArray(v)) return v.map((x) => withoutNullFlags(x, depth + 1));
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  // defineProperty, not `out[k] =`: a key "__proto__" (JSON.parse keeps it as an own key) would otherwise set the
  // copy's prototype, and its return_sequences / go_backwards would then be inherited by the layer config.
  for (const [k, x] of Object.entries(v)) {
    if (!(x === null && NULLABLE_FLAGS.has(k))) Object.defineProperty(out, k, { value: withoutNullFlags(x, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function loadTfjs(doc: unknown, file: string, readSibling: ReadSibling | undefined, limits?: Partial<LoadLimits>): Promise<LoadedModel> {
  const root = readObject(doc, { file, path: [] }, 'a TensorFlow.js model.json object');
  if (root.format === 'graph-model') {
    fail({ file, path: ['format'] }, 'a TF.js layers model ("format": "layers-model"; a Keras model converted with tensorflowjs_converter --output_format tfjs_layers_model)', 'a TF.js graph model, which holds a TensorFlow graph, not Keras layers');
  }
  const topoAt: At = { file, path: ['modelTopology'] };
  const topology = readObject(root.modelTopology, topoAt, 'modelTopology: the Keras model config');
  const nested = isObject(topology.model_config);
  const configPath: JsonPath = nested ? ['modelTopology', 'model_config'] : ['modelTopology'];
  const modelJson = withoutNullFlags(nested ? topology.model_config : topology);
  if (isObject(modelJson) && 'node' in modelJson && !('class_name' in modelJson)) {
    fail(topoAt, 'a Keras layers topology ({"class_name", "config"})', 'a TensorFlow graph (a graph model)');
  }
  const groups = readManifest(root, file, resolveLimits(limits));
  if (!readSibling) {
    throw new LoadError({
      file,
      path: ['weightsManifest'],
      expected: 'the weight shard files beside model.json (open the model from its folder)',
      found: 'no way to read sibling files in this context',
    });
  }
  const version = typeof topology.keras_version === 'string' ? topology.keras_version : undefined;
  return (async () => {
    const tensors = new Map<WeightSpec, Tensor>();
    for (const [gi, g] of groups.entries()) for (const [spec, t] of await readGroup(g, gi, file, readSibling)) tensors.set(spec, t);
    const specs = groups.flatMap((g) => g.weights);
    const weights = weightsByLayer(specs, tensors, modelJson, configPath, file);
    // The converter picks semantics from a keras_version; TF.js runs Keras 2 whatever produced the topology, so it
    // is told "2.x" here and the real version and reason are put back below.
    const model: Model = modelFromKerasConfig(modelJson, weights, { file, path: configPath, weightsPath: ['weightsManifest'], format: TFJS_FORMAT, kerasVersion: '2.x' });
    model.semantics = semanticsFor(
      2,
      version
        ? phrase('a TensorFlow.js layers model ({0}): TF.js implements Keras 2 (hard_sigmoid clip(0.2x + 0.5, 0, 1), GRU reset_after=false by default)', version)
        : phrase('a TensorFlow.js layers model: TF.js implements Keras 2 (hard_sigmoid clip(0.2x + 0.5, 0, 1), GRU reset_after=false by default)'),
    );
    model.source = { file, format: TFJS_FORMAT, ...(version ? { kerasVersion: version } : {}) };
    return { model, predictCalls: 1 };
  })();
}
