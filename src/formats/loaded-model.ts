/** What every model loader returns: the model and, for fixture files, the run they recorded. */
import type { Model } from '../engine/model';
import type { Tensor } from '../engine/tensor';

export interface LoadedModel {
  model: Model;
  input?: Tensor;
  expectedOutput?: Tensor;
  /** 2 for stateful fixtures: Keras ran predict twice without resetting, and expectedOutput is the second result. */
  predictCalls: number;
}
