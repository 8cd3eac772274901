/**
 * Gate blocks stored in another framework's order. Keras cuts LSTM columns into i, f, c, o and GRU columns into
 * z, r, h. "Stored in order X" means block k of the user's weights holds gate X[k]; the fix puts every block back
 * where Keras reads it (kernel, recurrent kernel and bias alike, both rows of a reset_after GRU bias).
 * PyTorch's LSTM (i, f, g, o), cuDNN's and MXNet's are Keras's order already; so is ONNX's GRU (z, r, h).
 */
import { CELL_KINDS, type BuiltinCellKind } from '../engine/cells/kinds';
import type { RecurrentLayer } from '../engine/model';
import { layerHypothesis, withWeights, type LayerHypothesis } from './layers';
import { permuteColumnBlocks } from './weights';
import { phrase, type Phrase } from '../phrase';

const kerasOrder = (cell: BuiltinCellKind) => CELL_KINDS[cell].layout.keras;

/** Orders other software uses, keyed by the order written Keras-style. */
const KNOWN: Record<string, string | Phrase> = {
  'i,c,f,o': 'TensorFlow 1.x LSTMCell/LSTMBlockCell (i, j, f, o)',
  'i,o,f,c': 'ONNX LSTM (i, o, f, c)',
  'c,i,f,o': 'Chainer LSTM (a, i, f, o)',
  'r,z,h': phrase('PyTorch GRU (r, z, n), cuDNN and TF 1.x GRUCell'),
};

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** Gate blocks of `layer` read as if stored in `stored` order, put back in Keras's. */
export function fromGateOrder(layer: RecurrentLayer, stored: readonly string[]): RecurrentLayer {
  if (layer.cell === 'custom') return layer;
  const keras = kerasOrder(layer.cell);
  const from = keras.map((g) => stored.indexOf(g));
  const G = keras.length;
  const w = layer.weights;
  return withWeights(layer, {
    kernel: permuteColumnBlocks(w.kernel, G, from),
    recurrentKernel: permuteColumnBlocks(w.recurrentKernel, G, from),
    bias: w.bias ? permuteColumnBlocks(w.bias, G, from) : null,
  });
}

function orderHypotheses(cell: BuiltinCellKind): LayerHypothesis[] {
  const keras = kerasOrder(cell);
  const cellName = CELL_KINDS[cell].title;
  return permutations(keras)
    .filter((p) => p.join() !== keras.join())
    .map((stored) => {
      const key = stored.join(',');
      const known = KNOWN[key];
      return layerHypothesis({
        id: `${cell}-gate-order:${key}`,
        title: known
          ? phrase("{0} gate blocks stored in order {1} ({2}), not Keras's {3}", cellName, key, known, keras.join(','))
          : phrase("{0} gate blocks stored in order {1}, not Keras's {2}", cellName, key, keras.join(',')),
        concept: 'gate-order',
        layerApplies: (layer) => (layer.cell === cell ? true : `not a ${cellName}`),
        applyLayer: (layer) => fromGateOrder(layer, stored),
      });
    });
}

/** Every other order of every kind with more than one gate block (LSTM, GRU). */
export const gateOrderHypotheses: LayerHypothesis[] = Object.values(CELL_KINDS).flatMap((k) => orderHypotheses(k.kind));
