/**
 * Keras's two HDF5 weight layouts → the flat `get_weights()` list modelFromKerasConfig takes:
 *
 * - Keras 3 `model.weights.h5` (inside a .keras archive): one group per layer, named not after the layer but after
 *   its class in snake case with a counter (`layers/lstm`, `layers/lstm_1`, `layers/simple_rnn`), weights numbered
 *   in `vars/0, 1, …` of the object that owns them (`layers/lstm/cell/vars`, `layers/bidirectional/forward_layer/
 *   cell/vars`, `layers/time_distributed/layer/vars`).
 * - legacy `model.save("x.h5")` (Keras 2, and Keras 3's legacy writer): root attribute `model_config` (the to_json
 *   text) and `keras_version`; group `model_weights/<layer name>` whose `weight_names` attribute lists its weights
 *   in get_weights() order as paths below that group (`lstm/lstm_cell/kernel:0`, Keras 3: `model/lstm/lstm_cell/
 *   kernel`).
 *
 * Either way the config's layers are walked in run order, so the weights come out in the order the converter takes
 * them; shapes and roles are then checked there, once, for every format.
 */
import type { Model } from '../engine/model';
import { LoadError, describeValue, type JsonPath } from './load-error';
import { KERAS_H5_FORMAT } from './binary-formats';
import { MAX_JSON_MEMBER_BYTES, checkDeclaredSize } from './binary-limits';
import { H5File, attrString, attrStrings } from './hdf5';
import { resolveLimits, type LoadLimits } from './limits';
import { parseJsonText } from './json-text';
import { modelFromKerasConfig } from './keras-config';
import { planLayers, type PlannedLayer } from './keras-layer-plan';
import { semanticsFromVersion } from './keras-semantics';
import type { LoadedModel } from './loaded-model';
import type { WeightEntry } from './weights';
import { phrase, type Phrase } from '../phrase';

/** Sub-objects whose weights come in a fixed order, not by name: Bidirectional's directions, MultiHeadAttention's projections. */
const SUB_ORDER: Record<string, number> = { forward_layer: 0, backward_layer: 1, query_dense: 0, key_dense: 1, value_dense: 2, output_dense: 3 };
const SUB_ORDER_OTHER = 4;

/** `vars/0, vars/1, …` of a group, then its sub-objects (a Bidirectional's forward_layer before backward_layer). */
function collectVars(h5: H5File, group: string, out: WeightEntry[], depth: number, cellOrder?: readonly string[]): void {
  if (depth > 8) return;
  const members = h5.members(group) ?? [];
  if (members.includes('vars')) {
    const vars = h5.members(`${group}/vars`) ?? [];
    const numbered = vars.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(a) - Number(b));
    for (const v of numbered) {
      const path = `${group}/vars/${v}`;
      out.push({ tensor: h5.tensor(path), path: h5.pathOf(path) });
    }
  }
  // Stacked cells sit under `cells/` by name; the config's order is the stacking order.
  const cells = cellOrder && group.endsWith('/cells') ? cellOrder : undefined;
  const rank = (m: string) => (cells ? cells.indexOf(m) : SUB_ORDER[m] ?? SUB_ORDER_OTHER);
  const subs = members.filter((m) => m !== 'vars' && h5.isGroup(`${group}/${m}`)).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const m of subs) collectVars(h5, `${group}/${m}`, out, depth + 1, cellOrder);
}

/** Keras 3 `model.weights.h5`: every layer's vars, in run order. */
export function keras3Weights(h5: H5File, plan: readonly PlannedLayer[]): WeightEntry[] {
  if (!h5.isGroup('/layers')) {
    const top = h5.members('/') ?? [];
    throw new LoadError({
      file: h5.where.file,
      path: h5.pathOf('/'),
      expected: `${h5.where.label}: Keras 3 weights (a group "layers" with one group per layer)`,
      found: top.length ? `top-level members ${top.slice(0, 8).map((m) => JSON.stringify(m)).join(', ')}` : 'an empty file',
    });
  }
  const out: WeightEntry[] = [];
  for (const layer of plan) {
    // Keras 3 names groups by class; a layer-named group is the fallback for writers that did otherwise.
    const group = [layer.savedAs, layer.name].map((n) => `/layers/${n}`).find((g) => h5.isGroup(g));
    // A nested model's group holds its layers' groups, which the plan lists one by one.
    if (group && !h5.isGroup(`${group}/layers`)) collectVars(h5, group, out, 0, layer.cellOrder);
  }
  return out;
}

/** An attribute Keras may have split into `name0`, `name1`, … because HDF5 object headers hold at most 64 KiB. */
function chunkedStrings(h5: H5File, group: string, name: string): string[] | undefined {
  const whole = h5.attr(group, name);
  if (whole !== undefined) return attrStrings(whole);
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const part = h5.attr(group, `${name}${i}`);
    if (part === undefined) return i === 0 ? undefined : out;
    const strings = attrStrings(part);
    if (!strings) return undefined;
    out.push(...strings);
  }
}

/** Legacy .h5: each layer's weights by its `weight_names`, in run order. */
export function legacyWeights(h5: H5File, weightsGroup: string, plan: readonly PlannedLayer[]): WeightEntry[] {
  const out: WeightEntry[] = [];
  const seen = new Set<string>();
  for (const layer of plan) {
    // A nested model's layers share its group, which lists all their weights in order: read it once.
    const top = layer.topName ?? layer.name;
    if (seen.has(top)) continue;
    seen.add(top);
    const group = `${weightsGroup}/${top}`;
    if (!h5.isGroup(group)) continue;
    const names = chunkedStrings(h5, group, 'weight_names');
    if (!names) {
      throw new LoadError({
        file: h5.where.file,
        path: h5.pathOf(group),
        subject: `layer "${layer.name}"`,
        expected: 'a weight_names attribute listing the layer\'s weights (what Keras writes on every layer group)',
        found: h5.attr(group, 'weight_names') === undefined ? 'no weight_names attribute' : `weight_names ${describeValue(h5.attr(group, 'weight_names'))}`,
      });
    }
    for (const name of names) {
      const path = `${group}/${name}`;
      out.push({ tensor: h5.tensor(path, `layer "${layer.name}"`), path: h5.pathOf(path), name });
    }
  }
  return out;
}

/** Replaces the converter's generic "in the file" with where exactly the version came from. */
export function restateSemantics(model: Model, version: string | undefined, said: (version: string) => Phrase): void {
  const s = semanticsFromVersion(version, said);
  if (s && s.kerasMajor === model.semantics.kerasMajor) model.semantics = s;
}

/** A JSON text stored inside a binary file (an HDF5 attribute, a zip member); syntax errors point at it. */
export function parseEmbeddedJson(text: string, file: string, path: JsonPath, what: string): unknown {
  checkDeclaredSize(text.length, what, { file, path }, MAX_JSON_MEMBER_BYTES);
  try {
    return parseJsonText(text, file);
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    const at = e.details.line !== undefined ? ` at line ${e.details.line}, column ${e.details.column ?? 1} of ${what}` : ` in ${what}`;
    throw new LoadError({ ...e.details, path, subject: `${what}: ${e.details.subject ?? 'JSON'}${at}`, line: undefined, column: undefined, offset: undefined, length: undefined });
  }
}

export function loadLegacyH5(bytes: Uint8Array, file: string, limits?: Partial<LoadLimits>): LoadedModel {
  const h5 = H5File.open(bytes, { file, prefix: [], label: 'the HDF5 file', limits: resolveLimits(limits) });
  const configText = attrString(h5.attr('/', 'model_config'));
  if (configText === undefined) {
    const weightsOnly = h5.attr('/', 'layer_names') !== undefined || h5.isGroup('/layers');
    throw new LoadError({
      file,
      path: h5.pathOf('/'),
      expected: 'a Keras model file saved with model.save("….h5"): a root attribute model_config holding the model config',
      found: weightsOnly ? 'a weights-only file (model.save_weights), which has no model config' : `no model_config attribute (root attributes: ${h5.attrNames('/').map((a) => JSON.stringify(a)).join(', ') || 'none'}; members: ${(h5.members('/') ?? []).map((m) => JSON.stringify(m)).join(', ') || 'none'})`,
      hint: weightsOnly
        ? 'weights alone do not say which layers to build; save the whole model (model.save("model.keras") or model.save("model.h5"))'
        : 'save the model with Keras: model.save("model.keras") or model.save("model.h5")',
    });
  }
  const configPath: JsonPath = ['model_config attribute'];
  const modelJson = parseEmbeddedJson(configText, file, configPath, 'the model_config attribute');
  const weightsGroup = h5.isGroup('/model_weights') ? '/model_weights' : '/';
  const version = attrString(h5.attr('/', 'keras_version')) ?? attrString(h5.attr(weightsGroup, 'keras_version'));
  const plan = planLayers(modelJson, configPath, file);
  const weights = plan ? legacyWeights(h5, weightsGroup, plan) : [];
  const model = modelFromKerasConfig(modelJson, weights, {
    file,
    path: configPath,
    weightsPath: h5.pathOf(weightsGroup),
    format: KERAS_H5_FORMAT,
    ...(version ? { kerasVersion: version } : {}),
  });
  restateSemantics(model, version, (v) => phrase('keras_version "{0}" in the keras_version attribute of the HDF5 file', v));
  return { model, predictCalls: 1 };
}
