/**
 * Which Keras generation's behaviour a file follows. It matters for hard_sigmoid's formula and GRU's reset_after
 * default, and a file does not always say: then the config's spelling (Keras 3 adds `module`, `registered_name`,
 * `batch_shape`) decides.
 */
import type { KerasMajor, Semantics } from '../engine/model';
import { isObject } from './json-read';
import { phrase, type Phrase } from '../phrase';

export function semanticsFor(kerasMajor: KerasMajor, decidedBy: Phrase): Semantics {
  return { kerasMajor, hardSigmoid: kerasMajor === 2 ? 'keras2' : 'keras3', decidedBy };
}

/**
 * From a version string like "2.15.0" or "3.15.1"; undefined when it does not start with a known major. `said`
 * words where the version was found, e.g. `(v) => phrase('keras_version "{0}" in the file', v)`.
 */
export function semanticsFromVersion(version: string | undefined, said: (version: string) => Phrase): Semantics | undefined {
  if (typeof version !== 'string') return undefined;
  const major = /^(\d+)\./.exec(version)?.[1];
  if (major === '3') return semanticsFor(3, said(version));
  // Keras 1 configs only load where they look like Keras 2; their arithmetic is Keras 2's.
  if (major === '2' || major === '1') return semanticsFor(2, said(version));
  return undefined;
}

/** No version: Keras 3 writes `module`/`registered_name` on every layer and `batch_shape` on inputs. */
export function semanticsFromConfigStyle(modelJson: unknown): Semantics {
  const marker = findKeras3Marker(modelJson, 0);
  return marker
    ? semanticsFor(3, phrase('no keras_version in the file; the config has Keras 3 keys ({0})', marker))
    : semanticsFor(2, phrase('no keras_version in the file; the config has no Keras 3 keys (module, registered_name, batch_shape), so Keras 2 is assumed'));
}

function findKeras3Marker(v: unknown, depth: number): string | undefined {
  if (depth > 8) return undefined;
  if (Array.isArray(v)) {
    for (const x of v) {
      const m = findKeras3Marker(x, depth + 1);
      if (m) return m;
    }
    return undefined;
  }
  if (!isObject(v)) return undefined;
  for (const key of ['module', 'registered_name', 'batch_shape']) if (key in v) return `"${key}"`;
  for (const key of ['config', 'layers', 'layer']) {
    const m = findKeras3Marker(v[key], depth + 1);
    if (m) return m;
  }
  return undefined;
}
