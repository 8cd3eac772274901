/** The backward step of every cell kind the engine runs, by kind. */
import type { RecurrentLayer } from '../../engine/model';
import type { BackwardContext, CellBackward } from './cell';
import { customBackward } from './custom';
import { gruBackward } from './gru';
import { lstmBackward } from './lstm';
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
  }
}
