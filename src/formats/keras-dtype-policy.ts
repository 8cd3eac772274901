/**
 * The dtype policies a Keras config's layers declare: Keras 3 `{"class_name": "DTypePolicy", "config": {"name":
 * "mixed_float16"}}`, Keras 2 `{"class_name": "Policy", "config": {"name": ...}}` or a plain string. Only policies
 * that change the arithmetic (float16, bfloat16, mixed_*) are reported.
 */
import type { HalfDtype } from '../engine/half';
import { isObject } from './json-read';

/** A layer's entry: not an InputLayer (its dtype is the input's), not a (nested) model (its config lists layers). */
function isLayer(v: Record<string, unknown>): boolean {
  return typeof v.class_name === 'string' && isObject(v.config) && v.class_name !== 'InputLayer' && !('layers' in v.config);
}

function policyName(dtype: unknown): string | undefined {
  if (typeof dtype === 'string') return dtype;
  if (isObject(dtype) && isObject(dtype.config) && typeof dtype.config.name === 'string') return dtype.config.name;
  return undefined;
}

/** The compute dtype of a policy name, when it is 16-bit: `float16`, `mixed_float16` → float16; `bfloat16`, `mixed_bfloat16` → bfloat16. */
export function halfDtypeOf(policy: string): HalfDtype | undefined {
  const m = /^(?:mixed_)?(float16|bfloat16)$/.exec(policy);
  return m ? (m[1] as HalfDtype) : undefined;
}

/**
 * Every layer (wrapped and nested ones too) whose policy computes in float16 / bfloat16, by its `config.name`; a
 * wrapper's inner layer follows the wrapper, so only names the engine's layers carry matter.
 */
export function halfLayersOf(modelJson: unknown): Record<string, HalfDtype> | undefined {
  const out: Record<string, HalfDtype> = {};
  const walk = (v: unknown, depth: number) => {
    if (depth > 12) return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    if (!isObject(v)) return;
    const config = v.config;
    if (isLayer(v) && isObject(config) && typeof config.name === 'string') {
      const name = policyName(config.dtype);
      const half = name ? halfDtypeOf(name) : undefined;
      if (half) out[config.name] = half;
    }
    for (const key of ['config', 'layers', 'layer', 'backward_layer', 'cell', 'cells']) if (key in v) walk(v[key], depth + 1);
  };
  walk(modelJson, 0);
  return Object.keys(out).length ? out : undefined;
}

/** e.g. `mixed_float16 (5 layers), float32 (1 layer)`, or undefined when every layer computes in float32/float64. */
export function dtypePoliciesOf(modelJson: unknown): string | undefined {
  const counts = new Map<string, number>();
  const walk = (v: unknown, depth: number) => {
    if (depth > 12) return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    if (!isObject(v)) return;
    if (isLayer(v) && isObject(v.config) && 'dtype' in v.config) {
      const name = policyName(v.config.dtype);
      if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    for (const key of ['config', 'layers', 'layer', 'backward_layer', 'cell', 'cells']) if (key in v) walk(v[key], depth + 1);
  };
  walk(modelJson, 0);
  if (![...counts.keys()].some((n) => /float16/.test(n))) return undefined;
  return [...counts.entries()].map(([n, c]) => `${n} (${c} layer${c === 1 ? '' : 's'})`).join(', ');
}
