/**
 * The RunnableModel interface on its own (src/formats/runnable.ts has the implementations and the loaders): the
 * ONNX graph model implements it, and importing it from runnable.ts, which loads src/onnx on demand, was a circle.
 */
import type { HardSigmoidFlavor, SourceInfo } from '../engine/model';
import type { Precision, Tensor } from '../engine/tensor';
import type { Trace } from '../engine/trace';
import type { LoadedModel } from './loaded-model';

export interface RunnableOptions {
  /** Engine models: float64 (default) or float32. ONNX graphs compute in the element types they declare. */
  precision?: Precision;
  hardSigmoid?: HardSigmoidFlavor;
  /** Engine models: stateful predict calls (default: the file's). */
  predictCalls?: number;
  record: boolean;
}

export interface RunnableResult {
  /** The first output. */
  output: Tensor;
  /** Every output, in the model's output order. */
  outputs: Tensor[];
  trace: Trace | null;
}

export interface RunnableModel {
  readonly source: SourceInfo;
  /** The inputs' names in order (one unnamed input for engine models). */
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(inputs: readonly Tensor[], options: RunnableOptions): RunnableResult;
  /** The engine model and its fixture data, for engine models. */
  readonly loaded?: LoadedModel;
}
