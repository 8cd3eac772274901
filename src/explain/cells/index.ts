/** The backward step of every cell kind the engine runs, by kind. */
import type { RecurrentLayer } from '../../engine/model';
import type { BackwardContext, CellBackward } from './cell';
import { convLstmBackward } from './conv-lstm';
import { customBackward } from './custom';
import { gruBackward } from './gru';
import { lstmBackward, lstmBackwardReads } from './lstm';
import { simpleRnnBackward } from './simple-rnn';

export type { BackwardContext, CellBackward, StepValues } from './cell';

export function cellBackward(layer: RecurrentLayer, ctx: BackwardContext): CellBackward {
  switch (layer.cell) {
    case 'lstm':
      return lstmBackward(layer, ctx);
    case 'gru':
      return gruBackward(layer, ctx);
    case 'simple_rnn':
      return simpleRnnBackward(layer, ctx);
    case 'custom':
      return customBackward(layer, ctx);
    case 'conv_lstm':
      return convLstmBackward(layer, ctx);
  }
}

/**
 * The trace quantities a layer's backward step reads (a forward run for the gradient alone may record only these:
 * SessionOptions.recordOnly); null: every quantity (the cells whose steps have not been listed).
 */
export function backwardReads(layer: RecurrentLayer): readonly string[] | null {
  return layer.cell === 'lstm' ? lstmBackwardReads(layer) : null;
}
