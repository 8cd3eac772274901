/** One stepper per recurrent layer: picks the cell kind and binds its weights in the run's precision. */
import type { RecurrentLayer } from '../model';
import type { CellStepper } from './cell';
import { bindWeights, type CellContext } from './context';
import { gruCell } from './gru';
import { lstmCell } from './lstm';
import { simpleRnnCell } from './simple-rnn';

export type { CellStepper, QuantityInfo } from './cell';
export type { CellContext } from './context';

export function makeCell(layer: RecurrentLayer, ctx: CellContext): CellStepper {
  const w = bindWeights(layer, ctx);
  switch (layer.cell) {
    case 'simple_rnn':
      return simpleRnnCell(w);
    case 'lstm':
      return lstmCell(w);
    case 'gru':
      return gruCell(w, layer.config.resetAfter);
  }
}
