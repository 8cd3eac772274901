/**
 * The calls that read several tensors (merges, Dot, Attention / AdditiveAttention, MultiHeadAttention, keras.ops nodes), backwards: one gradient per input (null where
 * none flows, as into a mask node's boolean output or TimeDistributed's shape-only second input).
 */
import type { Layer } from '../../engine/model';
import type { Tensor } from '../../engine/tensor';
import type { BackwardContext } from '../cells';
import { attentionBackward, dotBackward } from './attention';
import { ExplainError } from './layer';
import { multiHeadAttentionBackward } from './multi-head-attention';
import { mergeBackward } from './merge';
import { tensorOpBackward } from './tensor-ops';

/** Layer kinds whose backward takes the call's whole input list (even when it is one tensor). */
export function isMultiInputKind(layer: Layer): boolean {
  return layer.kind === 'merge' || layer.kind === 'tensor_op' || layer.kind === 'mask_op' || layer.kind === 'dot' || layer.kind === 'attention' || layer.kind === 'multi_head_attention';
}

export function multiInputBackward(layer: Layer, ins: readonly Tensor[], masks: readonly (Uint8Array | null)[], dy: Float64Array | null, ctx: BackwardContext): (Float64Array | null)[] {
  if (!dy) return ins.map(() => null);
  switch (layer.kind) {
    case 'merge':
      return mergeBackward(layer, ins, dy);
    case 'tensor_op':
      return tensorOpBackward(layer, ins, dy, ctx);
    case 'dot':
      return dotBackward(layer, ins[0]!, ins[1]!, dy);
    case 'attention':
      return attentionBackward(layer, ins, masks, dy);
    case 'multi_head_attention':
      return multiHeadAttentionBackward(layer, ins, masks, dy);
    case 'mask_op':
      // expand_dims and cast carry the values on (cast mostly of a boolean mask, whose producer takes no gradient);
      // the comparisons, any / all and zeros_like / ones_like give booleans or constants: no gradient flows back.
      return layer.op === 'expand_dims' || layer.op === 'cast' ? [dy, ...ins.slice(1).map(() => null)] : ins.map(() => null);
    default:
      throw new ExplainError(`layer "${layer.name}" (${layer.kind}) reads ${ins.length} inputs and cannot be differentiated yet`, 'explain differentiates merges (Add, Concatenate, …), keras.ops nodes and recurrent initial_state= calls');
  }
}
