/** Placeholder replaced below. */
import { ExplainError } from '../layers';
import type { MethodInput, MethodResult } from './types';

export function lrp(_m: MethodInput): MethodResult {
  throw new ExplainError('lrp is not available yet');
}
