/** The layer kinds of src/engine/layers/, one family per file, joined here for Model's layer union. */
import type { ActivationFnLayer } from './activation-layers';
import type { AttentionLayer } from './attention';
import type { DotLayer } from './dot';
import type { MultiHeadAttentionLayer } from './multi-head-attention';
import type { Conv1DLayer } from './conv1d';
import type { Conv2DLayer, Pool2DLayer } from './conv2d';
import type { Conv3DLayer } from './conv3d';
import type { MaskingLayer, MaskOpLayer } from './masking';
import type { MergeLayer } from './merge';
import type { BatchNormLayer, LayerNormLayer, UnitNormLayer } from './normalization';
import type { TensorOpLayer } from './tensor-ops';
import type { GlobalPool1DLayer, Pool1DLayer } from './pooling';
import type { NormalizationLayer, PreprocessingLayer, RescalingLayer } from './preprocessing';
import type { ShapeLayer } from './shape';

export type { TensorOpLayer, UnitNormLayer, NormalizationLayer, RescalingLayer, Conv3DLayer, DotLayer, MultiHeadAttentionLayer, Conv2DLayer, Pool2DLayer, AttentionLayer, ActivationFnLayer, Conv1DLayer, MaskingLayer, MaskOpLayer, MergeLayer, BatchNormLayer, LayerNormLayer, GlobalPool1DLayer, Pool1DLayer, ShapeLayer };

export type GraphLayer =
  | MergeLayer
  | ShapeLayer
  | Conv1DLayer
  | Pool1DLayer
  | GlobalPool1DLayer
  | BatchNormLayer
  | LayerNormLayer
  | UnitNormLayer
  | TensorOpLayer
  | PreprocessingLayer
  | ActivationFnLayer
  | MaskingLayer
  | MaskOpLayer
  | AttentionLayer
  | Conv2DLayer
  | Conv3DLayer
  | Pool2DLayer
  | MultiHeadAttentionLayer
  | DotLayer;
