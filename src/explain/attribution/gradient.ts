/** Saliency (∂y/∂x) and gradient × input (x ⊙ ∂y/∂x): one backward pass at the input. */
import { targetSeeds } from '../target';
import type { MethodInput, MethodResult } from './types';

export function gradientMethod(m: MethodInput, timesInput: boolean): MethodResult {
  const g = m.gradientAt(targetSeeds(m.space.run.run.outputs, m.target)).grad.data;
  if (!timesInput) return { data: g };
  const x = m.space.value.data;
  return { data: g.map((d, k) => d * x[k]!) };
}
