/**
 * The dtype policies a Keras config's layers declare: Keras 3 `{"class_name": "DTypePolicy", "config": {"name":
 * "mixed_float16"}}`, Keras 2 `{"class_name": "Policy", "config": {"name": ...}}` or a plain string. Only policies
 * that change the arithmetic (float16, bfloat16, mixed_*) are reported.
 */
import { isObject } from './json-read';

function policyName(dtype: unknown): string | undefined {
  if (typeof dtype === 'string') return dtype;
  if (isObject(dtype) && isObject(dtype.config) && typeof dtype.config.name === 'string') return dtype.config.name;
  return undefined;
}

/** e.g. `mixed_float16 (5 layers), float32 (1 layer)`, or undefined when every layer computes in float32/float64. */
export function dtypePoliciesOf(modelJson: unknown): string | undefined {
  const counts = new Map<string, number>();
  const walk = (v: unknown, depth: number) => {
    if (depth > 12) return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    if (!isObject(v)) return;
    if (typeof v.class_name === 'string' && isObject(v.config) && 'dtype' in v.config && v.class_name !== 'InputLayer') {
      const name = policyName(v.config.dtype);
      if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    for (const key of ['config', 'layers', 'layer', 'backward_layer', 'cell', 'cells']) if (key in v) walk(v[key], depth + 1);
  };
  walk(modelJson, 0);
  if (![...counts.keys()].some((n) => /float16/.test(n))) return undefined;
  return [...counts.entries()].map(([n, c]) => `${n} (${c} layer${c === 1 ? '' : 's'})`).join(', ');
}
