/**
 * Keras 3 `.keras` files: a zip archive of `config.json` (what model.to_json() writes, plus build/compile config),
 * `metadata.json` (`keras_version`, date) and `model.weights.h5` (Keras 3's weights layout, see keras-h5.ts).
 * Unzipped in memory with fflate; every member's declared size is checked before it is inflated, and members
 * whose names would escape a folder are refused (the archive is never written to disk, but such a name only
 * comes from a damaged or crafted file).
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { LoadError, type JsonPath } from './load-error';
import { KERAS_ARCHIVE_FORMAT } from './binary-formats';
import { MAX_DECLARED_BYTES, MAX_JSON_MEMBER_BYTES, bytesText, checkDeclaredSize } from './binary-limits';
import { H5File } from './hdf5';
import { checkFileBytes, resolveLimits, type LoadLimits } from './limits';
import { isObject } from './json-read';
import { decodeUtf8 } from './json-text';
import { modelFromKerasConfig } from './keras-config';
import { keras3Weights, parseEmbeddedJson, restateSemantics } from './keras-h5';
import { planLayers } from './keras-layer-plan';
import type { LoadedModel } from './loaded-model';
import { phrase } from '../phrase';


const CONFIG = 'config.json';
const METADATA = 'metadata.json';
const WEIGHTS = 'model.weights.h5';
const WANTED: Record<string, number> = { [CONFIG]: MAX_JSON_MEMBER_BYTES, [METADATA]: MAX_JSON_MEMBER_BYTES, [WEIGHTS]: MAX_DECLARED_BYTES };

/** Absolute, drive-lettered or `..`-containing member names. */
export function unsafeMemberName(name: string): boolean {
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name) || name.includes('\0')) return true;
  return name.split(/[\\/]/).some((part) => part === '..');
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The members Cellscope reads, after checking every member's name and the wanted ones' declared sizes. */
function readMembers(bytes: Uint8Array, file: string, limits: LoadLimits): Map<string, Uint8Array> {
  const seen = new Set<string>();
  let refusal: LoadError | undefined;
  const filter = (info: UnzipFileInfo): boolean => {
    if (refusal) return false;
    const member: JsonPath = [info.name];
    if (unsafeMemberName(info.name)) {
      refusal = new LoadError({
        file,
        path: member,
        expected: 'archive members with plain relative names (a .keras file holds config.json, metadata.json, model.weights.h5)',
        found: `member ${JSON.stringify(info.name)}, a path that leaves the archive's folder`,
        hint: 'this archive was not written by Keras; do not unpack it',
      });
      return false;
    }
    if (seen.has(info.name)) {
      refusal = new LoadError({ file, path: member, expected: 'each archive member once', found: `a second member named ${JSON.stringify(info.name)}` });
      return false;
    }
    seen.add(info.name);
    const limit = WANTED[info.name];
    if (limit === undefined) return false;
    try {
      // The weights are the big member: the setting speaks first; the JSON members' fixed limit is the smaller one.
      if (info.name === WEIGHTS) checkFileBytes(info.originalSize, { file, path: member }, limits, `archive member ${info.name} (uncompressed)`);
      checkDeclaredSize(info.originalSize, `archive member ${info.name}`, { file, path: member }, limit);
    } catch (e) {
      refusal = e as LoadError;
      return false;
    }
    return true;
  };
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, { filter });
  } catch (e) {
    if (refusal) throw refusal;
    throw new LoadError({
      file,
      path: [],
      expected: 'a readable zip archive (a .keras file is one)',
      found: `a damaged or truncated archive (${bytesText(bytes.length)}; the zip reader said: ${message(e)})`,
      hint: 'save the model again; a partly copied or downloaded file is the usual cause',
    });
  }
  if (refusal) throw refusal;
  return new Map(Object.entries(members));
}

function required(members: Map<string, Uint8Array>, name: string, file: string, what: string): Uint8Array {
  const data = members.get(name);
  if (data) return data;
  throw new LoadError({
    file,
    path: [name],
    expected: `a member ${name} (${what}) in the .keras archive`,
    found: members.size ? `no ${name}; the archive's Keras members: ${[...members.keys()].join(', ')}` : `no ${name}: the archive has none of config.json, metadata.json, model.weights.h5`,
    hint: 'a .keras file is written by Keras 3 model.save("model.keras"); this archive was made some other way or is incomplete',
  });
}

export function loadKerasArchive(bytes: Uint8Array, file: string, limits?: Partial<LoadLimits>): LoadedModel {
  const resolved = resolveLimits(limits);
  const members = readMembers(bytes, file, resolved);
  const configBytes = required(members, CONFIG, file, 'the model config');
  const modelJson = parseEmbeddedJson(decodeUtf8(configBytes), file, [CONFIG], CONFIG);

  let version: string | undefined;
  const metaBytes = members.get(METADATA);
  if (metaBytes) {
    const meta = parseEmbeddedJson(decodeUtf8(metaBytes), file, [METADATA], METADATA);
    if (isObject(meta) && typeof meta.keras_version === 'string') version = meta.keras_version;
  }
  const weightsBytes = required(members, WEIGHTS, file, 'the weights');
  const h5 = H5File.open(weightsBytes, { file, prefix: [WEIGHTS], label: `${WEIGHTS} in the archive`, limits: resolved });
  const plan = planLayers(modelJson, [CONFIG], file);
  const weights = plan ? keras3Weights(h5, plan) : [];
  const model = modelFromKerasConfig(modelJson, weights, {
    file,
    path: [CONFIG],
    weightsPath: h5.pathOf('/layers'),
    format: KERAS_ARCHIVE_FORMAT,
    ...(version ? { kerasVersion: version } : {}),
  });
  restateSemantics(model, version, (v) => phrase('keras_version "{0}" in {1} of the .keras archive', v, METADATA));
  return { model, predictCalls: 1 };
}
