/** One stepper per recurrent layer: picks the cell kind and binds its weights in the run's precision. */
import { compileCustomCell } from '../custom/compile';
import type { RecurrentLayer } from '../model';
import type { CellStepper } from './cell';
import { bindWeights, type CellContext } from './context';
import { convLstmCell } from './conv-lstm';
import { gruCell } from './gru';
import { lstmCell } from './lstm';
import { simpleRnnCell } from './simple-rnn';

export type { CellStepper, QuantityInfo } from './cell';
export type { CellContext } from './context';

export function makeCell(layer: RecurrentLayer, ctx: CellContext): CellStepper {
  if (layer.cell === 'custom') {
    if (!layer.custom) throw new Error(`layer "${layer.name}" is a custom cell without its definition`);
    return compileCustomCell(layer.custom, ctx);
  }
  if (layer.cell === 'conv_lstm') return convLstmCell(layer, ctx);
  const w = bindWeights(layer, ctx);
  switch (layer.cell) {
    case 'simple_rnn':
      return simpleRnnCell(w);
    case 'lstm':
      return lstmCell(w, layer.weights.projection);
    case 'gru':
      return gruCell(w, layer.config.resetAfter);
  }
}
